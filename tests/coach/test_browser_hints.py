"""The coach in a real browser, reached by clicking from `/`: a task-like yes/no key result
typed on the New objective form gets its hint without a page reload (htmx), and the form
still creates the objective; an admin finds "Lint rules" in Settings. The hints, the Lint
rules page and a planned cycle's plan scores have no serious WCAG violation (axe) and fit
320 px.

The shared world (tests.factories): `owner` leads the platform team; `admin` administers
Acme.
"""

from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from pacer.accounts.models import User
from pacer.okrs.models import Objective
from tests.coach.test_plan_score import badly_formed, well_formed
from tests.factories import World, make_cycle
from tests.web.test_browser_accessibility import check, report, too_wide_at_320_px
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def with_password(person: User) -> User:
    person.set_password("pw")
    person.save()
    return person


def test_a_hint_appears_as_a_key_result_is_typed(
    page: Page, live_server: Any, world: World
) -> None:
    sign_in(page, live_server, with_password(world.owner), then="/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New objective").click()
    expect(page.get_by_role("heading", name="New objective", level=1)).to_be_visible()
    page.evaluate("window.notReloaded = true")

    page.get_by_label("Title", exact=True).first.fill("Grow the community")
    block = page.locator("#kr-block-0")
    block.get_by_label("Type").select_option("boolean")
    block.get_by_label("Title").fill("Launch the new website")

    hints = page.get_by_role("region", name="Coach hints")
    expect(hints).to_contain_text("“Launch the new website” reads like an activity")
    expect(hints).to_contain_text("Write what changes once the work is done, as a number.")
    expect(page.locator("#coach-hints")).to_have_attribute("aria-live", "polite")
    assert page.evaluate("window.notReloaded") is True

    # Advice only: the objective is created as it is.
    page.get_by_role("button", name="Create objective").click()
    expect(page.get_by_text("Created “Grow the community”.")).to_be_visible()
    [kr] = Objective.objects.get(title="Grow the community").key_results.all()
    assert (kr.title, kr.type) == ("Launch the new website", "boolean")


def test_an_admin_opens_the_lint_rules_from_settings(
    page: Page, live_server: Any, world: World
) -> None:
    sign_in(page, live_server, with_password(world.admin), then="/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Lint rules").click()
    expect(page.get_by_role("heading", name="Lint rules", level=1)).to_be_visible()
    page.get_by_label("unaligned: on").uncheck()
    page.get_by_label("too-many-objectives: threshold").fill("3")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved the lint rules.")).to_be_visible()
    expect(page.get_by_label("unaligned: on")).not_to_be_checked()
    expect(page.get_by_label("too-many-objectives: threshold")).to_have_value("3")


def test_the_coachs_pages_pass_axe(page: Page, live_server: Any, world: World) -> None:
    planned = make_cycle(
        world.org, "2027-q1", date(2027, 1, 1), date(2027, 3, 31), state="planning"
    )
    well_formed(planned, "good", world.owner, team=world.team)
    badly_formed(planned, "bad", world.teammate)
    sign_in(page, live_server, with_password(world.admin), then="/")
    found: list[str] = []
    overview = reverse("cycle_overview", args=[planned.ref])
    for label, url in [
        ("lint rules", reverse("lint_rule_settings")),
        ("planned cycle with plan scores", overview),
    ]:
        page.goto(f"{live_server.url}{url}")
        check(page, label, found)
        found += too_wide_at_320_px(page, label)
    page.goto(f"{live_server.url}{overview}")
    page.locator("summary[data-testid=plan-score]").click()  # the rules it does not pass
    expect(page.get_by_text("Passes 8 of 12 rules; not:")).to_be_visible()
    check(page, "plan score opened", found)
    page.goto(f"{live_server.url}{reverse('objective_edit', args=[world.public.ref])}")
    expect(page.locator("#coach-hints")).to_contain_text("1 key result (fewer than 2)")
    check(page, "edit objective with hints", found)
    assert found == [], report(found)
