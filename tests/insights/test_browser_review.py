"""The quarterly review and a calibration page in a real browser, reached by clicking from
`/` (axe-core checks both: WCAG 2.1 AA, no serious or critical violation)."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pacer.okrs import services
from pacer.okrs.models import CheckIn
from tests.factories import World
from tests.web.test_browser_accessibility import check, report
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_focus_to_a_cycles_review_and_a_teammates_calibration(
    page: Page, live_server: Any, world: World
) -> None:
    CheckIn.objects.filter(key_result=world.adoption).update(confidence="on_track")
    services.cycle_close(cycle=world.cycle)
    world.owner.set_password("pw")
    world.owner.save()
    sign_in(page, live_server, world.owner, then="/")
    found: list[str] = []

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cycles").click()
    page.get_by_role("link", name=world.cycle.name, exact=True).click()
    page.get_by_role("link", name="Review", exact=True).click()
    expect(page.get_by_role("heading", name=f"Review of {world.cycle.name}")).to_be_visible()
    expect(page.get_by_role("heading", name="Scores by team")).to_be_visible()
    check(page, "review", found)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_role("link", name="Calibration of Owner").click()
    expect(page.get_by_role("heading", name="Calibration of Owner")).to_be_visible()
    expect(page.get_by_test_id("brier")).to_have_text("0.810")
    check(page, "calibration", found)
    assert not found, report(found)
