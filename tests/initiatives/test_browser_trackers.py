"""Trackers in a real browser, reached by clicking from `/`: an admin connects GitHub in
Settings → Trackers (a private address refused by name, the token shown only masked), then
on an initiative linked to a GitHub milestone clicks Sync now and sees the counts and the
progress; axe-core checks the pages (WCAG 2.1 AA). GitHub is the fake of
tests/trackers/fakes.py on 127.0.0.1, allowed by the `github` fixture's settings, which the
live server shares."""

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pacer.initiatives import services
from pacer.initiatives.models import TrackerConnection
from pacer.initiatives.services import InitiativeSpec
from tests.factories import World, make_key_result
from tests.trackers.conftest import running
from tests.trackers.fakes import FakeGitHub
from tests.web.test_browser_accessibility import check, report
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def github(settings: Any) -> Iterator[FakeGitHub]:
    yield from running(FakeGitHub(), settings)


def test_an_admin_connects_github_and_syncs_an_initiative_now(
    page: Page, live_server: Any, world: World, github: FakeGitHub
) -> None:
    kr = make_key_result(world.public, "work", type="initiatives", title="Ship the projects")
    spec = InitiativeSpec(
        title="Ship v1",
        owner=world.owner,
        key_results=[kr],
        link_url="https://github.com/acme/web/milestone/3",  # public: needs no connection
    )
    services.initiative_create(cycle=world.cycle, spec=spec)
    world.admin.set_password("pw")
    world.admin.save()
    sign_in(page, live_server, world.admin, then="/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Trackers").click()
    expect(page.get_by_role("heading", name="Trackers", exact=True)).to_be_visible()
    page.get_by_label("Tracker", exact=True).select_option("github")
    page.get_by_label("Base URL").fill("https://github.com")
    page.get_by_label("API URL (optional)").fill("http://10.0.0.1/api")
    page.get_by_label("Token", exact=True).fill(github.token)
    page.get_by_role("button", name="Connect tracker").click()
    expect(page.locator("#id_api_url-error")).to_contain_text("private")
    found: list[str] = []
    check(page, "trackers with an error", found)
    assert not TrackerConnection.objects.exists()

    page.get_by_label("API URL (optional)").fill(github.url)
    page.get_by_label("Token", exact=True).fill(github.token)
    page.get_by_role("button", name="Connect tracker").click()
    expect(page.get_by_text("Connected GitHub at https://github.com.")).to_be_visible()
    expect(page.locator("table.trackers")).to_contain_text("…6789")
    assert github.token not in page.content()
    check(page, "trackers", found)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Work").click()
    page.get_by_role("link", name="Ship v1").click()
    expect(page.get_by_text("Not synced yet.")).to_be_visible()
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_text("Synced: 8 closed, 4 open.")).to_be_visible()
    expect(page.get_by_text("8 closed, 4 open.", exact=False).last).to_be_visible()
    expect(page.locator("#initiative-progress")).to_have_text("67%")
    check(page, "initiative synced", found)
    assert found == [], report(found)
    assert github.token not in page.content()
    [request] = github.requests
    assert request.headers["authorization"] == f"Bearer {github.token}"
