"""A whole quarter run in a real browser, from `/` by clicking only (issue 11): no URL is typed
after the sign-in page.

An admin creates an objective with a metric, a milestones key result and a linked one (an
error in the third block shows in the summary at the top first), gives the milestones key
result three milestones, edits the metric's target, deletes the linked key result, creates a
cycle and a team, adds a member to the team, plans the next cycle copying the new objective,
and closes the quarter through its confirmation.

The shared world (tests.factories): Acme's admin; the platform team (owner, teammate);
2026-Q2 (1 April to 30 June, active) holds "Deliver faster".
"""

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pacer.okrs.models import Cycle, Membership, Objective, Team
from tests.factories import World
from tests.web.test_browser_cycles import sign_in_admin
from tests.web.test_browser_key_results import key_result_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Run the quarter in Pacer"


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def create_the_objective(page: Page, world: World) -> Objective:
    nav(page, "New objective")
    expect(page.get_by_role("heading", name="New objective", level=1)).to_be_visible()
    page.get_by_label("Title", exact=True).first.fill(TITLE)

    metric = page.locator("#kr-block-0")
    metric.get_by_label("Title").fill("Weekly active teams")
    metric.get_by_label("Start", exact=True).fill("10")
    metric.get_by_label("Target", exact=True).fill("40")

    page.get_by_role("button", name="Add key result").click()
    milestones = page.locator("#kr-block-1")
    milestones.get_by_label("Title").fill("Launch plan")
    milestones.get_by_label("Type").select_option("milestones")
    expect(milestones.get_by_label("Start", exact=True)).to_have_count(0)

    page.get_by_role("button", name="Add key result").click()
    linked = page.locator("#kr-block-2")
    linked.get_by_label("Title").fill("Delivery follows")
    linked.get_by_label("Type").select_option("linked")
    expect(linked.get_by_label("Objective it follows")).to_be_visible()

    # The third block lacks the objective it follows: the summary at the top says so.
    page.get_by_role("button", name="Create objective").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Key result 3")
    summary.get_by_role("link").first.click()
    picker = page.locator("#kr-block-2").get_by_label("Objective it follows")
    expect(picker).to_be_focused()
    picker.select_option(str(world.public.pk))
    page.get_by_role("button", name="Create objective").click()

    expect(page.get_by_text(f"Created “{TITLE}”.")).to_be_visible()
    objective = Objective.objects.get(title=TITLE)
    kinds = [(kr.title, kr.type) for kr in objective.key_results.order_by("position")]
    assert kinds == [
        ("Weekly active teams", "metric"),
        ("Launch plan", "milestones"),
        ("Delivery follows", "linked"),
    ]
    return objective


def add_three_milestones(page: Page) -> None:
    key_result_row(page, "Launch plan").get_by_role("link", name="Edit", exact=True).click()
    for title in ("Pilot", "Beta", "General availability"):
        page.get_by_label("Milestone", exact=True).fill(title)
        page.get_by_role("button", name="Add milestone").click()
        expect(page.get_by_text(f"Added the milestone “{title}”.")).to_be_visible()
    page.get_by_role("link", name=f"← {TITLE}").click()


def edit_the_target(page: Page) -> None:
    key_result_row(page, "Weekly active teams").get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Target", exact=True).fill("50")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()


def delete_the_linked_key_result(page: Page) -> None:
    key_result_row(page, "Delivery follows").get_by_role("link", name="Edit", exact=True).click()
    page.get_by_role("link", name="Delete key result").click()
    expect(
        page.get_by_role("heading", name="Delete the key result “Delivery follows”?")
    ).to_be_visible()
    page.get_by_role("button", name="Delete key result").click()
    expect(page.get_by_text("Deleted the key result “Delivery follows”.")).to_be_visible()
    expect(key_result_row(page, "Delivery follows")).to_have_count(0)


def create_a_cycle(page: Page) -> None:
    nav(page, "Cycles")
    page.get_by_role("link", name="New cycle").click()
    page.get_by_label("Name").fill("Company 2027")
    page.get_by_label("Start").fill("2027-01-01")
    page.get_by_label("End").fill("2027-12-31")
    page.get_by_role("button", name="Create cycle").click()
    expect(page.get_by_text("Created Company 2027.")).to_be_visible()


def create_a_team_with_a_member(page: Page) -> None:
    nav(page, "Teams")
    page.get_by_role("link", name="New team", exact=True).click()
    page.get_by_label("Name", exact=True).fill("Growth")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_text("Created the team Growth. Add its members below.")).to_be_visible()
    page.get_by_label("Person").select_option(label="Teammate (teammate@acme.test)")
    page.get_by_role("button", name="Add member").click()
    expect(page.locator("#members tbody tr")).to_have_count(1)


def plan_the_next_cycle(page: Page, world: World) -> None:
    nav(page, "Cycles")
    page.get_by_role("link", name=world.cycle.name, exact=True).click()
    page.get_by_role("link", name="Plan next cycle").click()
    page.get_by_label(TITLE).check()
    page.get_by_role("button", name="Plan 2026 Q3").click()
    expect(
        page.get_by_text("Created 2026 Q3 (planning) and copied 1 objective into it.")
    ).to_be_visible()


def close_the_quarter(page: Page, world: World) -> None:
    nav(page, "Cycles")
    page.get_by_role("link", name=world.cycle.name, exact=True).click()
    page.get_by_role("link", name="Close cycle").click()
    close = f"Close {world.cycle.name}"
    page.get_by_role("button", name=close).click()  # not confirmed: nothing closes
    expect(page.get_by_role("alert")).to_contain_text("nothing was closed")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name=close).click()
    expect(
        page.get_by_text(f"{world.cycle.name} is closed; its scores are frozen.")
    ).to_be_visible()


def test_run_a_quarter_from_the_home_page_by_clicking_only(
    page: Page, live_server: Any, world: World
) -> None:
    sign_in_admin(page, live_server, world)
    objective = create_the_objective(page, world)
    add_three_milestones(page)
    edit_the_target(page)
    delete_the_linked_key_result(page)
    create_a_cycle(page)
    create_a_team_with_a_member(page)
    plan_the_next_cycle(page, world)
    close_the_quarter(page, world)

    metric, launch = objective.key_results.order_by("position")
    assert metric.target == Decimal(50)
    assert [m.title for m in launch.milestones.order_by("position")] == [
        "Pilot",
        "Beta",
        "General availability",
    ]
    assert Cycle.objects.get(name="Company 2027").state == "planning"
    growth = Team.objects.get(name="Growth")
    assert list(Membership.objects.filter(team=growth).values_list("person", flat=True)) == [
        world.teammate.pk
    ]
    copy = Objective.objects.get(title=TITLE, cycle__ref="2026-q3")
    assert [kr.title for kr in copy.key_results.order_by("position")] == [
        "Weekly active teams",
        "Launch plan",
    ]
    assert Cycle.objects.get(pk=world.cycle.pk).is_closed
