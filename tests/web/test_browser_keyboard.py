"""Keyboard only: creating an objective and the weekly check-in, from `/`, with nothing but
the keyboard (Tab, Shift+Tab, Enter, Space, typing, arrow keys in selects): no clicks, no
`fill()`. Each stop is found by its role and name, so the order of the fields may change; the
focused element shows a visible outline (:focus-visible).

The shared world (tests.factories): Acme's `owner` leads the platform team, whose public
objective "Deliver faster" (2026-Q2, active) holds the metric "Adoption" (0 -> 90 %).
"""

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from pacer.okrs.models import CheckIn, Objective
from tests.factories import World
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOST_TAB_STOPS = 80

DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "(nothing)";
  const label = el.labels && el.labels[0] && el.labels[0].textContent;
  const name = el.getAttribute("aria-label") || label || el.textContent;
  return `${el.tagName.toLowerCase()} "${(name || "").trim().slice(0, 40)}"`;
}"""

FOCUS_RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  // What the ring is drawn on (outline-offset puts it outside the element): the first
  // ancestor with a background.
  let around = el.parentElement;
  while (around && getComputedStyle(around).backgroundColor === "rgba(0, 0, 0, 0)") {
    around = around.parentElement;
  }
  return {visible: el.matches(":focus-visible"), style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), color: style.outlineColor,
          background: around ? getComputedStyle(around).backgroundColor : "rgb(255, 255, 255)"};
}"""


def luminance(rgb: str) -> float:
    """Relative luminance (WCAG) of a computed colour such as "rgb(179, 107, 0)"."""
    channels = [int(part) / 255 for part in rgb[rgb.index("(") + 1 : -1].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def focused(target: Locator) -> bool:
    return bool(target.evaluate("el => el === document.activeElement"))


def tab_to(page: Page, target: Locator, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus; fail naming the stops seen."""
    key = "Shift+Tab" if backwards else "Tab"
    seen: list[str] = []
    for _ in range(MOST_TAB_STOPS):
        if focused(target):
            return
        page.keyboard.press(key)
        seen.append(page.evaluate(DESCRIBE_FOCUS))
    raise AssertionError(f"{target} never took the focus; {key} went through: {seen}")


def assert_focus_ring(page: Page) -> None:
    ring = page.evaluate(FOCUS_RING)
    assert ring["visible"], f"the focused {page.evaluate(DESCRIBE_FOCUS)} is not :focus-visible"
    assert ring["style"] != "none" and ring["width"] >= 2, f"no visible focus outline: {ring}"
    # WCAG 1.4.11: the ring stands out from what it is drawn on by 3:1 at least.
    ratio = contrast(ring["color"], ring["background"])
    assert ratio >= 3, f"the focus outline contrasts {ratio:.1f}:1 with its background: {ring}"


def test_create_an_objective_with_a_key_result_by_keyboard_only(
    page: Page, live_server: Any, world: World
) -> None:
    world.owner.set_password("pw")
    world.owner.save()
    sign_in(page, live_server, world.owner, then="/")

    # The first Tab reaches "Skip to content", which moves the focus to the main content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    assert_focus_ring(page)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    nav = page.get_by_role("navigation", name="Main")
    tab_to(page, nav.get_by_role("link", name="New objective"), backwards=True)
    assert_focus_ring(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="New objective")).to_be_visible()

    form = page.locator("main form").first
    tab_to(page, form.get_by_role("textbox", name="Title", exact=True).first)
    assert_focus_ring(page)
    page.keyboard.type("Keyboard first")
    first_kr = form.get_by_role("group", name="Key result 1")
    tab_to(page, first_kr.get_by_role("textbox", name="Title", exact=True))
    page.keyboard.type("Tabbed releases")
    # The type's fields change under the select (htmx); the focus stays on the select.
    kind = first_kr.get_by_role("combobox", name="Type", exact=True)
    tab_to(page, kind)
    page.keyboard.press("ArrowDown")  # Metric -> Boolean: no target any more
    expect(first_kr.get_by_role("spinbutton", name="Target", exact=True)).to_have_count(0)
    expect(kind).to_be_focused()
    page.keyboard.press("ArrowUp")  # back to Metric
    expect(first_kr.get_by_role("spinbutton", name="Target", exact=True)).to_be_visible()
    expect(kind).to_be_focused()
    tab_to(page, first_kr.get_by_role("spinbutton", name="Target", exact=True))
    page.keyboard.type("12")
    # Backwards too: Shift+Tab from the target reaches the start field before it.
    tab_to(page, first_kr.get_by_role("spinbutton", name="Start", exact=True), backwards=True)
    page.keyboard.type("2")
    tab_to(page, form.get_by_role("button", name="Create objective"))
    assert_focus_ring(page)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Keyboard first")).to_be_visible()
    objective = Objective.objects.get(title="Keyboard first")
    assert objective.owner == world.owner
    [kr] = objective.key_results.all()
    assert (kr.type, kr.title, kr.start, kr.target) == (
        "metric",
        "Tabbed releases",
        Decimal(2),
        Decimal(12),
    )


def test_weekly_check_in_by_keyboard_only(page: Page, live_server: Any, world: World) -> None:
    world.owner.set_password("pw")
    world.owner.save()
    sign_in(page, live_server, world.owner, then="/")

    nav = page.get_by_role("navigation", name="Main")
    tab_to(page, nav.get_by_role("link", name="Weekly check-in"))
    assert_focus_ring(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Weekly check-in")).to_be_visible()

    value = page.get_by_role("spinbutton", name="Value for Adoption")
    tab_to(page, value)
    assert_focus_ring(page)
    page.keyboard.type("45")
    confidence = page.get_by_role("combobox", name="Confidence for Adoption")
    tab_to(page, confidence)
    page.keyboard.press("ArrowDown")  # "Confidence…" -> "On track"
    expect(confidence).to_have_value("on_track")
    tab_to(page, page.get_by_role("textbox", name="Note for Adoption"))
    page.keyboard.type("by keyboard")
    save = page.get_by_role("button", name="Save all check-ins")
    tab_to(page, save)
    assert_focus_ring(page)
    page.keyboard.press("Space")

    expect(page.get_by_text("Saved 1 check-in.")).to_be_visible()
    latest = CheckIn.objects.filter(key_result=world.adoption).latest("at")
    assert (latest.value, latest.confidence, latest.note) == (
        Decimal(45),
        "on_track",
        "by keyboard",
    )
