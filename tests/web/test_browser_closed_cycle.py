"""A closed cycle in a real browser, reached by clicking from `/`: its overview counts met and
not met, and its objective shows the final score, its colour and the result, with no status
and no expected pace.

The shared world (tests.factories): 2026-Q2 holds "Deliver faster" (aspirational) whose metric
"Adoption" runs 0 -> 90 % and holds one check-in of 30 (score 0.3, red: not met). Here the
quarter is closed, and the owner overrode the final score to 0.7 with a reason.
"""

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pacer.okrs import services
from pacer.okrs.models import Objective
from tests.factories import World
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_home_to_a_closed_cycles_objective_shows_its_final_score(
    page: Page, live_server: Any, world: World
) -> None:
    services.cycle_close(cycle=world.cycle)
    Objective.objects.filter(pk=world.public.pk).update(
        score_override=Decimal("0.7"), override_reason="The rest shipped in July"
    )
    world.owner.set_password("pw")
    world.owner.save()
    sign_in(page, live_server, world.owner, then="/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cycles").click()
    page.get_by_role("link", name=world.cycle.name, exact=True).click()
    expect(page.get_by_role("heading", name=world.cycle.name, level=1)).to_be_visible()
    counts = page.get_by_role("list", name="Objectives met and not met")
    expect(counts).to_contain_text("Met 1")
    expect(page.get_by_label("Status")).to_have_count(0)  # no status filter once closed

    page.get_by_role("link", name="Deliver faster").click()
    header = page.locator("#objective-header")
    expect(header.get_by_test_id("final-score")).to_have_text("0.7")
    expect(header.locator(".score.green")).to_have_text("0.7")
    expect(header.get_by_text("Met", exact=True)).to_be_visible()
    expect(header).to_contain_text("computed 0.3")
    expect(header).not_to_contain_text("expected")
    expect(page.locator(".bar .expected")).to_have_count(0)
    expect(page.locator("svg polyline.pace")).to_have_count(0)
    expect(page.locator(".chip.on_track, .chip.at_risk, .chip.off_track")).to_have_count(0)
    expect(page.get_by_test_id("pace-legend")).to_have_count(0)
