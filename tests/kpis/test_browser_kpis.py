"""KPIs in a real browser, reached by clicking from `/`: the main navigation's KPIs, a
KPI's page with its chart, a value refused at its field and then added (status and chart
follow). axe-core checks the pages on the way (WCAG 2.1 AA, no serious or critical
violation; no sideways scrolling at 320 px)."""

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pacer.kpis import services
from pacer.kpis.services import KPISpec
from tests.factories import World
from tests.web.test_browser_accessibility import check, report, too_wide_at_320_px
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_home_to_a_kpi_and_add_a_value(page: Page, live_server: Any, world: World) -> None:
    spec = KPISpec(
        name="Uptime", owner=world.owner, kind="stay_above", unit="%", threshold=Decimal("99.9")
    )
    services.kpi_create(organization=world.org, spec=spec)
    world.owner.set_password("pw")
    world.owner.save()
    sign_in(page, live_server, world.owner, then="/")
    found: list[str] = []

    page.get_by_role("navigation", name="Main").get_by_role("link", name="KPIs").click()
    expect(page.get_by_role("heading", name="KPIs", level=1)).to_be_visible()
    check(page, "KPI list", found)
    found += too_wide_at_320_px(page, "KPI list")
    page.get_by_role("link", name="Uptime").click()
    expect(page.get_by_role("heading", name="Uptime", level=1)).to_be_visible()
    expect(page.locator("#kpi-status")).to_have_text("No value yet")

    page.get_by_role("spinbutton", name="Value").fill("")
    page.get_by_role("button", name="Add value").click()
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    page.get_by_role("spinbutton", name="Value").fill("99.95")
    page.get_by_label("Note").fill("A quiet week")
    page.get_by_role("button", name="Add value").click()
    expect(page.locator("#kpi-status")).to_have_text("Healthy")
    expect(page.locator("#kpi-current")).to_have_text("99.95 %")
    expect(page.locator(".chart svg .reading")).to_have_count(1)
    expect(page.get_by_text("A quiet week")).to_be_visible()
    check(page, "KPI page", found)
    found += too_wide_at_320_px(page, "KPI page")
    assert found == [], report(found)
