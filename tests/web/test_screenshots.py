"""The documentation screenshots in docs/screenshots/ (`make screenshots` regenerates them).

Skipped unless PACER_SCREENSHOTS=1 (the Makefile target sets it), so a plain `pytest` never
rewrites the PNGs. Each shot loads the demo as of today, signs in as the demo member and saves
a full-page PNG; a page that does not answer 200 skips its shot with the reason.
"""

import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import FloatRect, Page, expect

pytestmark = [
    pytest.mark.screenshots,
    pytest.mark.skipif(
        os.environ.get("PACER_SCREENSHOTS") != "1",
        reason="set PACER_SCREENSHOTS=1 (or run `make screenshots`) to take the screenshots",
    ),
]

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
MAX_BYTES = 600_000  # a larger full-page PNG is cut to its top CLIP_HEIGHT pixels
CLIP_HEIGHT = 1600
EMAIL = "member@demo.example"
PASSWORD = "pacer-demo"


def quarter_ref() -> str:
    """The demo's current quarter: the one containing today (e.g. q4-2026)."""
    today = timezone.now().date()
    return f"q{(today.month - 1) // 3 + 1}-{today.year}"


def expand_map_node(page: Page) -> None:
    """Open the first top-level node of the alignment map and wait for its children."""
    node = page.locator("#map-results .map-tree > .map-node > details").first
    node.locator("summary").click()
    expect(node.locator(".map-tree .map-node").first).to_be_visible()


@dataclass(frozen=True)
class Shot:
    name: str
    path: Callable[[str], str]  # the URL path, given the current quarter's ref
    viewport: dict[str, int] = field(default_factory=lambda: DESKTOP)
    dark: bool = False
    prepare: Callable[[Page], None] | None = None


SHOTS = [
    Shot("focus", lambda q: "/"),
    Shot("cycle-overview", lambda q: f"/cycles/{q}/"),
    # The PMO objective: three key results with weekly check-ins and a chart.
    Shot("objective", lambda q: f"/objectives/{q}-pmo-delivery/"),
    Shot("checkin", lambda q: "/checkin/"),
    Shot("alignment-map", lambda q: f"/cycles/{q}/map/", prepare=expand_map_node),
    # The demo member's own team.
    Shot("team", lambda q: "/teams/growth/"),
    Shot("focus-phone", lambda q: "/", viewport=PHONE),
    Shot("cycle-overview-dark", lambda q: f"/cycles/{q}/", dark=True),
]


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def save(page: Page, target: Path) -> None:
    page.screenshot(path=str(target), full_page=True, animations="disabled")
    if target.stat().st_size > MAX_BYTES:
        width = page.viewport_size["width"] if page.viewport_size else DESKTOP["width"]
        clip: FloatRect = {"x": 0, "y": 0, "width": width, "height": CLIP_HEIGHT}
        page.screenshot(path=str(target), full_page=True, clip=clip, animations="disabled")


@pytest.mark.parametrize("shot", SHOTS, ids=[s.name for s in SHOTS])
def test_screenshot(shot: Shot, browser: Any, live_server: Any, transactional_db: None) -> None:
    call_command("demo", today=timezone.now().date().isoformat(), stdout=io.StringIO())
    context = browser.new_context(
        viewport=shot.viewport,
        color_scheme="dark" if shot.dark else "light",
        device_scale_factor=1,
    )
    try:
        page = context.new_page()
        sign_in(page, live_server.url)
        path = shot.path(quarter_ref())
        response = page.goto(f"{live_server.url}{path}")
        status = response.status if response else None
        if status != 200:
            pytest.skip(f"{shot.name}.png not taken: {path} answered {status}")
        if shot.dark:
            page.emulate_media(color_scheme="dark")
        if shot.prepare:
            shot.prepare(page)
        page.wait_for_load_state("networkidle")
        OUT.mkdir(parents=True, exist_ok=True)
        save(page, OUT / f"{shot.name}.png")
    finally:
        context.close()
