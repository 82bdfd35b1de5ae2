"""Fake GitHub, GitLab and Jira servers on 127.0.0.1 that answer the documented API: the
real paths, field names, pagination and rate-limit headers, 401 for a wrong token, 404 for
an unknown thing. A test can also make one stall, fail (500), answer garbage (`canned`) or
be rate limited. Started and stopped by the fixtures in tests/trackers/conftest.py.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from pacer.trackers import Connection

RESET_EPOCH = 1893456000  # 2030-01-01 00:00 UTC, the reset time every rate limit names


@dataclass
class Request:
    method: str
    path: list[str]  # decoded segments: ["api", "v4", "projects", "acme/web", ...]
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lowercased

    def arg(self, name: str, default: str = "") -> str:
        return self.query.get(name, [default])[0]


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-able, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)

    def content(self) -> bytes:
        return self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()


class Fake:
    """What every fake shares: the request log and the test's switches."""

    url = ""
    tracker = base_url = api_path = token = ""

    def connection(self, token: str | None = None) -> Connection:
        """The organization's connection to this tracker, its API pointed at the fake."""
        token = self.token if token is None else token
        return Connection(self.tracker, self.base_url, token, api_url=self.url + self.api_path)

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.canned: Reply | None = None  # answered to every request when set
        self.canned_for: dict[str, Reply] = {}  # answered by the path's last segment
        self.stall = False  # hold every request until the fake is stopped
        self.rate_limited = False
        self.released = threading.Event()

    def answer(self, request: Request) -> Reply:
        self.requests.append(request)
        if self.stall:
            self.released.wait(10)
        if request.method != "GET":
            return Reply(405, {"message": "Pacer only reads"})
        if self.canned is not None:
            return self.canned
        if request.path[-1] in self.canned_for:
            return self.canned_for[request.path[-1]]
        if self.rate_limited:
            return self.rate_limit()
        if not self.authorised(request.headers):
            return self.unauthorised()
        return self.route(request)

    def authorised(self, headers: dict[str, str]) -> bool:
        raise NotImplementedError

    def unauthorised(self) -> Reply:
        raise NotImplementedError

    def rate_limit(self) -> Reply:
        raise NotImplementedError

    def route(self, request: Request) -> Reply:
        raise NotImplementedError


# --- GitHub -----------------------------------------------------------------------------


class FakeGitHub(Fake):
    tracker, base_url, api_path = "github", "https://github.com", ""
    token = "ghp_fakeSecret0123456789"

    def __init__(self) -> None:
        super().__init__()
        self.milestones = {("acme", "web", 3): (4, 8)}
        # (repository, state, labels) of each issue; pull requests are not issues.
        self.issues = [
            ("acme/web", "open", ["bug"]),
            ("acme/web", "open", ["bug", "good first issue"]),
            ("acme/web", "closed", ["bug"]),
            ("acme/web", "open", ["docs"]),
            ("acme/api", "open", ["bug"]),
        ]
        self.incomplete = False

    def authorised(self, headers: dict[str, str]) -> bool:
        sent = headers.get("authorization")
        return sent is None or sent == f"Bearer {self.token}"

    def unauthorised(self) -> Reply:
        docs = "https://docs.github.com/rest"
        return Reply(401, {"message": "Bad credentials", "documentation_url": docs})

    def rate_limit(self) -> Reply:
        headers = {
            "x-ratelimit-limit": "60",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-used": "60",
            "x-ratelimit-reset": str(RESET_EPOCH),
            "x-ratelimit-resource": "core",
        }
        return Reply(403, {"message": "API rate limit exceeded for 127.0.0.1."}, headers)

    def route(self, request: Request) -> Reply:
        match request.path:
            case ["repos", owner, repo, "milestones", number] if number.isdigit():
                return self.milestone(owner, repo, int(number))
            case ["search", "issues"]:
                return self.search(request.arg("q"))
        return Reply(404, {"message": "Not Found"})

    def milestone(self, owner: str, repo: str, number: int) -> Reply:
        if (owner, repo, number) not in self.milestones:
            return Reply(404, {"message": "Not Found"})
        open_issues, closed_issues = self.milestones[owner, repo, number]
        return Reply(200, {
            "url": f"{self.url}/repos/{owner}/{repo}/milestones/{number}",
            "html_url": f"https://github.com/{owner}/{repo}/milestone/{number}",
            "id": 1002604, "number": number, "state": "open", "title": "v1.0",
            "open_issues": open_issues, "closed_issues": closed_issues,
        })  # fmt: skip

    def search(self, query: str) -> Reply:
        terms = re.findall(r'(?:[^\s"]+|"[^"]*")+', query)
        tests = [self.term_test(term) for term in terms]
        if None in tests:
            problem = "The search contains a qualifier this fake does not know."
            return Reply(422, {"message": "Validation Failed", "errors": [{"message": problem}]})
        found = [issue for issue in self.issues if all(test(issue) for test in tests if test)]
        items = [{"number": 1, "state": found[0][1]}] if found else []
        body = {"total_count": len(found), "incomplete_results": self.incomplete, "items": items}
        return Reply(200, body)

    @staticmethod
    def term_test(term: str) -> Any:
        name, _, value = term.partition(":")
        value = value.strip('"')
        tests = {
            "repo": lambda issue: issue[0] == value,
            "state": lambda issue: issue[1] == value,
            "label": lambda issue: value in issue[2],
            "is": lambda issue: value == "issue",
        }
        return tests.get(name)


