"""Long unbroken words wrap (overflow-wrap: anywhere): a 300-character title and a long note
do not widen the weekly check-in, the objective page or the cycle overview, reached by
clicking from `/`.

The shared world (tests.factories): Acme's `owner` leads the platform team, whose public
objective "Deliver faster" (2026-Q2, active) holds the metric "adoption".
"""

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.factories import World, check_in, make_key_result
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 1000
LONG = "W" * 300  # the longest title a key result may have, in one word


def page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def widest_table(page: Page) -> int:
    """How far the widest table reaches past its box (0: it fits)."""
    return int(
        page.evaluate(
            """Math.max(0, ...[...document.querySelectorAll('.table-wrap')]
                 .map(wrap => wrap.scrollWidth - wrap.clientWidth))"""
        )
    )


def test_a_300_character_title_wraps_on_checkin_objective_and_cycle_pages(
    page: Page, live_server: Any, world: World
) -> None:
    world.public.title = "Deliver " + LONG[:290]
    world.public.save()
    long = make_key_result(world.public, "long", title=LONG, target=10)
    check_in(long, 5, date(2026, 5, 4), note="see " + "x" * 250)
    world.owner.set_password("pw")
    world.owner.save()
    page.set_viewport_size({"width": WIDTH, "height": 800})
    sign_in(page, live_server, world.owner, then="/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Weekly check-in").click()
    expect(page.get_by_role("heading", name="Weekly check-in")).to_be_visible()
    expect(page.get_by_role("link", name=LONG)).to_be_visible()
    assert page_width(page) <= WIDTH
    assert widest_table(page) == 0

    page.get_by_role("link", name=LONG).click()
    expect(page.get_by_role("heading", name=world.public.title)).to_be_visible()
    assert page_width(page) <= WIDTH
    assert widest_table(page) == 0

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cycles").click()
    page.get_by_role("link", name=world.cycle.name, exact=True).click()
    expect(page.get_by_role("link", name=world.public.title).first).to_be_visible()
    assert page_width(page) <= WIDTH
    assert widest_table(page) == 0


def test_the_stylesheet_wraps_long_words() -> None:
    from django.contrib.staticfiles import finders

    found = finders.find("pacer/pacer.css")
    assert found is not None
    with open(found) as css:
        assert "overflow-wrap: anywhere" in css.read()
