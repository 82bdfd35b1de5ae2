"""Key result editing in a real browser, reached by clicking from `/` (no typed URLs after
signing in): Edit a key result's target, add a milestone to a milestones key result, delete
a key result through its confirmation.

The shared world (tests.factories): `owner` owns "Deliver faster" (2026-Q2, active) with the
metric "Adoption" (0 -> 90 %); here also the milestones key result "Launch".
"""

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pacer.okrs.models import KeyResult, Milestone
from tests.factories import World, make_key_result
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_objective(page: Page, world: World) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cycles").click()
    page.get_by_role("link", name=world.cycle.name, exact=True).click()
    page.locator("#cycle-results").get_by_role("link", name="Deliver faster").click()
    expect(page.get_by_role("heading", name="Deliver faster", level=1)).to_be_visible()


def key_result_row(page: Page, title: str) -> Any:
    return page.locator("article.key-result").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )


def test_edit_a_target_add_a_milestone_and_delete_a_key_result_by_clicking(
    page: Page, live_server: Any, world: World
) -> None:
    launch = make_key_result(world.public, "launch", type="milestones", title="Launch")
    world.owner.set_password("pw")
    world.owner.save()
    sign_in(page, live_server, world.owner, then="/")

    # Edit the metric's target.
    open_objective(page, world)
    key_result_row(page, "Adoption").get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", name="Edit key result")).to_be_visible()
    page.get_by_label("Target", exact=True).fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_contain_text("Target")
    page.get_by_label("Target", exact=True).fill("80")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved the key result “Adoption”.")).to_be_visible()
    expect(key_result_row(page, "Adoption")).to_contain_text("80")
    assert KeyResult.objects.get(pk=world.adoption.pk).target == Decimal(80)

    # Add a milestone to the milestones key result, then mark it done.
    key_result_row(page, "Launch").get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Milestone", exact=True).fill("Beta <b>ready</b>")
    page.get_by_label("Milestone weight").fill("2")
    page.get_by_role("button", name="Add milestone").click()
    expect(page.get_by_text("Added the milestone “Beta <b>ready</b>”.")).to_be_visible()
    page.get_by_role("button", name="Mark “Beta <b>ready</b>” done").click()
    expect(page.get_by_role("button", name="Mark “Beta <b>ready</b>” not done")).to_be_visible()
    milestone = Milestone.objects.get(key_result=launch)
    assert (milestone.weight, milestone.done) == (Decimal(2), True)

    # Delete it through the confirmation; back on the objective, only Adoption is left.
    page.get_by_role("link", name="Delete key result").click()
    expect(page.get_by_role("heading", name="Delete the key result “Launch”?")).to_be_visible()
    page.get_by_role("button", name="Delete key result").click()
    expect(page.get_by_text("Deleted the key result “Launch”.")).to_be_visible()
    expect(page.locator("article.key-result h3")).to_have_text(["Adoption"])
    assert not KeyResult.objects.filter(pk=launch.pk).exists()
