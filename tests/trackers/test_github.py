"""GitHub counts against the fake GitHub: milestones, searches, auth, rate limits."""

from datetime import UTC, datetime

import pytest

from pacer.trackers import Counts, SyncFailed, fetch_counts, parse_link
from pacer.trackers.github import api_root
from tests.trackers.fakes import FakeGitHub


def counts_of(url: str, github: FakeGitHub, token: str | None = None) -> Counts:
    connection = github.connection(token)
    return fetch_counts(parse_link(url, [connection]), connection)


def test_a_milestone_counts_its_open_and_closed_issues(github: FakeGitHub) -> None:
    assert counts_of("https://github.com/acme/web/milestone/3", github) == Counts(4, 8)
    [request] = github.requests
    assert request.path == ["repos", "acme", "web", "milestones", "3"]


def test_requests_carry_the_documented_headers(github: FakeGitHub) -> None:
    counts_of("https://github.com/acme/web/milestone/3", github)
    headers = github.requests[0].headers
    assert headers["authorization"] == f"Bearer {github.token}"
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["user-agent"] == "Pacer"
    assert headers["x-github-api-version"] == "2022-11-28"


def test_without_a_token_no_authorization_is_sent(github: FakeGitHub) -> None:
    counts_of("https://github.com/acme/web/milestone/3", github, token="")
    assert "authorization" not in github.requests[0].headers


def test_a_search_is_counted_once_per_state_in_the_link_repository(github: FakeGitHub) -> None:
    url = "https://github.com/acme/web/issues?q=is%3Aissue+is%3Aopen+label%3Abug"
    assert counts_of(url, github) == Counts(open=2, closed=1)
    queries = [request.arg("q") for request in github.requests]
    assert queries == [
        "repo:acme/web label:bug is:issue state:open",
        "repo:acme/web label:bug is:issue state:closed",
    ]
    assert {request.arg("per_page") for request in github.requests} == {"1"}


def test_a_quoted_label_stays_one_term(github: FakeGitHub) -> None:
    url = 'https://github.com/acme/web/issues?q=label:"good first issue"'
    assert counts_of(url, github) == Counts(open=1, closed=0)


def test_an_incomplete_search_is_no_count(github: FakeGitHub) -> None:
    github.incomplete = True
    with pytest.raises(SyncFailed, match="timed out"):
        counts_of("https://github.com/acme/web/issues?q=label:bug", github)


def test_a_search_github_refuses_passes_its_reason_on(github: FakeGitHub) -> None:
    with pytest.raises(SyncFailed, match=r"\(422\).*does not know"):
        counts_of("https://github.com/acme/web/issues?q=author:someone", github)


def test_an_unknown_milestone_is_not_found(github: FakeGitHub) -> None:
    with pytest.raises(SyncFailed, match=r"found nothing.*\(404\)"):
        counts_of("https://github.com/acme/web/milestone/99", github)


def test_a_wrong_token_is_refused_without_showing_it(github: FakeGitHub) -> None:
    with pytest.raises(SyncFailed, match=r"refused the credentials \(401\)") as failed:
        counts_of("https://github.com/acme/web/milestone/3", github, token="ghp_wrong_one_123")
    assert "ghp_wrong_one_123" not in str(failed.value)


def test_the_primary_rate_limit_says_when_to_retry(github: FakeGitHub) -> None:
    github.rate_limited = True
    with pytest.raises(SyncFailed, match=r"rate limit.*2030-01-01 00:00 UTC") as failed:
        counts_of("https://github.com/acme/web/milestone/3", github)
    assert failed.value.retry_after == datetime(2030, 1, 1, tzinfo=UTC)


def test_a_secondary_rate_limit_waits_as_told(github: FakeGitHub) -> None:
    from tests.trackers.fakes import Reply

    github.canned = Reply(429, {"message": "You have exceeded a secondary rate limit."},
                          {"retry-after": "120"})  # fmt: skip
    before = datetime.now(UTC)
    with pytest.raises(SyncFailed, match="rate limit") as failed:
        counts_of("https://github.com/acme/web/milestone/3", github)
    waited = (failed.value.retry_after or before) - before
    assert 119 <= waited.total_seconds() <= 125


def test_a_plain_403_is_access_refused_not_a_rate_limit(github: FakeGitHub) -> None:
    from tests.trackers.fakes import Reply

    github.canned = Reply(403, {"message": "Resource not accessible by integration"})
    with pytest.raises(SyncFailed, match=r"refused access \(403\).*not accessible") as failed:
        counts_of("https://github.com/acme/web/milestone/3", github)
    assert failed.value.retry_after is None


@pytest.mark.parametrize(
    ("base", "api"),
    [
        ("https://github.com", "https://api.github.com"),
        ("https://github.com/", "https://api.github.com"),
        ("https://ghe.example.com", "https://ghe.example.com/api/v3"),
    ],
)
def test_the_api_is_derived_from_the_web_base(base: str, api: str) -> None:
    from pacer.trackers import Connection

    assert api_root(Connection("github", base)) == api
