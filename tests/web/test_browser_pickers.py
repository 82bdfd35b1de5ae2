"""The searchable person picker (pacer/web/pickers.py) in a real browser, by clicking from
`/`: a new team's "Add a member" lists only the first matches; typing in its search box
swaps in the matches by htmx (no reload, nothing saved), and without JavaScript the "Find"
button does the same by sending the form back.

The people come from the objective page tests' `world` (`admin`, password "pw"), plus 30
people named "Aaron …" who fill the first places, so "Yolanda" is not shown at first.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from pacer.okrs.models import Membership, Team
from tests.web.test_browser_teams import start_at_home
from tests.web.test_objective_pages import World, make_person, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["world"]


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False)
    try:
        yield context.new_page()
    finally:
        context.close()


def new_team_with_many_people(page: Page, live_server: Any, world: World) -> None:
    """30 "Aaron" people and Yolanda; the admin creates the team Mobile: its edit page."""
    for i in range(30):
        make_person(world.organization, f"Aaron{i:02}")
    make_person(world.organization, "Yolanda")
    start_at_home(page, live_server, world.admin)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Teams").click()
    page.get_by_role("link", name="New team", exact=True).click()
    page.get_by_label("Name", exact=True).fill("Mobile")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_text("Created the team Mobile. Add its members below.")).to_be_visible()


def add_yolanda(page: Page) -> None:
    page.get_by_label("Person").select_option(label="Yolanda (yolanda@example.com)")
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_text("Yolanda is now a member of Mobile.")).to_be_visible()
    mobile = Team.objects.get(name="Mobile")
    assert list(Membership.objects.filter(team=mobile).values_list("person__name", flat=True)) == [
        "Yolanda"
    ]


def test_typing_in_the_person_picker_swaps_in_the_matches(
    page: Page, live_server: Any, world: World
) -> None:
    new_team_with_many_people(page, live_server, world)
    page.evaluate("window.notReloaded = true")
    person = page.get_by_label("Person")
    yolanda = person.locator("option", has_text="Yolanda")
    expect(yolanda).to_have_count(0)  # 20 first matches, all "Aaron …"
    expect(person.locator("option", has_text="Aaron")).to_have_count(20)
    page.get_by_label("Find by name or email").fill("yol")
    expect(yolanda).to_have_count(1)
    expect(person.locator("option", has_text="Aaron")).to_have_count(0)
    expect(page.get_by_label("Find by name or email")).to_be_focused()
    assert page.evaluate("window.notReloaded") is True
    assert not Membership.objects.filter(team__name="Mobile").exists()
    add_yolanda(page)


def test_find_without_javascript_sends_the_form_back(
    no_js_page: Page, live_server: Any, world: World
) -> None:
    page = no_js_page
    new_team_with_many_people(page, live_server, world)
    expect(page.get_by_label("Person").locator("option", has_text="Yolanda")).to_have_count(0)
    page.get_by_label("Find by name or email").fill("yolanda")
    page.locator("#members").get_by_role("button", name="Find").click()
    expect(page.get_by_label("Find by name or email")).to_have_value("yolanda")
    expect(page.get_by_label("Person").locator("option", has_text="Yolanda")).to_have_count(1)
    assert not Membership.objects.filter(team__name="Mobile").exists()
    add_yolanda(page)
