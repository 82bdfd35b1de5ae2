"""A key result fed by a data source, in a real browser reached by clicking from `/`: the
objective, its key result's edit page, Data source; a Preview of an HTTP source (the test's
receiver on 127.0.0.1, allowed by the `http_receiver` fixture's settings, which the live
server shares), Save, Run now, and the check-in in the sync log; axe-core checks the page."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pacer.okrs.models import CheckIn
from tests.factories import World
from tests.web.test_browser_accessibility import check, report
from tests.web.test_browser_flows import sign_in
from tests.web.test_browser_key_results import key_result_row, open_objective

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_feed_a_key_result_from_an_http_source_by_clicking(
    page: Page, live_server: Any, world: World, http_receiver: Any
) -> None:
    http_receiver.documents["/adoption"] = (200, b'{"data": {"adoption": 57.5}}')
    world.owner.set_password("pw")
    world.owner.save()
    sign_in(page, live_server, world.owner, then="/")

    open_objective(page, world)
    key_result_row(page, "Adoption").get_by_role("link", name="Edit", exact=True).click()
    page.get_by_role("link", name="Data source").click()
    expect(page.get_by_role("heading", name="Data source of “Adoption”")).to_be_visible()
    page.get_by_label("HTTP JSON").check()
    page.get_by_label("URL", exact=True).fill(f"{http_receiver.url}/adoption")
    page.get_by_label("JSONPath").fill("$.data.nothing")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#id_jsonpath_error")).to_contain_text("matches nothing")
    found: list[str] = []
    check(page, "data source with an error", found)

    page.get_by_label("JSONPath").fill("$.data.adoption")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview")).to_contain_text("Preview: 57.5")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").or_(page.locator(".message")).first).to_contain_text(
        "Saved the data source"
    )
    page.get_by_role("button", name="Run now").click()
    log = page.locator("#sync-log")
    expect(log).to_contain_text("check-in written")
    expect(log).to_contain_text("57.5")
    check(page, "data source with its log", found)
    assert not found, report(found)

    log.get_by_role("link", name="Check-in of").click()
    row = key_result_row(page, "Adoption")
    expect(row).to_contain_text("from HTTP JSON · last synced")
    expect(row.locator(".history-list")).to_contain_text("From GET")
    assert CheckIn.objects.filter(author=None, value=57.5).count() == 1
