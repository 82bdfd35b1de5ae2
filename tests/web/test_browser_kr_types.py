"""Key result forms that fit the type, in a real browser, reached by clicking from `/`: the
fields change with the chosen type without a page reload (htmx), "Add key result" adds a
second block, and an objective is created with a metric whose target is "increase by 50 %"
and a linked key result following "Deliver faster" (picked with the picker's search box).

The shared world (tests.factories): `owner` owns "Deliver faster" (2026-Q2, active).
"""

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pacer.okrs.models import Objective
from tests.factories import World
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# No htmx request in flight, nor content being swapped or settled.
HTMX_IDLE = (
    "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
)


def test_new_objective_with_a_metric_and_a_linked_key_result_by_clicking(
    page: Page, live_server: Any, world: World
) -> None:
    world.owner.set_password("pw")
    world.owner.save()
    sign_in(page, live_server, world.owner, then="/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New objective").click()
    expect(page.get_by_role("heading", name="New objective", level=1)).to_be_visible()
    page.evaluate("window.notReloaded = true")

    # One block; the type's fields change in place; "Update fields" is for no-JS browsers.
    first = page.locator("#kr-block-0")
    expect(page.locator("fieldset.kr-fieldset")).to_have_count(1)
    expect(first.get_by_role("button", name="Update fields")).to_be_hidden()
    expect(first.get_by_label("Start", exact=True)).to_be_visible()
    first.get_by_label("Type").select_option("stay_above")
    expect(first.get_by_label("Threshold")).to_be_visible()
    expect(first.get_by_label("Start", exact=True)).to_have_count(0)
    expect(first).to_contain_text("Keep NPS at or above 40")
    first.get_by_label("Type").select_option("metric")
    expect(first.get_by_label("Start", exact=True)).to_be_visible()

    page.get_by_label("Title", exact=True).first.fill("Grow the community")
    first.get_by_label("Title").fill("Weekly active users")
    first.get_by_label("Unit").fill("users")
    first.get_by_label("Start", exact=True).fill("1200")
    first.get_by_label("Or change by (%)").fill("50")
    expect(first.get_by_label("Owner")).to_have_value(str(world.owner.pk))

    # A second block by htmx; it becomes a linked key result following "Deliver faster".
    page.get_by_role("button", name="Add key result").click()
    second = page.locator("#kr-block-1")
    expect(page.locator("fieldset.kr-fieldset")).to_have_count(2)
    expect(second.get_by_label("Title")).to_be_visible()
    second.get_by_label("Title").fill("Delivery follows")
    second.get_by_label("Type").select_option("linked")
    picker = second.get_by_label("Objective it follows")
    expect(picker).to_be_visible()
    # The server-side search (pacer/web/pickers.py): htmx swaps in the matches only.
    decoy = picker.locator("option", has_text="Buy Initech")
    expect(decoy).to_have_count(1)
    # htmx binds the swapped-in search box's trigger as it settles, just after the box shows:
    # typing before that is an input no one listens to (under load, the search never ran).
    page.wait_for_function(HTMX_IDLE)
    second.get_by_label("Find by title").fill("deliver")
    expect(decoy).to_have_count(0)
    picker.select_option(str(world.public.pk))
    assert page.evaluate("window.notReloaded") is True

    page.get_by_role("button", name="Create objective").click()
    expect(page.get_by_text("Created “Grow the community”.")).to_be_visible()
    objective = Objective.objects.get(title="Grow the community")
    metric, linked = objective.key_results.order_by("position")
    assert (metric.type, metric.start, metric.target, metric.unit) == (
        "metric",
        Decimal(1200),
        Decimal(1800),
        "users",
    )
    assert metric.owner == world.owner
    assert (linked.type, linked.linked_objective) == ("linked", world.public)
