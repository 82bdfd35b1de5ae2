"""GitHub and GitHub Enterprise Server: milestone links and issue-search links.

A milestone is counted from its own `open_issues` / `closed_issues` (GET
/repos/{owner}/{repo}/milestones/{number}); a search is counted twice with the search API
(GET /search/issues, per_page=1: only `total_count` is read), once per state.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qs, quote, quote_plus, urlencode, urlsplit

from pacer import outbound
from pacer.trackers.base import (
    DEFAULT_WAIT,
    Connection,
    Counts,
    Link,
    LinkRefused,
    SyncFailed,
    api_base,
    as_object,
    at_epoch,
    clean_base,
    count_in,
    error_detail,
    get_json,
    now,
    path_under,
    request_headers,
    retry_after_header,
)

NAME = "GitHub"
PUBLIC = Connection("github", "https://github.com")
EXAMPLES: tuple[tuple[str, str, str], ...] = (
    ("github_milestone", "GitHub milestone", "https://github.com/OWNER/REPO/milestone/3"),
    ("github_search", "GitHub issue search", "https://github.com/OWNER/REPO/issues?q=label:bug"),
)

REPO = r"/(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]*))/(?P<repo>[A-Za-z0-9._-]+)"
MILESTONE_PATH = re.compile(REPO + r"/milestones?/(?P<number>[1-9][0-9]{0,9})/?")
ISSUES_PATH = re.compile(REPO + r"/issues/?")
# A search term, keeping quoted values whole: label:"good first issue".
TERMS = re.compile(r'(?:[^\s"]+|"[^"]*")+')
# Terms Pacer sets itself: the state (counted once open, once closed), the kind and the
# repository (the link's own).
OWN_TERMS = re.compile(r"^-?(is:(open|closed|issue)|state:\S+|type:issue|repo:\S+)$", re.I)
PULL_TERMS = re.compile(r"^(is:(pr|pull-request)|type:pr)$", re.I)


def parse(url: str, connection: Connection) -> Link | None:
    path = path_under(url, connection.base_url)
    if path is None:
        return None
    base = clean_base(connection.base_url)
    if found := MILESTONE_PATH.fullmatch(path):
        owner, repo, number = found["owner"], found["repo"], found["number"]
        params = (("owner", owner), ("repo", repo), ("number", number))
        return Link(
            "github", "github_milestone", f"{base}/{owner}/{repo}/milestone/{number}", params
        )
    if found := ISSUES_PATH.fullmatch(path):
        return search_link(base, found["owner"], found["repo"], query_of(url))
    return None


def query_of(url: str) -> str:
    return parse_qs(urlsplit(url.strip()).query).get("q", [""])[0].strip()


def search_link(base: str, owner: str, repo: str, query: str) -> Link:
    terms = TERMS.findall(query)
    if any(PULL_TERMS.match(term) for term in terms):
        raise LinkRefused("This search lists pull requests; Pacer counts issues only.")
    kept = " ".join(term for term in terms if not OWN_TERMS.match(term))
    url = f"{base}/{owner}/{repo}/issues" + (f"?q={quote_plus(query)}" if query else "")
    params = (("owner", owner), ("repo", repo), ("q", kept))
    return Link("github", "github_search", url, params)


def counts(link: Link, connection: Connection) -> Counts:
    if link.kind == "github_milestone":
        return milestone_counts(link, connection)
    return Counts(
        open=search_total(link, connection, "open"),
        closed=search_total(link, connection, "closed"),
    )


def milestone_counts(link: Link, connection: Connection) -> Counts:
    owner, repo = quote(link.param("owner")), quote(link.param("repo"))
    data = call(connection, f"/repos/{owner}/{repo}/milestones/{int(link.param('number'))}")
    milestone = as_object(data, name=NAME, what="the milestone")
    return Counts(
        open=count_in(milestone, "open_issues", name=NAME, what="the milestone's"),
        closed=count_in(milestone, "closed_issues", name=NAME, what="the milestone's"),
    )


def search_total(link: Link, connection: Connection, state: str) -> int:
    repository = f"repo:{link.param('owner')}/{link.param('repo')}"
    terms = [repository, link.param("q"), "is:issue", f"state:{state}"]
    query = urlencode({"q": " ".join(term for term in terms if term), "per_page": "1"})
    result = as_object(call(connection, f"/search/issues?{query}"), name=NAME, what="a search")
    # A search that timed out counts only part of the issues: no number beats a wrong one.
    if result.get("incomplete_results") is True:
        raise SyncFailed(f"{NAME}'s search timed out before counting every issue.")
    if result.get("incomplete_results") is not False:
        raise SyncFailed(f"{NAME} answered a search without 'incomplete_results'.")
    return count_in(result, "total_count", name=NAME, what="the search's")


def call(connection: Connection, path: str) -> object:
    return get_json(
        api_root(connection) + path, headers(connection), name=NAME, rate_limit=rate_limit
    )


def api_root(connection: Connection) -> str:
    base = clean_base(connection.base_url)
    default = "https://api.github.com" if base == "https://github.com" else f"{base}/api/v3"
    return api_base(connection, default)


def headers(connection: Connection) -> dict[str, str]:
    auth = {"Authorization": f"Bearer {connection.token}"} if connection.token else {}
    version = {"X-GitHub-Api-Version": "2022-11-28"}
    return request_headers("application/vnd.github+json", {**version, **auth})


def rate_limit(answer: outbound.Answer) -> datetime | None:
    """GitHub answers 403 or 429 to a rate-limited request: the primary limit with
    x-ratelimit-remaining 0 and the reset in epoch seconds, a secondary limit with
    retry-after or only a message (then wait a minute, as GitHub's documentation says)."""
    if answer.status not in (403, 429):
        return None
    if answer.headers.get("x-ratelimit-remaining", "").strip() == "0":
        return at_epoch(answer.headers.get("x-ratelimit-reset")) or now() + DEFAULT_WAIT
    waited = retry_after_header(answer)
    if waited is not None:
        return waited
    if answer.status == 429 or "rate limit" in error_detail(answer).lower():
        return now() + DEFAULT_WAIT
    return None
