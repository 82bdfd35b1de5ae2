"""GitLab (gitlab.com and self-managed): project and group milestone links.

The link names a milestone by its iid; Pacer finds the milestone (GET
/projects/:path/milestones?iids[]=N, or /groups/...) for its title, then counts the issues
with that milestone. With a token: GET .../issues_statistics?milestone=<title> (one request,
both states; GitLab documents that endpoint as authenticated only). Without a token (public
projects on gitlab.com): GET .../issues?milestone=<title>&state=...&per_page=1 and its
X-Total header, once per state.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote, urlencode

from pacer import outbound
from pacer.trackers.base import (
    DEFAULT_WAIT,
    MAX_COUNT,
    MAX_PAGES,
    Connection,
    Counts,
    Link,
    SyncFailed,
    api_base,
    as_list,
    as_object,
    at_epoch,
    check_status,
    clean_base,
    count_in,
    fetch,
    now,
    parse_json,
    path_under,
    request_headers,
    retry_after_header,
    text_in,
)

NAME = "GitLab"
PUBLIC = Connection("gitlab", "https://gitlab.com")
EXAMPLES: tuple[tuple[str, str, str], ...] = (
    ("gitlab_milestone", "GitLab milestone", "https://gitlab.com/GROUP/PROJECT/-/milestones/3"),
    (
        "gitlab_milestone",
        "GitLab group milestone",
        "https://gitlab.com/groups/GROUP/-/milestones/3",
    ),
)

NAMESPACE = r"(?P<path>[\w.-]+(?:/[\w.-]+)*)"
IID = r"(?P<iid>[1-9][0-9]{0,9})"
GROUP_MILESTONE = re.compile(rf"/groups/{NAMESPACE}/-/milestones/{IID}/?")
PROJECT_MILESTONE = re.compile(rf"/{NAMESPACE}/-/milestones/{IID}/?")
OWNERS = {"project": "projects", "group": "groups"}  # link parameter -> API collection


def parse(url: str, connection: Connection) -> Link | None:
    path = path_under(url, connection.base_url)
    if path is None:
        return None
    base = clean_base(connection.base_url)
    if found := GROUP_MILESTONE.fullmatch(path):
        web = f"{base}/groups/{found['path']}/-/milestones/{found['iid']}"
        return Link(
            "gitlab", "gitlab_milestone", web, (("group", found["path"]), ("iid", found["iid"]))
        )
    if found := PROJECT_MILESTONE.fullmatch(path):
        web = f"{base}/{found['path']}/-/milestones/{found['iid']}"
        params = (("project", found["path"]), ("iid", found["iid"]))
        return Link("gitlab", "gitlab_milestone", web, params)
    return None


def counts(link: Link, connection: Connection) -> Counts:
    owner = owner_path(link)
    title = milestone_title(connection, owner, int(link.param("iid")))
    if connection.token:
        return statistics(connection, owner, title)
    return Counts(
        open=listed_total(connection, owner, title, "opened"),
        closed=listed_total(connection, owner, title, "closed"),
    )


def owner_path(link: Link) -> str:
    """/projects/acme%2Fweb or /groups/acme: GitLab takes a URL-encoded full path as :id."""
    for param, collection in OWNERS.items():
        if link.param(param):
            return f"/{collection}/{quote(link.param(param), safe='')}"
    raise SyncFailed("This GitLab link names neither a project nor a group.")


def milestone_title(connection: Connection, owner: str, iid: int) -> str:
    """The milestone's title, found by iid. The list is paginated; with the iids[] filter it
    has one item, but a server that ignores the filter is read page by page (capped), and only
    the milestone whose iid matches is taken."""
    query = urlencode({"iids[]": iid, "per_page": 100})
    for page in range(1, MAX_PAGES + 1):
        answer = call(connection, f"{owner}/milestones?{query}&page={page}")
        milestones = as_list(parse_json(answer, name=NAME), name=NAME, what="the milestones")
        for item in milestones:
            milestone = as_object(item, name=NAME, what="a milestone")
            if milestone.get("iid") == iid:
                return text_in(milestone, "title", name=NAME, what="the milestone's")
        if not next_page(answer, page):
            raise SyncFailed(f"{NAME} has no milestone {iid} here, or the token cannot see it.")
    raise SyncFailed(f"{NAME} listed more than {MAX_PAGES} pages of milestones; Pacer stopped.")


def next_page(answer: outbound.Answer, page: int) -> bool:
    """Whether X-Next-Page names the page after this one (Pacer builds the URL itself rather
    than follow a Link header, so the token only ever goes to the configured API)."""
    following = answer.headers.get("x-next-page", "").strip()
    return following == str(page + 1)


def statistics(connection: Connection, owner: str, title: str) -> Counts:
    query = urlencode({"milestone": title, "scope": "all"})
    body = parse_json(call(connection, f"{owner}/issues_statistics?{query}"), name=NAME)
    outer = as_object(body, name=NAME, what="the statistics")
    statistics = as_object(outer.get("statistics"), name=NAME, what="the statistics")
    found = as_object(statistics.get("counts"), name=NAME, what="the statistics' counts")
    what = "the statistics'"
    opened = count_in(found, "opened", name=NAME, what=what)
    closed = count_in(found, "closed", name=NAME, what=what)
    if count_in(found, "all", name=NAME, what=what) != opened + closed:
        raise SyncFailed(f"{NAME}'s statistics do not add up (all != opened + closed).")
    return Counts(open=opened, closed=closed)


def listed_total(connection: Connection, owner: str, title: str, state: str) -> int:
    query = urlencode({"milestone": title, "state": state, "scope": "all", "per_page": 1})
    answer = call(connection, f"{owner}/issues?{query}")
    as_list(parse_json(answer, name=NAME), name=NAME, what="the issues")
    total = answer.headers.get("x-total", "").strip()
    # GitLab leaves X-Total out above 10,000 issues; a token makes issues_statistics usable.
    if not total.isdigit() or int(total) > MAX_COUNT:
        raise SyncFailed(f"{NAME} did not say how many issues match (no X-Total); add a token.")
    return int(total)


def call(connection: Connection, path: str) -> outbound.Answer:
    answer = fetch(api_root(connection) + path, headers(connection), name=NAME)
    check_status(answer, name=NAME, rate_limit=rate_limit)
    return answer


def api_root(connection: Connection) -> str:
    return api_base(connection, f"{clean_base(connection.base_url)}/api/v4")


def headers(connection: Connection) -> dict[str, str]:
    auth = {"PRIVATE-TOKEN": connection.token} if connection.token else {}
    return request_headers("application/json", auth)


def rate_limit(answer: outbound.Answer) -> datetime | None:
    """GitLab answers 429, with RateLimit-Reset (epoch seconds) and/or Retry-After."""
    if answer.status != 429:
        return None
    reset = at_epoch(answer.headers.get("ratelimit-reset"))
    return reset or retry_after_header(answer) or now() + DEFAULT_WAIT
