"""parse_link: every supported link form, the connection it needs, and the refusals."""

from pathlib import Path

import pytest

from pacer.trackers import (
    KINDS,
    SUPPORTED,
    Connection,
    Link,
    LinkRefused,
    connection_for,
    parse_link,
)

GHE = Connection("github", "https://ghe.example.com", "t")
SELF_GITLAB = Connection("gitlab", "https://code.example.com/gitlab", "t")
JIRA_CLOUD = Connection("jira", "https://acme.atlassian.net", "pm@acme.test:t")
JIRA_SERVER = Connection("jira", "https://jira.example.com/", "pat")
CONNECTIONS = [GHE, SELF_GITLAB, JIRA_CLOUD, JIRA_SERVER]


@pytest.mark.parametrize(
    ("url", "kind", "params"),
    [
        (
            "https://github.com/acme/web/milestone/3",
            "github_milestone",
            {"owner": "acme", "repo": "web", "number": "3"},
        ),
        (
            " https://ghe.example.com/acme/web.site/milestones/12/#top ",
            "github_milestone",
            {"owner": "acme", "repo": "web.site", "number": "12"},
        ),
        (
            "https://github.com/acme/web/issues?q=is%3Aissue+is%3Aopen+label%3A%22good+first%22",
            "github_search",
            {"owner": "acme", "repo": "web", "q": 'label:"good first"'},
        ),
        (
            "https://github.com/acme/web/issues",
            "github_search",
            {"owner": "acme", "repo": "web", "q": ""},
        ),
        (
            "https://gitlab.com/acme/platform/web/-/milestones/4",
            "gitlab_milestone",
            {"project": "acme/platform/web", "iid": "4"},
        ),
        (
            "https://gitlab.com/groups/acme/platform/-/milestones/2?sort=due",
            "gitlab_milestone",
            {"group": "acme/platform", "iid": "2"},
        ),
        (
            "https://code.example.com/gitlab/ops/infra/-/milestones/9",
            "gitlab_milestone",
            {"project": "ops/infra", "iid": "9"},
        ),
        ("https://acme.atlassian.net/browse/web-12", "jira_epic", {"key": "WEB-12"}),
        ("https://jira.example.com/browse/OPS-7", "jira_epic", {"key": "OPS-7"}),
        (
            "https://acme.atlassian.net/issues/?jql=project%20%3D%20WEB%20ORDER%20BY%20rank",
            "jira_jql",
            {"jql": "project = WEB"},
        ),
        (
            "https://jira.example.com/issues/?jql=summary+~+%22order+by%22",
            "jira_jql",
            {"jql": 'summary ~ "order by"'},
        ),
    ],
)
def test_every_link_form_parses(url: str, kind: str, params: dict[str, str]) -> None:
    link = parse_link(url, CONNECTIONS)
    assert (link.kind, dict(link.params)) == (kind, params)
    assert link.tracker == kind.split("_")[0]
    assert parse_link(link.url, CONNECTIONS) == link  # the normalised URL parses the same


def test_github_search_drops_the_state_pacer_sets_itself() -> None:
    url = "https://github.com/acme/web/issues?q=is:issue+state:closed+-is:open+repo:x/y+bug"
    assert parse_link(url, []).param("q") == "bug"


def test_public_sites_work_without_a_connection() -> None:
    assert parse_link("https://github.com/a/b/milestone/1", []).tracker == "github"
    assert parse_link("https://gitlab.com/a/b/-/milestones/1", []).tracker == "gitlab"


def test_a_configured_connection_wins_over_the_public_default() -> None:
    mine = Connection("github", "https://github.com/", "secret")
    assert connection_for("https://github.com/a/b/milestone/1", [mine]) is mine
    nested = Connection("gitlab", "https://code.example.com/gitlab/ops", "t")
    assert connection_for("https://code.example.com/gitlab/ops/x/-/milestones/1",
                          [SELF_GITLAB, nested]) is nested  # fmt: skip


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.atlassian.net/browse/WEB-1",  # Jira always needs a connection
        "https://ghe.example.com/acme/web/milestone/3",
        "https://example.org/acme/web/milestone/3",
        "https://github.com.evil.example/acme/web/milestone/3",
        "https://code.example.com/other/-/milestones/1",  # outside the GitLab's path
    ],
)
def test_a_host_without_a_connection_is_refused_with_the_supported_list(url: str) -> None:
    with pytest.raises(LinkRefused, match="No tracker is connected") as refused:
        parse_link(url, [SELF_GITLAB])
    assert all(line in str(refused.value) for line in SUPPORTED)


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/acme",
        "https://github.com/acme/web/pull/4",
        "https://github.com/acme/web/milestone/0",
        "https://github.com/acme/web/milestone/x",
        "https://gitlab.com/acme/web/-/issues/4",
        "https://gitlab.com/acme/web/-/milestones/",
        "https://acme.atlassian.net/browse/12",
        "https://acme.atlassian.net/issues/?filter=10001",
        "https://acme.atlassian.net/issues/?jql=",
    ],
)
def test_an_unknown_link_kind_is_refused_with_an_example_of_each(url: str) -> None:
    with pytest.raises(LinkRefused, match=r"not a (GitHub|GitLab|Jira) link") as refused:
        parse_link(url, CONNECTIONS)
    message = str(refused.value)
    assert all(line in message for line in SUPPORTED)


@pytest.mark.parametrize(
    ("url", "wording"),
    [
        ("https://github.com/acme/web/issues?q=is:pr+is:open", "pull requests"),
        ("https://acme.atlassian.net/issues/?jql=ORDER+BY+created", "no condition"),
        ("ftp://github.com/acme/web/milestone/3", "https://"),
        ("not a link", "https://"),
        ("https://github.com:99999/a/b/milestone/1", "not a valid link"),
    ],
)
def test_a_broken_link_says_what_is_wrong(url: str, wording: str) -> None:
    with pytest.raises(LinkRefused, match=wording):
        parse_link(url, CONNECTIONS)


def test_every_kind_has_an_example_and_the_docs_list_them_all() -> None:
    examples = [parse_link(line.split(": ", 1)[1], [JIRA_CLOUD]) for line in SUPPORTED]
    assert {link.kind for link in examples} == set(KINDS)
    docs = (Path(__file__).parents[2] / "docs" / "trackers.md").read_text()
    assert all(line.split(": ", 1)[1] in docs for line in SUPPORTED)


def test_links_are_plain_values() -> None:
    link = parse_link("https://github.com/acme/web/milestone/3", [])
    assert link == Link("github", "github_milestone", link.url, link.params)
    assert hash(link) == hash(Link("github", "github_milestone", link.url, link.params))
