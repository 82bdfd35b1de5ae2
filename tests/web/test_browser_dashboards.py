"""The dashboards in a real browser, reached by clicking from `/`: the organization dashboard
from the main navigation, a team's from the heat map, the list behind a number; a TV link
created and opened without a session. axe-core checks the pages on the way (WCAG 2.1 AA,
no serious or critical violation).

The shared world (tests.factories): the platform team's public "Deliver faster" and private
"Buy Initech" in 2026-Q2; `admin` administers Acme."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pacer.insights.snapshots import write_snapshots
from tests.factories import World
from tests.web.test_browser_accessibility import check, report
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_home_to_the_organization_and_a_team_dashboard(
    page: Page, live_server: Any, world: World
) -> None:
    write_snapshots(cycles=[world.cycle])
    world.admin.set_password("pw")
    world.admin.save()
    sign_in(page, live_server, world.admin, then="/")
    found: list[str] = []

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="2026-Q2 dashboard")).to_be_visible()
    expect(page.get_by_role("heading", name="Teams by status")).to_be_visible()
    check(page, "organization dashboard", found)

    page.locator("table.heat-map").get_by_role("link", name="Platform").click()
    expect(page.get_by_role("heading", name="Platform dashboard, 2026-Q2")).to_be_visible()
    check(page, "team dashboard", found)
    page.locator(".count-card", has_text="Total").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Objectives")).to_be_visible()
    expect(page.get_by_role("link", name="Deliver faster")).to_be_visible()
    check(page, "dashboard list", found)

    # TV mode: an admin creates a link on the organization dashboard; it opens without a session.
    page.get_by_role("link", name="Back to the dashboard").click()
    page.get_by_role("link", name="Organization dashboard").click()
    page.get_by_label("Label").fill("Lobby")
    page.get_by_role("button", name="Create TV link").click()
    tv_url = page.locator("#tv code").inner_text()
    context = page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        tv = context.new_page()
        tv.goto(tv_url)
        expect(tv.get_by_role("heading", name="2026-Q2 dashboard")).to_be_visible()
        expect(tv.get_by_text("Buy Initech")).to_have_count(0)
    finally:
        context.close()
    assert not found, report(found)
