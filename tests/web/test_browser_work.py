"""The work behind key results in a real browser, reached by clicking from `/`: the Work page
from the main navigation, an initiative's page, a task added and ticked, a board card moved
to another status with the keyboard alone and dragged with the mouse, and the objective page
showing the work under its key result. axe-core checks the pages on the way (WCAG 2.1 AA,
no serious or critical violation).

The shared world (tests.factories): `owner` owns "Deliver faster" (2026-Q2), whose metric
`adoption` the initiative "Roll out onboarding" supports.
"""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pacer.initiatives import services
from pacer.initiatives.models import Initiative
from pacer.initiatives.services import InitiativeSpec
from tests.factories import World
from tests.web.test_browser_accessibility import check, report
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sample_initiative(world: World, *, with_task: bool = True) -> Initiative:
    """ "Roll out onboarding" behind `adoption` (made once), for the pages that show work."""
    found = Initiative.objects.filter(organization=world.org, title="Roll out onboarding").first()
    if found is not None:
        return found
    spec = InitiativeSpec(
        title="Roll out onboarding",
        owner=world.owner,
        team=world.team,
        key_results=[world.adoption],
    )
    initiative = services.initiative_create(cycle=world.cycle, spec=spec)
    if with_task:
        services.task_create(initiative=initiative, title="Draft the guide", assignee=world.owner)
    return initiative


def test_from_focus_to_work_add_and_tick_a_task_and_move_a_card_by_keyboard_and_mouse(
    page: Page, live_server: Any, world: World
) -> None:
    rollout = sample_initiative(world, with_task=False)
    world.owner.set_password("pw")
    world.owner.save()
    sign_in(page, live_server, world.owner, then="/")
    found: list[str] = []

    # My focus → Work (the main navigation) → the initiative.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Work").click()
    expect(page.get_by_role("heading", name="Work in 2026-Q2")).to_be_visible()
    check(page, "work list", found)
    page.get_by_role("link", name="Roll out onboarding").click()
    expect(page.get_by_role("heading", name="Roll out onboarding", level=1)).to_be_visible()

    # Add a task (an empty title first: named at its field, nothing added), then tick it.
    page.get_by_role("button", name="Add task").click()
    expect(page.locator(".error-summary").get_by_role("link")).to_contain_text("Task")
    page.get_by_label("Task", exact=True).fill("Write the guide")
    page.get_by_role("button", name="Add task").click()
    expect(page.get_by_text("Added the task “Write the guide”.")).to_be_visible()
    check(page, "initiative page with a task", found)
    page.get_by_role("button", name="Mark “Write the guide” done").click()
    expect(page.get_by_role("button", name="Mark “Write the guide” not done")).to_be_visible()
    expect(page.locator("#tasks-progress strong")).to_have_text("100%")

    # The board: move the card from Planned to In progress with the keyboard alone.
    page.get_by_role("link", name="← Work in 2026-Q2").click()
    page.get_by_role("navigation", name="View").get_by_role("link", name="Board").click()
    planned = page.locator("section.board-column").filter(has_text="Planned")
    expect(planned.get_by_role("link", name="Roll out onboarding")).to_be_visible()
    check(page, "work board", found)
    page.get_by_label("Move “Roll out onboarding” to").focus()
    page.keyboard.press("ArrowDown")  # Planned → In progress
    page.keyboard.press("Tab")  # to the card's Move button
    expect(page.get_by_role("button", name="Move “Roll out onboarding”")).to_be_focused()
    page.keyboard.press("Enter")
    moving = page.locator("#column-in_progress").locator("xpath=..")
    expect(moving.get_by_role("link", name="Roll out onboarding")).to_be_visible()
    expect(page.get_by_role("button", name="Move “Roll out onboarding”")).to_be_focused()
    rollout.refresh_from_db()
    assert rollout.status == "in_progress"

    # And with the mouse: drag the card onto the Blocked column.
    blocked = page.locator("section.board-column[data-status='blocked']")
    page.locator(f"#card-{rollout.pk}").drag_to(blocked)
    expect(blocked.get_by_role("link", name="Roll out onboarding")).to_be_visible()
    rollout.refresh_from_db()
    assert rollout.status == "blocked"

    # The timeline: the same work as bars across the cycle, and back to its initiative.
    page.get_by_role("navigation", name="View").get_by_role("link", name="Timeline").click()
    expect(page.get_by_role("img", name="Timeline of the work in 2026-Q2")).to_be_visible()
    expect(page.locator("svg .tl-bar.blocked").first).to_be_visible()
    check(page, "work timeline", found)

    # The objective page shows the work under the key result it supports.
    page.get_by_role("link", name="Roll out onboarding").click()
    page.get_by_role("region", name="Supports").get_by_role("link").first.click()
    row = page.locator(f"#kr-{world.adoption.pk}")
    expect(row.get_by_role("link", name="Roll out onboarding")).to_be_visible()
    expect(row).to_contain_text("Blocked")
    expect(row.get_by_role("link", name="Add initiative")).to_be_visible()
    assert found == [], report(found)
