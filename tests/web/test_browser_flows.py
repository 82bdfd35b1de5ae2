"""The objective and check-in flows in a real browser (Chromium through Playwright).

Run with `pytest -m browser`; the `page` fixture comes from tests/conftest.py.
"""

import time
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from pacer.accounts.models import User
from pacer.okrs.models import CheckIn, Objective
from tests.web.test_objective_pages import XSS, World, make_kr, make_objective, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["world"]  # the fixture, shared with the objective page tests


def sign_in(page: Page, live_server: Any, person: User, then: str = "/checkin/") -> None:
    page.goto(f"{live_server.url}/login/?next={then}")
    page.fill("input[name=username]", person.email)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{then}")


def test_sign_in(page: Page, live_server: Any, world: World) -> None:
    sign_in(page, live_server, world.owner)
    expect(page.get_by_role("heading", name="Weekly check-in")).to_be_visible()
    expect(page.locator(".who")).to_have_text(world.owner.name)


def test_ten_key_result_weekly_checkin_by_keyboard_under_a_minute(
    page: Page, live_server: Any, world: World
) -> None:
    objective = make_objective(world, "Ten key results")
    key_results = [make_kr(objective, f"KR {n}") for n in range(10)]
    sign_in(page, live_server, world.owner)
    started = time.monotonic()
    first = page.locator(f"[name=kr{key_results[0].pk}-value]")
    expect(first).to_be_focused()  # autofocus: typing starts at once
    for n in range(10):
        page.keyboard.type(str(10 + n))
        page.keyboard.press("Tab")
        page.keyboard.type("On")  # picks "On track" in the focused select
        page.keyboard.press("Tab")
        page.keyboard.type(f"note {n}")
        if n < 9:
            page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Saved 10 check-ins.")).to_be_visible()
    elapsed = time.monotonic() - started
    print(f"[weekly check-in] 10 key results typed and saved in {elapsed:.1f} s")
    assert elapsed < 60, f"the weekly check-in took {elapsed:.1f} s"
    assert CheckIn.objects.count() == 10
    assert set(CheckIn.objects.values_list("confidence", flat=True)) == {"on_track"}
    assert CheckIn.objects.get(key_result=key_results[3]).value == Decimal(13)


def test_inline_checkin_updates_status_and_chart_without_reload(
    page: Page, live_server: Any, world: World
) -> None:
    objective = make_objective(world, "Inline")
    kr = make_kr(objective, "Adoption")
    url = reverse("objective_detail", args=[objective.ref])
    sign_in(page, live_server, world.owner, then=url)
    expect(page.get_by_test_id("objective-progress")).to_have_text("0%")
    line = page.locator("#objective-chart polyline.actual")
    line_before = line.get_attribute("points")
    page.evaluate("window.__noReload = 1")
    page.fill(f"[name=kr{kr.pk}-value]", "90")
    page.select_option(f"[name=kr{kr.pk}-confidence]", "on_track")
    page.locator(f"#kr-{kr.pk} button[type=submit]").click()
    expect(page.get_by_text("Check-in saved.")).to_be_visible()
    expect(page.get_by_test_id("objective-progress")).to_have_text("90%")
    expect(page.locator("#objective-header .chip.on_track").first).to_be_visible()
    assert line.get_attribute("points") != line_before  # the chart was swapped in, redrawn
    assert page.evaluate("window.__noReload") == 1


def test_bad_inline_value_shows_error_next_to_field(
    page: Page, live_server: Any, world: World
) -> None:
    objective = make_objective(world, "Errors")
    kr = make_kr(objective, "Adoption")
    url = reverse("objective_detail", args=[objective.ref])
    sign_in(page, live_server, world.owner, then=url)
    page.fill(f"[name=kr{kr.pk}-note]", "my note")
    page.locator(f"#kr-{kr.pk} button[type=submit]").click()
    expect(page.locator(f"#kr-{kr.pk} .field-error")).to_contain_text("is required")
    expect(page.locator(f"[name=kr{kr.pk}-note]")).to_have_value("my note")
    assert not CheckIn.objects.exists()


def test_private_objective_url_is_404_for_outsider(
    page: Page, live_server: Any, world: World
) -> None:
    objective = make_objective(world, "Secret", visibility=Objective.Visibility.PRIVATE)
    sign_in(page, live_server, world.outsider)
    response = page.goto(f"{live_server.url}{reverse('objective_detail', args=[objective.ref])}")
    assert response is not None and response.status == 404
    assert "Secret" not in page.content()


def test_injection_title_shows_as_text_and_no_dialog_fires(
    page: Page, live_server: Any, world: World
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    objective = make_objective(world, XSS)
    make_kr(objective, XSS)
    url = reverse("objective_detail", args=[objective.ref])
    sign_in(page, live_server, world.owner, then=url)
    expect(page.locator("h1")).to_have_text(XSS)
    page.goto(f"{live_server.url}/checkin/")
    expect(page.get_by_role("link", name=XSS).first).to_be_visible()
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.locator("img[src=x]").count() == 0
