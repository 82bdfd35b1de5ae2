"""The API docs page (/api/v1/docs), reached by clicking from `/`, renders offline under the
Content Security Policy: Swagger UI comes from Pacer's own static files (django-ninja's,
served because "ninja" is an installed app), not from a CDN.

The shared world (tests.factories): Acme's admin.
"""

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.factories import World
from tests.web.test_browser_csp import violations, watch
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def keep_local(page: Page, live_server: Any) -> list[str]:
    """Every request for another host is recorded and refused (the machine may be offline)."""
    local = urlsplit(live_server.url).netloc
    left: list[str] = []

    def route(route: Route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).netloc == local:
            route.continue_()
        else:
            left.append(url)
            route.abort()

    page.route("**/*", route)
    return left


def test_api_docs_render_offline_with_no_csp_violation(
    page: Page, live_server: Any, world: World
) -> None:
    problems = watch(page)
    left = keep_local(page, live_server)
    world.admin.set_password("pw")
    world.admin.save()
    sign_in(page, live_server, world.admin, then="/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="API tokens").click()
    page.get_by_role("link", name="Pacer's API").click()

    page.wait_for_url(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Pacer API")
    operations = page.locator(".swagger-ui .opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() > 5
    expect(page.locator(".swagger-ui .opblock-summary-path").first).to_contain_text("/")
    page.wait_for_load_state("networkidle")
    # No validator badge: on a public host it would load an image from validator.swagger.io.
    assert '"validatorUrl": null' in page.locator("#swagger-settings").text_content()

    assert violations(page) == []
    assert problems == []
    assert left == []
    assert urlsplit(live_server.url).hostname in ("127.0.0.1", "localhost")
