"""Jira Cloud and Jira Server / Data Center: epic links and JQL search links.

Both are counted as two JQL queries, `(<jql>) AND statusCategory != Done` (open) and
`(<jql>) AND statusCategory = Done` (closed); an epic's JQL is its children.

* Jira Server / Data Center: GET <api>/search?jql=...&maxResults=0 and its `total`, one
  request per state.
* Jira Cloud (*.atlassian.net): Atlassian removed GET /rest/api/{2,3}/search in 2025; its
  replacement GET <api>/search/jql has no `total`, only pages of issue ids chained by
  `nextPageToken` (until `isLast`). Pacer counts the ids page by page, up to MAX_PAGES pages,
  and fails rather than report a partial count. (POST /search/approximate-count would be one
  request, but its count is documented as approximate and it is a POST; Pacer only GETs.)
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from pacer import outbound
from pacer.trackers.base import (
    DEFAULT_WAIT,
    MAX_PAGES,
    Connection,
    Counts,
    Link,
    LinkRefused,
    SyncFailed,
    api_base,
    as_list,
    as_object,
    at_iso,
    clean_base,
    count_in,
    get_json,
    now,
    path_under,
    request_headers,
    retry_after_header,
)

NAME = "Jira"
EXAMPLES: tuple[tuple[str, str, str], ...] = (
    ("jira_epic", "Jira epic", "https://acme.atlassian.net/browse/KEY-123"),
    (
        "jira_jql",
        "Jira search (JQL)",
        "https://acme.atlassian.net/issues/?jql=project%20%3D%20KEY%20AND%20labels%20%3D%20okr",
    ),
)
CLOUD_HOSTS = (".atlassian.net", ".jira.com")
PAGE_SIZE = 5000  # Cloud's most ids a page when only ids are asked for; it may send fewer

ISSUE_KEY = re.compile(r"/browse/(?P<key>[A-Za-z][A-Za-z0-9_]*-[1-9][0-9]*)/?")
ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.I)


def parse(url: str, connection: Connection) -> Link | None:
    path = path_under(url, connection.base_url)
    if path is None:
        return None
    base = clean_base(connection.base_url)
    if found := ISSUE_KEY.fullmatch(path):
        key = found["key"].upper()
        return Link("jira", "jira_epic", f"{base}/browse/{key}", (("key", key),))
    jql = parse_qs(urlsplit(url.strip()).query).get("jql", [""])[0]
    if not jql.strip():
        return None
    condition = without_order(jql)
    if not condition:
        raise LinkRefused("This Jira search has no condition; Pacer counts a bounded JQL.")
    return Link(
        "jira", "jira_jql", f"{base}/issues/?jql={quote(jql, safe='')}", (("jql", condition),)
    )


def without_order(jql: str) -> str:
    """The JQL without its ORDER BY clause, which may not stand inside parentheses."""
    for found in reversed(list(ORDER_BY.finditer(jql))):
        if jql.count('"', 0, found.start()) % 2 == 0:  # not inside a quoted value
            return jql[: found.start()].strip()
    return jql.strip()


def is_cloud(connection: Connection) -> bool:
    host = (urlsplit(clean_base(connection.base_url)).hostname or "").lower()
    return host.endswith(CLOUD_HOSTS)


def condition_of(link: Link, cloud: bool) -> str:
    """The JQL whose issues the link counts. An epic's children: on Cloud `parent` (Atlassian
    replaced the Epic Link field by parent for every project type); on Server / Data Center
    `"Epic Link"` (parent there only links sub-tasks, which an epic may also have)."""
    if link.kind == "jira_jql":
        return link.param("jql")
    key = link.param("key")
    return f"parent = {key}" if cloud else f'"Epic Link" = {key} OR parent = {key}'


def counts(link: Link, connection: Connection) -> Counts:
    cloud = is_cloud(connection)
    condition = condition_of(link, cloud)
    total = cloud_total if cloud else server_total
    return Counts(
        open=total(connection, f"({condition}) AND statusCategory != Done"),
        closed=total(connection, f"({condition}) AND statusCategory = Done"),
    )


def server_total(connection: Connection, jql: str) -> int:
    query = urlencode({"jql": jql, "maxResults": 0, "fields": "id"})
    result = as_object(call(connection, f"/search?{query}"), name=NAME, what="a search")
    return count_in(result, "total", name=NAME, what="the search's")


def cloud_total(connection: Connection, jql: str) -> int:
    counted, token, tokens = 0, "", set()
    for _ in range(MAX_PAGES):
        query = {"jql": jql, "maxResults": PAGE_SIZE, "fields": "id"}
        page = cloud_page(connection, {**query, "nextPageToken": token} if token else query)
        counted += len(as_list(page.get("issues"), name=NAME, what="the issues"))
        token = next_token(page)
        if not token:
            return counted
        if token in tokens:  # a server handing out the same page again would loop for ever
            raise SyncFailed(f"{NAME} repeated a page token; Pacer stopped counting.")
        tokens.add(token)
    raise SyncFailed(
        f"More than {MAX_PAGES} pages of issues match this link; Pacer stopped counting "
        "rather than report part of them. Narrow the JQL."
    )


def cloud_page(connection: Connection, query: dict[str, Any]) -> dict[str, Any]:
    return as_object(
        call(connection, f"/search/jql?{urlencode(query)}"), name=NAME, what="a search page"
    )


def next_token(page: dict[str, Any]) -> str:
    """The next page's token, or "" on the last page (`isLast`; Jira has also been seen
    leaving `nextPageToken` out of the last page, JRACLOUD-92184)."""
    token = page.get("nextPageToken")
    if page.get("isLast") is True or token is None:
        return ""
    if not isinstance(token, str) or not token:
        raise SyncFailed(f"{NAME} answered a search page with a broken 'nextPageToken'.")
    return token


def call(connection: Connection, path: str) -> object:
    return get_json(
        api_root(connection) + path, headers(connection), name=NAME, rate_limit=rate_limit
    )


def api_root(connection: Connection) -> str:
    return api_base(connection, f"{clean_base(connection.base_url)}/rest/api/2")


def headers(connection: Connection) -> dict[str, str]:
    """A token with a colon is "email:api_token" (Cloud) or "user:password": basic auth;
    without one it is a personal access token (Server / Data Center): bearer."""
    token = connection.token
    if not token:
        auth = {}
    elif ":" in token:
        auth = {"Authorization": "Basic " + base64.b64encode(token.encode()).decode("ascii")}
    else:
        auth = {"Authorization": f"Bearer {token}"}
    return request_headers("application/json", auth)


def rate_limit(answer: outbound.Answer) -> datetime | None:
    """Jira answers 429 with Retry-After (seconds) and, on Cloud, X-RateLimit-Reset (ISO)."""
    if answer.status != 429:
        return None
    reset = at_iso(answer.headers.get("x-ratelimit-reset"))
    return retry_after_header(answer) or reset or now() + DEFAULT_WAIT
