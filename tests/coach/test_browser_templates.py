"""Starting from a template in a real browser, reached by clicking from `/`: New objective,
"Start from a template", the project manager's "Enhance project delivery efficiency and
quality", the form filled in with it, Create, and the objective page with its key results.

The shared world (tests.factories): `owner` leads the platform team in 2026-Q2 (active).
"""

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pacer.okrs.models import Objective
from tests.factories import World
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DELIVERY = "Enhance project delivery efficiency and quality"
KEY_RESULTS = [
    "Project-management tool adoption",
    "Average delivery time (days)",
    "Client satisfaction",
]


def test_create_an_objective_from_a_role_template_by_clicking(
    page: Page, live_server: Any, world: World
) -> None:
    world.owner.set_password("pw")
    world.owner.save()
    sign_in(page, live_server, world.owner, then="/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New objective").click()
    expect(page.get_by_role("heading", name="New objective", level=1)).to_be_visible()

    page.get_by_role("link", name="Start from a template").click()
    expect(page.get_by_role("heading", name="Start from a template", level=1)).to_be_visible()
    roles = page.locator("section.okr-template")
    project_manager = roles.filter(has=page.get_by_role("heading", name="Project manager"))
    expect(project_manager.get_by_role("heading", name=DELIVERY)).to_be_visible()
    chosen = project_manager.locator("article").filter(
        has=page.get_by_role("heading", name=DELIVERY, exact=True)
    )
    expect(chosen).to_contain_text("40 → 34 days (-15 %)")
    chosen.get_by_role("link", name="Use this objective").click()

    expect(page.get_by_role("heading", name="New objective", level=1)).to_be_visible()
    expect(page.get_by_text("Filled in from a template")).to_be_visible()
    expect(page.get_by_label("Title", exact=True).first).to_have_value(DELIVERY)
    expect(page.locator("fieldset.kr-fieldset")).to_have_count(3)
    for index, title in enumerate(KEY_RESULTS):
        block = page.locator(f"#kr-block-{index}")
        expect(block.get_by_label("Title")).to_have_value(title)
    delivery_time = page.locator("#kr-block-1")
    expect(delivery_time.get_by_label("Start", exact=True)).to_have_value("40")
    expect(delivery_time.get_by_label("Target", exact=True)).to_have_value("34")
    page.locator("select[name=team]").select_option(str(world.team.pk))

    page.get_by_role("button", name="Create objective").click()
    expect(page.get_by_text(f"Created “{DELIVERY}”.")).to_be_visible()
    expect(page.get_by_role("heading", name=DELIVERY, level=1)).to_be_visible()
    expect(page.locator("article.key-result h3")).to_have_text(KEY_RESULTS)
    objective = Objective.objects.get(title=DELIVERY)
    assert (objective.owner, objective.team, objective.kind) == (
        world.owner,
        world.team,
        "committed",
    )
    time = objective.key_results.get(title="Average delivery time (days)")
    assert (time.start, time.target, time.unit) == (Decimal(40), Decimal(34), "days")
