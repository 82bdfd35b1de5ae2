"""Live pages in a real browser (docs/live-pages.md): Ana keeps My focus, the cycle overview
and the objective page open while Ben checks in from his own browser; each of Ana's pages
shows Ben's value within seconds, without a reload (a marker set on `window` survives).
A value Ana is typing is never swapped away. Polls run every second here
(`PACER_LIVE_SECONDS`)."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from pacer.accounts.models import User
from pacer.okrs.models import KeyResult
from tests.factories import (
    make_cycle,
    make_key_result,
    make_objective,
    make_organization,
    make_team,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw"
SOON = 6_000  # ms: a poll a second, plus the swap


def person(organization: Any, email: str, name: str) -> User:
    return User.objects.create_user(email, PASSWORD, name=name, organization=organization)


@pytest.fixture
def adoption(settings: Any) -> KeyResult:
    """Ana's objective, whose key result Ben owns (so he checks in on it)."""
    settings.PACER_LIVE_SECONDS = 1
    organization = make_organization("Acme")
    today = timezone.localdate()
    cycle = make_cycle(
        organization, "q-now", today - timedelta(days=30), today + timedelta(days=60)
    )
    ana = person(organization, "ana@example.com", "Ana")
    ben = person(organization, "ben@example.com", "Ben")
    team = make_team(organization, "growth", members=(ana, ben))
    objective = make_objective(cycle, "grow", ana, team=team, title="Grow adoption")
    return make_key_result(objective, "adoption", title="Weekly users", owner=ben)


def sign_in(page: Page, live_server: Any, email: str) -> None:
    page.goto(f"{live_server.url}/login/?next=/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def ben_checks_in(ben: Page, live_server: Any, kr: KeyResult, value: str) -> None:
    ben.goto(f"{live_server.url}/objectives/{kr.objective.ref}/")
    row = ben.locator(f"#kr-{kr.pk}")
    row.get_by_label("New value").fill(value)
    row.get_by_role("button", name="Check in").click()
    expect(row.get_by_role("status")).to_have_text("Check-in saved.")


def test_a_second_persons_check_in_arrives_on_open_pages(
    page: Page, browser: Browser, live_server: Any, adoption: KeyResult
) -> None:
    ana = page
    ben_context = browser.new_context()
    ben = ben_context.new_page()
    try:
        sign_in(ana, live_server, "ana@example.com")
        sign_in(ben, live_server, "ben@example.com")

        # My focus: Ana's objective card.
        mine = ana.locator("#focus-live")
        expect(mine).to_contain_text("Grow adoption")
        ana.evaluate("window.__marker = 1")
        polls: list[int] = []
        ana.on(
            "response",
            lambda r: polls.append(r.status) if r.request.header_value("hx-request") else None,
        )
        ana.wait_for_timeout(2_500)
        assert polls and set(polls) == {304}, f"while nothing changed the polls got {polls}"
        ben_checks_in(ben, live_server, adoption, "63")
        expect(mine).to_contain_text("63%", timeout=SOON)

        # The cycle overview, reached from My focus.
        ana.locator("main").get_by_role("link", name="Q-NOW").first.click()
        results = ana.locator("#cycle-results")
        expect(results).to_contain_text("63%")
        ana.evaluate("window.__marker = 2")
        ben_checks_in(ben, live_server, adoption, "77")
        expect(results).to_contain_text("77%", timeout=SOON)

        # The objective page, reached from the overview.
        results.get_by_role("link", name="Grow adoption").click()
        progress = ana.get_by_test_id("objective-progress")
        expect(progress).to_have_text("77%")
        ana.evaluate("window.__marker = 3")
        ben_checks_in(ben, live_server, adoption, "91")
        expect(progress).to_have_text("91%", timeout=SOON)
        expect(ana.locator(f"#kr-{adoption.pk} .kr-value")).to_contain_text("91")
        assert ana.evaluate("window.__marker") == 3, "the page was reloaded"

        # Ana starts a check-in of her own: the region holds still while she types.
        field = ana.locator(f"#kr-{adoption.pk}").get_by_label("New value")
        field.fill("95")
        ana.locator("h1").click()  # the focus leaves the form; its unsent input keeps it still
        ben_checks_in(ben, live_server, adoption, "93")
        ana.wait_for_timeout(2_500)
        expect(field).to_have_value("95")
        expect(progress).to_have_text("91%")
    finally:
        ben_context.close()
