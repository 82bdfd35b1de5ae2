"""The weekly check-in in a real browser, reached from `/` by clicking: what awaits me comes
first, the rest is folded; a confidence-only update keeps the value; a value far outside the
key result's range asks for confirmation, then saves.

Run with `pytest -m browser`; the `page` fixture comes from tests/conftest.py.
"""

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pacer.okrs import services
from pacer.okrs.models import CheckIn
from tests.web.test_browser_flows import sign_in
from tests.web.test_objective_pages import World, make_kr, make_objective, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["world"]  # the fixture, shared with the objective page tests


def test_weekly_checkin_awaiting_first_confidence_only_and_a_far_value(
    page: Page, live_server: Any, world: World
) -> None:
    mine = make_objective(world, "Grow adoption")
    adoption = make_kr(mine, "Adoption", target=Decimal(80))
    reach = make_kr(mine, "Reach")
    last_week = timezone.now() - timedelta(days=8)
    services.checkin_create(key_result=reach, value=Decimal(40), author=None, at=last_week)
    team_kr = make_kr(make_objective(world, "Team goal", owner=world.teammate), "Team KR")
    sign_in(page, live_server, world.owner, then="/")

    awaiting_on_focus = page.locator("#awaiting-heading .count").inner_text()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Weekly check-in").click()
    expect(page.get_by_role("heading", name="Weekly check-in")).to_be_visible()
    awaiting = page.locator("section", has=page.locator("#awaiting-heading"))
    expect(page.locator("#awaiting-heading .count")).to_have_text(awaiting_on_focus)
    assert awaiting_on_focus == "2"
    expect(awaiting.get_by_role("link", name="Adoption")).to_be_visible()
    expect(awaiting.get_by_role("link", name="Reach")).to_be_visible()
    headings = page.locator("h2").all_inner_texts()
    assert headings.index(next(h for h in headings if h.startswith("Awaiting"))) < headings.index(
        next(h for h in headings if h.startswith("The rest"))
    )
    rest = page.locator("details.checkin-rest")
    expect(page.get_by_role("link", name="Team KR")).to_be_hidden()  # folded
    rest.locator("summary").click()
    expect(page.get_by_role("link", name="Team KR")).to_be_visible()
    expect(rest.get_by_role("cell", name=world.teammate.name)).to_be_visible()  # owner

    # Only a confidence: the value stays what it was.
    page.get_by_role("combobox", name="Confidence for Reach").select_option("at_risk")
    page.get_by_role("button", name="Save all check-ins").click()
    expect(page.get_by_text("Saved 1 check-in.")).to_be_visible()
    latest = CheckIn.objects.filter(key_result=reach).latest("at")
    assert (latest.value, latest.confidence) == (Decimal(40), "at_risk")
    expect(page.locator("#awaiting-heading .count")).to_have_text("1")

    # 1e9 on a 0 → 80 % key result: asked to confirm, nothing saved until then.
    page.get_by_role("spinbutton", name="Value for Adoption").fill("1e9")
    page.get_by_role("button", name="Save all check-ins").click()
    expect(page.get_by_text("is far outside this key result's range")).to_be_visible()
    confirm = page.get_by_role("checkbox", name=re.compile(r"^Yes, save .* anyway$"))
    expect(confirm).to_be_visible()
    assert not CheckIn.objects.filter(key_result=adoption).exists()
    expect(page.get_by_role("spinbutton", name="Value for Adoption")).to_have_value("1e9")
    confirm.check()
    page.get_by_role("button", name="Save all check-ins").click()
    expect(page.get_by_text("Saved 1 check-in.")).to_be_visible()
    assert CheckIn.objects.get(key_result=adoption).value == Decimal("1e9")
    assert not CheckIn.objects.filter(key_result=team_kr).exists()
