"""Jira counts against fake Jira Cloud and Server: epics, JQL, pages, auth, rate limits."""

import base64
from datetime import UTC, datetime

import pytest

from pacer.trackers import Connection, Counts, SyncFailed, fetch_counts, parse_link
from pacer.trackers.jira import api_root, is_cloud
from tests.trackers.fakes import FakeJira


def counts_of(path: str, jira: FakeJira, token: str | None = None) -> Counts:
    connection = jira.connection(token)
    return fetch_counts(parse_link(jira.base_url + path, [connection]), connection)


def test_cloud_counts_an_epic_by_parent_page_by_page(jira_cloud: FakeJira) -> None:
    assert counts_of("/browse/WEB-1", jira_cloud) == Counts(open=5, closed=2)
    jqls = [request.arg("jql") for request in jira_cloud.requests]
    assert jqls[0] == "(parent = WEB-1) AND statusCategory != Done"
    assert jqls[-1] == "(parent = WEB-1) AND statusCategory = Done"
    assert len(jira_cloud.requests) == 3 + 1  # 5 open at 2 a page, then 2 closed
    assert all(r.path[-2:] == ["search", "jql"] for r in jira_cloud.requests)
    assert [r.arg("nextPageToken") for r in jira_cloud.requests[:3]] == ["", "2-x", "4-x"]


def test_server_counts_an_epic_by_epic_link_from_total(jira_server: FakeJira) -> None:
    assert counts_of("/browse/WEB-1", jira_server) == Counts(open=5, closed=2)
    [open_request, closed_request] = jira_server.requests
    condition = '"Epic Link" = WEB-1 OR parent = WEB-1'
    assert open_request.arg("jql") == f"({condition}) AND statusCategory != Done"
    assert closed_request.arg("jql") == f"({condition}) AND statusCategory = Done"
    assert open_request.arg("maxResults") == "0"
    assert open_request.path[-1] == "search"


@pytest.mark.parametrize("flavour", ["jira_cloud", "jira_server"])
def test_a_jql_link_is_counted_without_its_order(
    flavour: str, request: pytest.FixtureRequest
) -> None:
    jira: FakeJira = request.getfixturevalue(flavour)
    path = "/issues/?jql=project%20%3D%20WEB%20AND%20labels%20%3D%20okr%20ORDER%20BY%20rank"
    assert counts_of(path, jira) == Counts(open=1, closed=1)
    assert counts_of("/issues/?jql=project+%3D+WEB", jira) == Counts(open=7, closed=3)


def test_cloud_sends_basic_auth_from_email_and_api_token(jira_cloud: FakeJira) -> None:
    counts_of("/browse/WEB-1", jira_cloud)
    expected = base64.b64encode(f"{jira_cloud.email}:{jira_cloud.api_token}".encode()).decode()
    headers = jira_cloud.requests[0].headers
    assert headers["authorization"] == f"Basic {expected}"
    assert (headers["accept"], headers["user-agent"]) == ("application/json", "Pacer")


def test_server_sends_the_personal_access_token_as_bearer(jira_server: FakeJira) -> None:
    counts_of("/browse/WEB-1", jira_server)
    assert jira_server.requests[0].headers["authorization"] == f"Bearer {jira_server.pat}"


def test_cloud_pages_are_capped(jira_cloud: FakeJira, monkeypatch: pytest.MonkeyPatch) -> None:
    jira_cloud.endless = True
    with pytest.raises(SyncFailed, match="More than 20 pages"):
        counts_of("/issues/?jql=project%20%3D%20WEB", jira_cloud)
    assert len(jira_cloud.requests) == 20


def test_a_refused_jql_passes_jiras_reason_on(jira_server: FakeJira) -> None:
    with pytest.raises(SyncFailed, match=r"\(400\).*Field 'colour' does not exist"):
        counts_of("/issues/?jql=colour%20%3D%20red", jira_server)


def test_an_unknown_epic_is_named(jira_cloud: FakeJira) -> None:
    with pytest.raises(SyncFailed, match="key 'WEB-404' does not exist"):
        counts_of("/browse/WEB-404", jira_cloud)


def test_cloud_never_asks_the_removed_search_endpoint(jira_cloud: FakeJira) -> None:
    counts_of("/issues/?jql=project%20%3D%20WEB", jira_cloud)
    assert all(request.path[-1] == "jql" for request in jira_cloud.requests)


@pytest.mark.parametrize("flavour", ["jira_cloud", "jira_server"])
def test_a_wrong_token_is_refused(flavour: str, request: pytest.FixtureRequest) -> None:
    jira: FakeJira = request.getfixturevalue(flavour)
    wrong = "pm@acme.test:not-the-token-123" if jira.cloud else "not-the-pat-123"
    with pytest.raises(SyncFailed, match=r"refused the credentials \(401\)") as failed:
        counts_of("/browse/WEB-1", jira, token=wrong)
    assert wrong not in str(failed.value)


def test_an_error_that_echoes_the_credentials_is_blanked(jira_cloud: FakeJira) -> None:
    jira_cloud.echo_auth = True
    with pytest.raises(SyncFailed) as failed:
        counts_of("/browse/WEB-1", jira_cloud)
    message = str(failed.value)
    encoded = base64.b64encode(jira_cloud.token.encode()).decode()
    assert "[token]" in message
    assert jira_cloud.api_token not in message and encoded not in message


def test_the_rate_limit_waits_as_told(jira_cloud: FakeJira) -> None:
    jira_cloud.rate_limited = True
    before = datetime.now(UTC)
    with pytest.raises(SyncFailed, match="rate limit") as failed:
        counts_of("/browse/WEB-1", jira_cloud)
    waited = (failed.value.retry_after or before) - before
    assert 29 <= waited.total_seconds() <= 35


@pytest.mark.parametrize(
    ("base", "cloud", "api"),
    [
        ("https://acme.atlassian.net", True, "https://acme.atlassian.net/rest/api/2"),
        ("https://jira.example.com/jira/", False, "https://jira.example.com/jira/rest/api/2"),
    ],
)
def test_the_flavour_and_api_come_from_the_web_base(base: str, cloud: bool, api: str) -> None:
    connection = Connection("jira", base)
    assert (is_cloud(connection), api_root(connection)) == (cloud, api)


def test_jira_needs_a_connection(jira_cloud: FakeJira) -> None:
    link = parse_link(jira_cloud.base_url + "/browse/WEB-1", [jira_cloud.connection()])
    with pytest.raises(SyncFailed, match="needs a tracker connection"):
        fetch_counts(link, None)
