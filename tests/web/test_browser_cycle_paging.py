"""Paging in a real browser, reached by clicking from `/`: Plan next cycle copies the ticked
objectives of one page and comes back without them; the close page's Next link, a close-out
saved on page 2 (back on page 2), the team filter, and the close confirmation on that page.

The shared world (tests.factories): 2026-Q2 (active) holds "Deliver faster" and the private
"Buy Initech"; here the teams Alpha and Beta add four objectives, and the pages hold two.
"""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pacer.okrs.models import Cycle, Objective
from pacer.web import paging
from tests.factories import World, make_objective, make_team
from tests.web.test_browser_cycles import sign_in_admin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_next_and_close_page_by_page(
    page: Page, live_server: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "CLOSE_PAGE_SIZE", 2)
    monkeypatch.setattr(paging, "PLAN_PAGE_SIZE", 2)
    alpha, beta = make_team(world.org, "alpha"), make_team(world.org, "beta")
    for n, team in enumerate([alpha, alpha, beta, beta]):
        make_objective(world.cycle, f"paged-{n}", world.owner, team=team, title=f"Paged {n}")
    sign_in_admin(page, live_server, world)

    def to_the_cycle() -> None:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Cycles").click()
        page.get_by_role("link", name=world.cycle.name, exact=True).click()

    # Plan next cycle: copy one objective of the first page, then the page offers the rest.
    to_the_cycle()
    page.get_by_role("link", name="Plan next cycle").click()
    expect(page.get_by_test_id("showing")).to_have_text("Offering objectives 1\N{EN DASH}2 of 6")
    page.get_by_label("Paged 0").check()
    page.get_by_role("button", name="Copy and show more").click()
    expect(
        page.get_by_text("Created 2026 Q3 (planning) and copied 1 objective into it.")
    ).to_be_visible()
    expect(page.get_by_test_id("showing")).to_have_text("Offering objectives 1\N{EN DASH}2 of 5")
    expect(page.get_by_label("Paged 0")).to_have_count(0)
    expect(page.get_by_text("Already in 2026 Q3: 1 unfinished objective")).to_be_visible()
    page.get_by_role("link", name="Next →").click()
    expect(page.get_by_test_id("showing")).to_have_text("Offering objectives 3\N{EN DASH}4 of 5")

    # The close page: the second page, a close-out saved there, the team filter, the close.
    to_the_cycle()
    page.get_by_role("link", name="Close cycle").click()
    expect(page.get_by_test_id("showing")).to_have_text("Showing objectives 1\N{EN DASH}2 of 6")
    page.get_by_role("link", name="Next →").first.click()
    expect(page.get_by_test_id("showing")).to_have_text("Showing objectives 3\N{EN DASH}4 of 6")
    section = page.locator("section.close-objective", has_text="Paged 2")
    section.get_by_role("link", name="Override and retrospective").click()
    section.get_by_label("What went well").fill("Shipped early")
    section.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved the close-out of “Paged 2”.")).to_be_visible()
    expect(page.get_by_test_id("showing")).to_have_text("Showing objectives 3\N{EN DASH}4 of 6")
    assert Objective.objects.get(ref="paged-2").went_well == "Shipped early"

    page.get_by_label("Team").select_option(label="Beta")
    page.get_by_role("button", name="Show").click()
    beta_only = "Showing objectives 1\N{EN DASH}2 of 2 of Beta"
    expect(page.get_by_test_id("showing")).to_have_text(beta_only)

    page.get_by_label("I understand").check()
    page.get_by_role("button", name=f"Close {world.cycle.name}").click()
    expect(
        page.get_by_text(f"{world.cycle.name} is closed; its scores are frozen.")
    ).to_be_visible()
    assert Cycle.objects.get(pk=world.cycle.pk).is_closed
