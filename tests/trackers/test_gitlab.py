"""GitLab counts against the fake GitLab: milestones by iid, statistics, public reads."""

from datetime import UTC, datetime

import pytest

from pacer.trackers import Connection, Counts, SyncFailed, fetch_counts, parse_link
from pacer.trackers.gitlab import api_root
from tests.trackers.fakes import FakeGitLab

PROJECT = "https://gitlab.com/acme/platform/web/-/milestones/4"
GROUP = "https://gitlab.com/groups/acme/platform/-/milestones/2"


def counts_of(url: str, gitlab: FakeGitLab, token: str | None = None) -> Counts:
    connection = gitlab.connection(token)
    return fetch_counts(parse_link(url, [connection]), connection)


def test_a_project_milestone_is_found_by_iid_and_counted(gitlab: FakeGitLab) -> None:
    assert counts_of(PROJECT, gitlab) == Counts(open=3, closed=5)
    lookup, statistics = gitlab.requests
    assert lookup.path == ["api", "v4", "projects", "acme/platform/web", "milestones"]
    assert lookup.query["iids[]"] == ["4"]
    assert statistics.path[-1] == "issues_statistics"
    assert (statistics.arg("milestone"), statistics.arg("scope")) == ("Release 4", "all")


def test_the_project_path_is_sent_url_encoded(gitlab: FakeGitLab) -> None:
    counts_of(PROJECT, gitlab)
    # The fake decodes segments; a raw "/" would have split the path into more segments.
    assert len(gitlab.requests[0].path) == 5


def test_a_group_milestone_is_counted_over_the_group(gitlab: FakeGitLab) -> None:
    assert counts_of(GROUP, gitlab) == Counts(open=1, closed=2)
    assert gitlab.requests[0].path[2:4] == ["groups", "acme/platform"]


def test_requests_carry_the_token_and_pacer_headers(gitlab: FakeGitLab) -> None:
    counts_of(PROJECT, gitlab)
    for request in gitlab.requests:
        assert request.headers["private-token"] == gitlab.token
        assert request.headers["user-agent"] == "Pacer"
        assert request.headers["accept"] == "application/json"


def test_without_a_token_public_issues_are_counted_from_x_total(gitlab: FakeGitLab) -> None:
    assert counts_of(PROJECT, gitlab, token="") == Counts(open=3, closed=5)
    assert all("private-token" not in request.headers for request in gitlab.requests)
    states = [request.arg("state") for request in gitlab.requests[1:]]
    assert states == ["opened", "closed"]


def test_without_x_total_there_is_no_count(gitlab: FakeGitLab) -> None:
    gitlab.omit_total = True
    with pytest.raises(SyncFailed, match="X-Total"):
        counts_of(PROJECT, gitlab, token="")


def test_milestone_pages_are_followed_when_the_filter_is_ignored(gitlab: FakeGitLab) -> None:
    gitlab.ignore_iids = True  # 7 milestones, 3 a page: iid 4 is on page 2
    assert counts_of(PROJECT, gitlab) == Counts(open=3, closed=5)
    assert [r.arg("page") for r in gitlab.requests[:2]] == ["1", "2"]


def test_milestone_pages_stop_at_the_last(gitlab: FakeGitLab) -> None:
    gitlab.ignore_iids = True
    with pytest.raises(SyncFailed, match="no milestone 70"):
        counts_of("https://gitlab.com/acme/platform/web/-/milestones/70", gitlab)
    assert len(gitlab.requests) == 3  # pages 1-3, then X-Next-Page is empty


def test_milestone_pages_are_capped(gitlab: FakeGitLab, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pacer.trackers.gitlab.MAX_PAGES", 2)
    gitlab.ignore_iids = True
    with pytest.raises(SyncFailed, match="more than 2 pages"):
        counts_of("https://gitlab.com/acme/platform/web/-/milestones/7", gitlab)
    assert len(gitlab.requests) == 2


def test_statistics_that_do_not_add_up_are_garbage(gitlab: FakeGitLab) -> None:
    from tests.trackers.fakes import Reply

    gitlab.issues = []
    counts_of(PROJECT, gitlab)  # zero is a count
    original = gitlab.statistics
    gitlab.statistics = lambda request, owner: Reply(  # type: ignore[method-assign]
        200, {"statistics": {"counts": {"all": 9, "closed": 1, "opened": 1}}}
    )
    with pytest.raises(SyncFailed, match="do not add up"):
        counts_of(PROJECT, gitlab)
    gitlab.statistics = original  # type: ignore[method-assign]


def test_an_unknown_project_is_not_found(gitlab: FakeGitLab) -> None:
    with pytest.raises(SyncFailed, match=r"\(404\)"):
        counts_of("https://gitlab.com/acme/nothing/-/milestones/1", gitlab)


def test_an_unknown_milestone_is_named(gitlab: FakeGitLab) -> None:
    with pytest.raises(SyncFailed, match="no milestone 99"):
        counts_of("https://gitlab.com/acme/platform/web/-/milestones/99", gitlab)


def test_a_wrong_token_is_refused(gitlab: FakeGitLab) -> None:
    with pytest.raises(SyncFailed, match=r"\(401\)") as failed:
        counts_of(PROJECT, gitlab, token="glpat-wrong-0123456")
    assert "glpat-wrong-0123456" not in str(failed.value)


def test_the_rate_limit_says_when_to_retry(gitlab: FakeGitLab) -> None:
    gitlab.rate_limited = True
    with pytest.raises(SyncFailed, match=r"rate limit.*2030-01-01 00:00 UTC") as failed:
        counts_of(PROJECT, gitlab)
    assert failed.value.retry_after == datetime(2030, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("base", "api"),
    [
        ("https://gitlab.com", "https://gitlab.com/api/v4"),
        ("https://code.example.com/gitlab/", "https://code.example.com/gitlab/api/v4"),
    ],
)
def test_the_api_is_derived_from_the_web_base(base: str, api: str) -> None:
    assert api_root(Connection("gitlab", base)) == api
