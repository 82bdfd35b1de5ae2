"""The cycle flows in a real browser, reached by clicking from `/` (no typed URLs after signing
in): New cycle, an error shown in the summary at the top, Plan next cycle copying one
objective with one chosen key result.

The shared world (tests.factories): Acme's admin; 2026-Q2 (1 April to 30 June, active) holds
"Deliver faster" with the key result "Adoption" (and here "Ship weekly" too).
"""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pacer.okrs.models import Cycle, Objective
from tests.factories import World, make_key_result
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_admin(page: Page, live_server: Any, world: World) -> None:
    world.admin.set_password("pw")
    world.admin.save()
    sign_in(page, live_server, world.admin, then="/")


def test_create_a_cycle_then_plan_the_next_quarter_by_clicking(
    page: Page, live_server: Any, world: World
) -> None:
    make_key_result(world.public, "speed", title="Ship weekly", target=10)
    sign_in_admin(page, live_server, world)

    # New cycle, from the cycles page; a first try ends before it starts.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cycles").click()
    page.get_by_role("link", name="New cycle").click()
    expect(page.get_by_role("heading", name="New cycle")).to_be_visible()
    page.get_by_label("Name").fill("Company 2027")
    page.get_by_label("Start").fill("2027-01-01")
    page.get_by_label("End").fill("2026-12-31")
    page.get_by_label("State").select_option("active")
    page.get_by_role("button", name="Create cycle").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("the cycle ends (2026-12-31) before it starts (2027-01-01)")
    summary.get_by_role("link").click()
    expect(page.get_by_label("End")).to_be_focused()
    page.get_by_label("End").fill("2027-12-31")
    page.get_by_role("button", name="Create cycle").click()
    expect(page.get_by_role("heading", name="Company 2027")).to_be_visible()
    expect(page.get_by_text("Created Company 2027.")).to_be_visible()
    assert Cycle.objects.get(ref="company-2027").state == "active"

    # Plan next cycle, from the active quarter's overview: one objective, one key result.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cycles").click()
    page.get_by_role("link", name=world.cycle.name, exact=True).click()
    page.get_by_role("link", name="Plan next cycle").click()
    expect(page.get_by_role("heading", name="Plan next cycle")).to_be_visible()
    expect(page.get_by_text("It does not exist yet")).to_be_visible()
    page.get_by_label("Deliver faster").check()
    page.get_by_label("Ship weekly").uncheck()
    expect(page.get_by_label("Adoption")).to_be_checked()
    page.get_by_role("button", name="Plan 2026 Q3").click()

    expect(page.get_by_role("heading", name="2026 Q3")).to_be_visible()
    expect(
        page.get_by_text("Created 2026 Q3 (planning) and copied 1 objective into it.")
    ).to_be_visible()
    page.locator("#cycle-results").get_by_role("link", name="Deliver faster").click()
    expect(page.get_by_role("heading", name="Deliver faster")).to_be_visible()
    expect(page.locator("article.key-result h3")).to_have_text(["Adoption"])
    copy = Objective.objects.get(cycle__ref="2026-q3")
    assert [kr.title for kr in copy.key_results.all()] == ["Adoption"]
    assert copy.cycle.state == "planning"
