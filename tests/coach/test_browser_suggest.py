"""Suggested parents on the new objective form, in a real browser, by clicking from `/`:
typing a title close to a company objective shows it under the parents picker with the
words it shares (htmx, no reload); "Use as parent" picks it; the saved objective supports it.

The shared world (tests.factories): `owner` is in the platform team; 2026-Q2 is active. The
company objective "Raise client satisfaction" is added here, with a distractor.
"""

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from pacer.okrs.models import Objective
from tests.factories import World, make_key_result, make_objective
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_suggested_parent_is_used_and_saved(page: Page, live_server: Any, world: World) -> None:
    company = make_objective(world.cycle, "csat", world.admin, title="Raise client satisfaction")
    make_key_result(company, "csat-score", title="Client satisfaction from 70 to 85")
    make_objective(world.cycle, "hiring", world.admin, title="Hire a strong support team")
    world.owner.set_password("pw")
    world.owner.save()
    sign_in(page, live_server, world.owner, then="/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New objective").click()
    expect(page.get_by_role("heading", name="New objective", level=1)).to_be_visible()
    page.evaluate("window.notReloaded = true")

    panel = page.locator("#parent-suggestions")
    expect(panel).to_be_empty()  # nothing typed, nothing said
    page.get_by_label("Title", exact=True).first.fill("Lift client satisfaction in support")
    expect(panel.get_by_role("heading", name="Suggested parents")).to_be_visible()
    first = panel.get_by_role("listitem").first
    expect(first.get_by_role("link", name="Raise client satisfaction")).to_be_visible()
    expect(first).to_contain_text("shares: client satisfaction")

    first.get_by_role("button", name="Use as parent").click()
    expect(first).to_contain_text("Chosen as a parent")
    parents = page.locator("select[name=parents]")
    expect(parents).to_have_values([str(company.pk)])
    assert page.evaluate("window.notReloaded") is True

    key_result = page.locator("#kr-block-0")
    key_result.get_by_label("Title").fill("CSAT from support tickets")
    key_result.get_by_label("Start", exact=True).fill("70")
    key_result.get_by_label("Target", exact=True).fill("90")
    page.get_by_role("button", name="Create objective").click()
    expect(page.get_by_text("Created “Lift client satisfaction in support”.")).to_be_visible()
    supports = page.locator("section[aria-labelledby=parents-heading]")
    expect(supports.get_by_role("link", name="Raise client satisfaction")).to_be_visible()
    created = Objective.objects.get(title="Lift client satisfaction in support")
    assert list(created.parents.all()) == [company]


def test_without_javascript_the_form_works_and_the_panel_stays_empty(
    browser: Browser, live_server: Any, world: World
) -> None:
    make_objective(world.cycle, "csat", world.admin, title="Raise client satisfaction")
    world.owner.set_password("pw")
    world.owner.save()
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server, world.owner, then="/objectives/new/")
        page.get_by_label("Title", exact=True).first.fill("Lift client satisfaction")
        expect(page.locator("#parent-suggestions")).to_be_empty()
        page.get_by_role("button", name="Create objective").last.click()
        expect(page.get_by_text("Created “Lift client satisfaction”.")).to_be_visible()
    finally:
        context.close()
    assert not Objective.objects.get(title="Lift client satisfaction").parents.exists()
