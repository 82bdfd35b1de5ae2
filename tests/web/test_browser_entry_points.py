"""Entry points in a real browser, reached by clicking from `/` (no typed URLs after signing
in): New objective in the navigation, from a team page (team pre-filled) and Add child
objective (parent pre-filled); Close cycle from the cycle overview through its
confirmation, then reopen it.

The shared world (tests.factories): Acme's admin; the platform team; 2026-Q2 (1 April to
30 June, active) holds "Deliver faster" with the key result "Adoption".
"""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pacer.okrs.models import Cycle
from tests.factories import World, make_cycle, make_key_result, make_objective
from tests.web.test_browser_cycles import sign_in_admin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_objective_from_the_navigation_a_team_and_an_objective(
    page: Page, live_server: Any, world: World
) -> None:
    sign_in_admin(page, live_server, world)
    nav = page.get_by_role("navigation", name="Main")

    nav.get_by_role("link", name="New objective").click()
    expect(page.get_by_role("heading", name="New objective")).to_be_visible()
    expect(page.locator("#id_title")).to_be_visible()

    nav.get_by_role("link", name="Teams").click()
    page.get_by_role("link", name=world.team.name, exact=True).first.click()
    page.locator("main").get_by_role("link", name="New objective").click()
    expect(page.get_by_role("heading", name="New objective")).to_be_visible()
    expect(page.locator("select[name=team]")).to_have_value(str(world.team.pk))

    nav.get_by_role("link", name="Cycles").click()
    page.get_by_role("link", name=world.cycle.name, exact=True).click()
    page.locator("#cycle-results").get_by_role("link", name="Deliver faster").click()
    page.get_by_role("link", name="Add child objective").click()
    expect(page.get_by_role("heading", name="New objective")).to_be_visible()
    expect(page.locator("select[name=parents]")).to_have_values([str(world.public.pk)])


def test_close_a_cycle_through_its_confirmation_then_reopen_it(
    page: Page, live_server: Any, world: World
) -> None:
    today = timezone.localdate()
    running = make_cycle(world.org, "running", today - timedelta(days=30), today + timedelta(30))
    goal = make_objective(running, "goal", world.owner, team=world.team, title="Grow")
    make_key_result(goal, "signups", title="Signups", target=100)
    sign_in_admin(page, live_server, world)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cycles").click()
    page.get_by_role("link", name="RUNNING", exact=True).click()
    page.get_by_role("link", name="Close cycle").click()
    expect(page.get_by_role("heading", name="Close RUNNING", level=1)).to_be_visible()
    confirm = page.locator("#close-confirm")
    expect(confirm).to_contain_text("freezes the scores of 1 objective and 1 key result")
    expect(confirm).to_contain_text("RUNNING has not ended yet")

    # Without the tick nothing closes.
    page.get_by_role("button", name="Close RUNNING").click()
    expect(page.get_by_role("alert")).to_contain_text("nothing was closed")
    assert not Cycle.objects.get(pk=running.pk).is_closed

    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Close RUNNING").click()
    expect(page.get_by_text("RUNNING is closed; its scores are frozen.")).to_be_visible()
    assert Cycle.objects.get(pk=running.pk).is_closed

    # Reopen, from the overview.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cycles").click()
    page.get_by_role("link", name="RUNNING", exact=True).click()
    page.get_by_role("link", name="Reopen cycle").click()
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Reopen RUNNING").click()
    expect(page.get_by_text("RUNNING is open again")).to_be_visible()
    expect(page.get_by_role("link", name="Close cycle")).to_be_visible()
    assert Cycle.objects.get(pk=running.pk).state == "active"
