"""Every page works under the Content Security Policy: no violation is reported while a person
signs in, walks the pages and uses htmx (inline check-in, alignment map children).

Run with `pytest -m browser`; the `page` fixture comes from tests/conftest.py.
"""

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Page, expect

from pacer.accounts.models import User
from tests.web.test_browser_flows import sign_in
from tests.web.test_objective_pages import World, make_kr, make_objective, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["world"]

# Reports every violation, also those the console would not show (e.g. in report-only).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


def watch(page: Page) -> list[str]:
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.add_init_script(LISTEN)
    return problems


def violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__cspViolations || []"))


def test_pages_and_htmx_raise_no_csp_violation(page: Page, live_server: Any, world: World) -> None:
    problems = watch(page)
    admin: User = world.admin
    objective = make_objective(world, "Ship under CSP", owner=admin)
    kr = make_kr(objective, "Adoption")

    page.goto(f"{live_server.url}/login/")
    assert page.evaluate("typeof window.htmx") == "object"  # htmx loaded from 'self'
    sign_in(page, live_server, admin, then="/")
    seen = []
    for url in (
        "/",
        reverse("checkin_week"),
        reverse("cycle_list"),
        reverse("cycle_overview", args=[world.quarter.ref]),
        reverse("alignment_map", args=[world.quarter.ref]),
        reverse("team_list"),
        reverse("people"),
        reverse("api_tokens"),
        reverse("objective_new"),
        reverse("objective_edit", args=[objective.ref]),
        reverse("objective_detail", args=[objective.ref]),
    ):
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.ok, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        seen += [f"{url}: {v}" for v in violations(page)]

    # On the objective page: an inline check-in through htmx swaps parts of the page.
    page.fill(f"[name=kr{kr.pk}-value]", "42")
    page.locator(f"#kr-{kr.pk} button[type=submit]").click()
    expect(page.get_by_text("Check-in saved.")).to_be_visible()
    seen += violations(page)

    # The edit page's filter box comes from pacer.js (a file, not inline script).
    page.goto(f"{live_server.url}{reverse('objective_edit', args=[objective.ref])}")
    if page.locator("select[multiple][data-filterable]").count():
        expect(page.locator("input.filter-input").first).to_be_visible()
    seen += violations(page)

    assert seen == []
    assert problems == []


def test_the_policy_blocks_inline_script(page: Page, live_server: Any, world: World) -> None:
    """The check above would mean nothing if the policy let inline script run."""
    problems = watch(page)
    page.goto(f"{live_server.url}/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__inlineRan = true";
          document.body.append(script);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__inlineRan === true") is False
    assert any("script-src" in v for v in violations(page)) or problems
