"""The Download menu in a real browser: from `/` to the cycle overview, then Excel."""

from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.factories import World
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_download_a_cycle_report_from_the_cycle_overview(
    page: Page, live_server: Any, world: World
) -> None:
    world.teammate.set_password("pw")
    world.teammate.save()
    sign_in(page, live_server, world.teammate, then="/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cycles").click()
    page.get_by_role("link", name=world.cycle.name, exact=True).click()
    expect(page.get_by_role("heading", name=world.cycle.name, level=1)).to_be_visible()
    page.locator("summary", has_text="Download").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="Excel (.xlsx)").click()
    download = info.value
    assert download.suggested_filename == f"pacer-{world.cycle.ref}.xlsx"
    book = load_workbook(BytesIO(download.path().read_bytes()))
    titles = {row[1] for row in book["Objectives"].iter_rows(min_row=2, values_only=True)}
    assert world.public.title in titles
    assert world.private.title in titles  # the teammate is in the owning team
