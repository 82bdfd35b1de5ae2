"""Search in a real browser, from `/` by the navigation's box: typing a word and pressing
Enter lists what the person may see, grouped by kind; a result leads to its page; typing on
the results page updates them without a reload (htmx).

The shared world (tests.factories): the outsider (in no team) sees Acme's public objective
"Deliver faster" with its key result "Adoption", not the private "Buy Initech".
"""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.factories import World
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_from_the_navigation_and_open_a_result(
    page: Page, live_server: Any, world: World
) -> None:
    world.outsider.set_password("pw")
    world.outsider.save()
    sign_in(page, live_server, world.outsider, then="/")

    box = page.get_by_role("search").get_by_role("searchbox", name="Search")
    box.fill("initech")
    box.press("Enter")
    expect(page.get_by_role("heading", name="Search", exact=True)).to_be_visible()
    expect(page.locator("#search-results")).to_contain_text("Nothing found for “initech”.")

    # On the results page, typing updates the results in place.
    field = page.locator("main").get_by_role("searchbox", name="Search")
    field.fill("deliver")
    results = page.locator("#search-results")
    expect(results.get_by_role("heading", name="Objectives")).to_be_visible()
    expect(results).not_to_contain_text("Buy Initech")

    page.get_by_role("navigation", name="Main").get_by_role("searchbox").fill("adopt")
    page.get_by_role("navigation", name="Main").get_by_role("searchbox").press("Enter")
    results = page.locator("#search-results")
    expect(results.get_by_role("heading", name="Key results")).to_be_visible()
    results.get_by_role("link", name="Adoption").click()
    expect(page.get_by_role("heading", name="Deliver faster")).to_be_visible()
    assert page.url.endswith(f"/objectives/{world.public.ref}/#kr-{world.adoption.pk}")