# --- GitLab -----------------------------------------------------------------------------


class FakeGitLab(Fake):
    tracker, base_url, api_path = "gitlab", "https://gitlab.com", "/api/v4"
    token = "glpat-fakeSecret0123456789"

    def __init__(self) -> None:
        super().__init__()
        self.milestones: dict[tuple[str, str], list[dict[str, Any]]] = {
            ("projects", "acme/platform/web"): [
                {"id": 100 + iid, "iid": iid, "project_id": 42, "title": f"Release {iid}"}
                for iid in range(1, 8)
            ],
            ("groups", "acme/platform"): [{"id": 900, "iid": 2, "group_id": 7, "title": "Q3"}],
        }
        # (owner, milestone title, state) of each issue
        self.issues = [
            *[(("projects", "acme/platform/web"), "Release 4", "opened")] * 3,
            *[(("projects", "acme/platform/web"), "Release 4", "closed")] * 5,
            (("projects", "acme/platform/web"), "Release 5", "opened"),
            *[(("groups", "acme/platform"), "Q3", "closed")] * 2,
            (("groups", "acme/platform"), "Q3", "opened"),
        ]
        self.ignore_iids = False  # answer every milestone, paginated, as if iids[] were unknown
        self.per_page_cap = 3
        self.omit_total = False  # as GitLab does above 10,000 issues

    def authorised(self, headers: dict[str, str]) -> bool:
        sent = headers.get("private-token")
        return sent is None or sent == self.token

    def unauthorised(self) -> Reply:
        return Reply(401, {"message": "401 Unauthorized"})

    def rate_limit(self) -> Reply:
        headers = {
            "ratelimit-name": "throttle_unauthenticated_api",
            "ratelimit-limit": "500",
            "ratelimit-observed": "501",
            "ratelimit-remaining": "0",
            "ratelimit-reset": str(RESET_EPOCH),
            "ratelimit-resettime": "Tue, 01 Jan 2030 00:00:00 GMT",
            "retry-after": "60",
        }
        return Reply(429, b"Retry later\n", {**headers, "content-type": "text/plain"})

    def route(self, request: Request) -> Reply:
        match request.path:
            case ["api", "v4", ("projects" | "groups") as kind, path, "milestones"]:
                return self.milestone_list(request, (kind, path))
            case ["api", "v4", ("projects" | "groups") as kind, path, "issues_statistics"]:
                return self.statistics(request, (kind, path))
            case ["api", "v4", ("projects" | "groups") as kind, path, "issues"]:
                return self.issue_list(request, (kind, path))
        return Reply(404, {"error": "404 Not Found"})

    def milestone_list(self, request: Request, owner: tuple[str, str]) -> Reply:
        if owner not in self.milestones:
            return Reply(404, {"message": f"404 {owner[0][:-1].title()} Not Found"})
        found = self.milestones[owner]
        if not self.ignore_iids and "iids[]" in request.query:
            iids = {int(iid) for iid in request.query["iids[]"]}
            found = [m for m in found if m["iid"] in iids]
        per_page = min(int(request.arg("per_page", "20")), self.per_page_cap)
        return self.paginated(found, int(request.arg("page", "1")), per_page)

    def paginated(self, items: list[Any], page: int, per_page: int) -> Reply:
        pages = max(1, -(-len(items) // per_page))
        headers = {
            "x-page": str(page),
            "x-per-page": str(per_page),
            "x-total": str(len(items)),
            "x-total-pages": str(pages),
            "x-next-page": str(page + 1) if page < pages else "",
            "x-prev-page": str(page - 1) if page > 1 else "",
        }
        return Reply(200, items[(page - 1) * per_page : page * per_page], headers)

    def matching(self, owner: tuple[str, str], title: str) -> list[str]:
        return [state for where, name, state in self.issues if where == owner and name == title]

    def statistics(self, request: Request, owner: tuple[str, str]) -> Reply:
        if "private-token" not in request.headers:  # documented: authenticated only
            return self.unauthorised()
        states = self.matching(owner, request.arg("milestone"))
        counts = {
            "all": len(states),
            "closed": states.count("closed"),
            "opened": states.count("opened"),
        }
        return Reply(200, {"statistics": {"counts": counts}})

    def issue_list(self, request: Request, owner: tuple[str, str]) -> Reply:
        states = [
            s for s in self.matching(owner, request.arg("milestone")) if s == request.arg("state")
        ]
        reply = self.paginated([{"iid": n, "state": s} for n, s in enumerate(states, 1)], 1, 1)
        if self.omit_total:
            del reply.headers["x-total"], reply.headers["x-total-pages"]
        return reply


# --- Jira -------------------------------------------------------------------------------


@dataclass
class Issue:
    key: str
    done: bool
    parent: str = ""  # Cloud's parent, and Server's Epic Link
    labels: tuple[str, ...] = ()

    @property
    def project(self) -> str:
        return self.key.split("-")[0]


class FakeJira(Fake):
    tracker, api_path = "jira", "/rest/api/2"
    email, api_token = "pm@acme.test", "atl-fakeSecret0123456789"
    pat = "pat-fakeSecret0123456789"
    COUNTED = re.compile(r"^\((?P<condition>.*)\) AND statusCategory (?P<op>!?=) Done$")

    def __init__(self, *, cloud: bool) -> None:
        super().__init__()
        self.cloud = cloud
        self.base_url = "https://acme.atlassian.net" if cloud else "https://jira.acme.test"
        self.issues = [
            Issue("WEB-1", done=False),
            *[Issue(f"WEB-{n}", done=n % 3 == 0, parent="WEB-1") for n in range(2, 9)],
            Issue("WEB-9", done=True, labels=("okr",)),
            Issue("WEB-10", done=False, labels=("okr",)),
        ]
        self.page_size = 2  # Jira may send fewer than maxResults; Pacer must follow the pages
        self.endless = False  # hand out a next page for ever
        self.echo_auth = False  # an error that repeats the credentials it was sent
        self.token = f"{self.email}:{self.api_token}" if cloud else self.pat

    def authorised(self, headers: dict[str, str]) -> bool:
        sent = headers.get("authorization")
        if self.cloud:
            expected = "Basic " + base64.b64encode(self.token.encode()).decode()
        else:
            expected = f"Bearer {self.pat}"
        return sent is None or sent == expected

    def unauthorised(self) -> Reply:
        text = b"Client must be authenticated to access this resource."
        return Reply(401, text, {"content-type": "text/html"})

    def rate_limit(self) -> Reply:
        headers = {"retry-after": "30", "x-ratelimit-reset": "2030-01-01T00:00Z"}
        return Reply(429, {"errorMessages": ["Rate limit exceeded."]}, headers)

    def route(self, request: Request) -> Reply:
        if self.echo_auth:
            said = f"Bad header {request.headers.get('authorization')} ({self.api_token})"
            return Reply(400, {"errorMessages": [said], "errors": {}})
        match request.path:
            case ["rest", "api", "2", "search", "jql"] if self.cloud:
                return self.search_page(request)
            case ["rest", "api", "2", "search"] if self.cloud:
                gone = "The requested API has been removed. Please migrate to /search/jql."
                return Reply(410, {"errorMessages": [gone], "errors": {}})
            case ["rest", "api", "2", "search"]:
                return self.search_total(request)
        return Reply(404, b"<html><body>Oops, you've found a dead link.</body></html>")

    def search_total(self, request: Request) -> Reply:
        found = self.run(request.arg("jql"))
        if isinstance(found, Reply):
            return found
        body = {"startAt": 0, "maxResults": 0, "total": len(found), "issues": []}
        return Reply(200, body)

    def search_page(self, request: Request) -> Reply:
        found = self.run(request.arg("jql"))
        if isinstance(found, Reply):
            return found
        start = int(request.arg("nextPageToken", "0-").split("-")[0] or 0)
        page = found[start : start + self.page_size]
        issues = [{"id": str(10000 + int(i.key.split("-")[1]))} for i in page]
        if self.endless or start + self.page_size < len(found):
            following = start + self.page_size
            return Reply(
                200, {"issues": issues, "nextPageToken": f"{following}-x", "isLast": False}
            )
        return Reply(200, {"issues": issues, "isLast": True})  # no token: JRACLOUD-92184

    def run(self, jql: str) -> list[Issue] | Reply:
        counted = self.COUNTED.match(jql)
        if not counted:
            return self.refuse(f"Error in the JQL Query: unexpected shape {jql!r}.")
        done = counted["op"] == "="
        try:
            alternatives = [self.clauses(part) for part in counted["condition"].split(" OR ")]
        except ValueError as error:
            return self.refuse(str(error))
        return [
            issue
            for issue in self.issues
            if issue.done == done and any(all(t(issue) for t in tests) for tests in alternatives)
        ]

    def clauses(self, conjunction: str) -> list[Any]:
        return [
            self.clause(part.strip()) for part in re.split(r"\s+AND\s+", conjunction, flags=re.I)
        ]

    def clause(self, text: str) -> Any:
        name, _, value = (part.strip().strip('"') for part in text.partition("="))
        if name == "Epic Link" and self.cloud:
            raise ValueError("Field 'Epic Link' does not exist or you do not have permission.")
        if name in ("parent", "Epic Link"):
            if value not in {issue.key for issue in self.issues}:
                raise ValueError(f"An issue with key '{value}' does not exist for field '{name}'.")
            return lambda issue: issue.parent == value
        if name == "project":
            return lambda issue: issue.project == value
        if name == "labels":
            return lambda issue: value in issue.labels
        raise ValueError(f"Field '{name}' does not exist or you do not have permission.")

    @staticmethod
    def refuse(message: str) -> Reply:
        return Reply(400, {"errorMessages": [message], "errors": {}})


# --- The server -------------------------------------------------------------------------


def serve(fake: Fake) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.reply()

        def do_POST(self) -> None:
            self.reply()

        def reply(self) -> None:
            parts = urlsplit(self.path)
            segments = [unquote(s) for s in parts.path.strip("/").split("/")]
            headers = {name.lower(): value for name, value in self.headers.items()}
            request = Request(self.command, segments, parse_qs(parts.query), headers)
            answer = fake.answer(request)
            content = answer.content()
            self.send_response(answer.status)
            if not any(name.lower() == "content-type" for name in answer.headers):
                self.send_header("Content-Type", "application/json; charset=utf-8")
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    # A short poll keeps shutdown() quick (the default half second per test adds up).
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    return server
