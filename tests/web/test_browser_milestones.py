"""The milestones editor in a real browser, reached by clicking from `/` (no typed URLs after
signing in): add three milestones, rename one, move one up, mark one done, delete one through
its confirmation, and watch the key result's progress follow. axe-core checks the editor's
pages on the way (WCAG 2.1 AA, no serious or critical violation).

The shared world (tests.factories): `owner` owns "Deliver faster" (2026-Q2, active); here
it also holds the milestones key result "Launch", with no milestones yet.
"""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pacer.okrs.models import Milestone
from tests.factories import World, make_key_result
from tests.web.test_browser_accessibility import check, report
from tests.web.test_browser_flows import sign_in
from tests.web.test_browser_key_results import key_result_row, open_objective

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_add_rename_move_mark_done_and_delete_milestones_by_clicking(
    page: Page, live_server: Any, world: World
) -> None:
    launch = make_key_result(world.public, "launch", type="milestones", title="Launch")
    world.owner.set_password("pw")
    world.owner.save()
    sign_in(page, live_server, world.owner, then="/")

    open_objective(page, world)
    key_result_row(page, "Launch").get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", name="Milestones")).to_be_visible()
    progress = page.locator("#milestones-progress strong")
    found: list[str] = []
    expect(progress).to_have_text("0%")

    # Add three milestones.
    for title in ("Pilot", "Beta", "GA"):
        page.get_by_label("Milestone", exact=True).fill(title)
        page.get_by_role("button", name="Add milestone").click()
        expect(page.get_by_text(f"Added the milestone “{title}”.")).to_be_visible()
    check(page, "key result edit page with milestones", found)

    # Rename one: a blank title is an error first, in the summary and at the field.
    page.get_by_role("link", name="Edit “Beta”").click()
    expect(page.get_by_role("heading", name="Edit milestone")).to_be_visible()
    page.get_by_label("Title", exact=True).fill(" ")
    page.get_by_role("button", name="Save milestone").click()
    expect(page.locator(".error-summary").get_by_role("link")).to_contain_text("Title")
    check(page, "edit milestone with an error", found)
    page.get_by_label("Title", exact=True).fill("Beta, two teams")
    page.get_by_role("button", name="Save milestone").click()
    expect(page.get_by_text("Saved the milestone “Beta, two teams”.")).to_be_visible()

    # Move GA up, above the renamed one.
    page.get_by_role("button", name="Move “GA” up").click()
    expect(page.locator("ul.milestones > li").nth(1)).to_contain_text("GA")
    ga = Milestone.objects.get(key_result=launch, title="GA")
    expect(page.locator(f"#milestone-{ga.pk}-up")).to_be_focused()  # htmx kept the focus
    assert list(Milestone.objects.filter(key_result=launch).values_list("title", flat=True)) == [
        "Pilot",
        "GA",
        "Beta, two teams",
    ]

    # Mark Pilot done: one of three.
    page.get_by_role("button", name="Mark “Pilot” done").click()
    expect(page.get_by_role("button", name="Mark “Pilot” not done")).to_be_visible()
    expect(progress).to_have_text("33%")

    # Delete GA through its confirmation (Cancel first: nothing is gone).
    page.get_by_role("link", name="Delete “GA”").click()
    expect(page.get_by_role("heading", name="Delete the milestone “GA”?")).to_be_visible()
    check(page, "delete milestone confirmation", found)
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("ul.milestones > li")).to_have_count(3)
    page.get_by_role("link", name="Delete “GA”").click()
    page.get_by_role("button", name="Delete milestone").click()
    expect(page.get_by_text("Deleted the milestone “GA”.")).to_be_visible()
    expect(page.locator("ul.milestones > li")).to_have_count(2)
    expect(progress).to_have_text("50%")
    assert list(Milestone.objects.filter(key_result=launch).values_list("title", "done")) == [
        ("Pilot", True),
        ("Beta, two teams", False),
    ]
    assert not found, report(found)
