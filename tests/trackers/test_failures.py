"""What every tracker must survive: no answer, server errors, garbage, a private address,
a link given the wrong connection. A failure is always SyncFailed, never a number."""

from typing import Any

import pytest

from pacer.trackers import Connection, SyncFailed, fetch_counts, parse_link
from tests.trackers.fakes import Fake, Reply

# (fixture, link path under the fake's web base, the path segment of the counting request)
TRACKERS = [
    ("github", "/acme/web/milestone/3", "3"),
    ("github", "/acme/web/issues?q=label:bug", "issues"),
    ("gitlab", "/acme/platform/web/-/milestones/4", "issues_statistics"),
    ("jira_cloud", "/browse/WEB-1", "jql"),
    ("jira_server", "/issues/?jql=project%20%3D%20WEB", "search"),
]
IDS = ["github-milestone", "github-search", "gitlab", "jira-cloud", "jira-server"]

GARBAGE = [
    Reply(200, b"<!DOCTYPE html><html><body>Sign in</body></html>", {"content-type": "text/html"}),
    Reply(200, b""),
    Reply(200, b'{"total": 3'),
    Reply(200, None),
    Reply(200, []),
    Reply(200, "12"),
    Reply(200, {"unexpected": True}),
]
WRONG_NUMBERS: list[Any] = ["7", 7.5, True, -1, None, 10**12, float("inf")]


def fake_and_link(name: str, path: str, request: pytest.FixtureRequest) -> tuple[Fake, Any]:
    fake: Fake = request.getfixturevalue(name)
    connection = fake.connection()
    return fake, (parse_link(fake.base_url + path, [connection]), connection)


@pytest.fixture(params=TRACKERS, ids=IDS)
def tracker(request: pytest.FixtureRequest) -> tuple[Fake, Any, str]:
    name, path, segment = request.param
    fake, link_and_connection = fake_and_link(name, path, request)
    return fake, link_and_connection, segment


@pytest.mark.parametrize("index", [0, 2, 3, 4], ids=[IDS[i] for i in (0, 2, 3, 4)])
def test_a_stalled_tracker_is_no_answer(
    index: int, settings: Any, request: pytest.FixtureRequest
) -> None:
    settings.PACER_OUTBOUND_TIMEOUT = 1
    name, path, _ = TRACKERS[index]
    fake, (link, connection) = fake_and_link(name, path, request)
    fake.stall = True
    with pytest.raises(SyncFailed, match="no answer within 1 s"):
        fetch_counts(link, connection)


def test_a_server_error_is_reported_as_such(tracker: tuple[Fake, Any, str]) -> None:
    fake, (link, connection), _ = tracker
    fake.canned = Reply(502, b"<html>Bad gateway</html>", {"content-type": "text/html"})
    with pytest.raises(SyncFailed, match=r"server error \(502\)"):
        fetch_counts(link, connection)


def test_a_503_with_retry_after_carries_the_time(tracker: tuple[Fake, Any, str]) -> None:
    fake, (link, connection), _ = tracker
    fake.canned = Reply(503, {"message": "maintenance"}, {"retry-after": "300"})
    with pytest.raises(SyncFailed, match=r"\(503\)") as failed:
        fetch_counts(link, connection)
    assert failed.value.retry_after is not None


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_is_never_a_count(tracker: tuple[Fake, Any, str], garbage: Reply) -> None:
    fake, (link, connection), _ = tracker
    fake.canned = garbage
    with pytest.raises(SyncFailed, match=r"not JSON|unexpected shape|without|no milestone"):
        fetch_counts(link, connection)


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_at_the_counting_request_is_never_a_count(
    tracker: tuple[Fake, Any, str], garbage: Reply
) -> None:
    fake, (link, connection), segment = tracker
    fake.canned_for[segment] = garbage
    with pytest.raises(SyncFailed):
        fetch_counts(link, connection)


@pytest.mark.parametrize("number", WRONG_NUMBERS, ids=repr)
def test_a_count_that_is_no_count_is_refused(tracker: tuple[Fake, Any, str], number: Any) -> None:
    fake, (link, connection), segment = tracker
    shapes = {
        "3": {"open_issues": number, "closed_issues": 8},
        "issues": {"total_count": number, "incomplete_results": False, "items": []},
        "issues_statistics": {"statistics": {"counts": {"all": 8, "opened": number, "closed": 5}}},
        "jql": {"issues": number, "isLast": True},
        "search": {"startAt": 0, "maxResults": 0, "total": number, "issues": []},
    }
    fake.canned_for[segment] = Reply(200, shapes[segment])
    with pytest.raises(SyncFailed):
        fetch_counts(link, connection)


def test_pacer_only_reads(tracker: tuple[Fake, Any, str]) -> None:
    fake, (link, connection), _ = tracker
    fetch_counts(link, connection)
    assert fake.requests and {request.method for request in fake.requests} == {"GET"}


def test_the_token_never_reaches_a_message(tracker: tuple[Fake, Any, str]) -> None:
    fake, (link, connection), _ = tracker
    fake.canned = Reply(400, {"message": f"you sent {connection.token}",
                              "errorMessages": [f"you sent {connection.token}"]})  # fmt: skip
    with pytest.raises(SyncFailed) as failed:
        fetch_counts(link, connection)
    assert connection.token not in str(failed.value)
    assert "[token]" in str(failed.value)


@pytest.mark.parametrize(
    ("tracker_name", "base", "path"),
    [
        ("gitlab", "http://10.0.0.5", "/acme/web/-/milestones/1"),
        ("github", "http://192.168.1.10", "/acme/web/milestone/1"),
        ("jira", "http://127.0.0.1:9", "/browse/WEB-1"),
        ("jira", "http://169.254.169.254", "/browse/WEB-1"),
    ],
)
def test_a_private_address_as_base_is_refused_by_outbound(
    tracker_name: str, base: str, path: str, settings: Any
) -> None:
    """Parsing needs no network, so the link is accepted; the sync is refused by
    pacer.outbound's SSRF rule before any request leaves."""
    settings.PACER_OUTBOUND_ALLOW = []
    connection = Connection(tracker_name, base, "secret-token-value")
    link = parse_link(base + path, [connection])
    with pytest.raises(SyncFailed, match="may not call") as failed:
        fetch_counts(link, connection)
    assert "private, loopback or link-local" in str(failed.value) or "itself" in str(failed.value)


def test_a_link_given_another_connection_is_refused() -> None:
    link = parse_link("https://github.com/acme/web/milestone/3", [])
    ghe = Connection("github", "https://ghe.example.com", "t")
    with pytest.raises(SyncFailed, match="does not belong"):
        fetch_counts(link, ghe)
    with pytest.raises(SyncFailed, match="does not belong"):
        fetch_counts(link, Connection("gitlab", "https://github.com", "t"))
