"""The cycle overview and the alignment map in a real browser (Chromium through Playwright).

The filters and the map work through htmx: results are swapped in place (no full reload: a
marker set on `window` survives) and the filter URL is pushed into the history. Runs in the
default `pytest` run; the `page` fixture comes from tests/conftest.py.

Data: the current quarter is one third through (expected progress 1/3), so progress 1.0 is
done, 0.5 on track, 0.2 at risk and 0.0 off track.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from pacer.accounts.models import User
from pacer.okrs.models import Alignment, Cycle, Membership, Objective, Organization, Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw"
serial = count(1)


@dataclass
class World:
    organization: Organization
    quarter: Cycle
    team: Team
    owner: User
    outsider: User
    secret: Objective


def make_objective(world_parts: dict[str, Any], title: str, **fields: Any) -> Objective:
    values: dict[str, Any] = {
        "organization": world_parts["organization"],
        "cycle": world_parts["quarter"],
        "ref": f"ov-{next(serial)}",
        "owner": world_parts["owner"],
        "team": world_parts["team"],
        "progress": Decimal("0.5"),
    } | fields
    return Objective.objects.create(title=title, **values)


@pytest.fixture
def world() -> World:
    organization = Organization.objects.create(name="Acme")
    today = timezone.localdate()
    quarter = Cycle.objects.create(
        organization=organization,
        ref="q-now",
        name="This quarter",
        start=today - timedelta(days=30),
        end=today + timedelta(days=60),
    )
    team = Team.objects.create(organization=organization, ref="platform", name="Platform")
    owner = User.objects.create_user(
        "olivia@example.com", PASSWORD, name="Olivia", organization=organization
    )
    outsider = User.objects.create_user(
        "oscar@example.com", PASSWORD, name="Oscar", organization=organization
    )
    Membership.objects.create(team=team, person=owner, is_lead=True)
    parts = {"organization": organization, "quarter": quarter, "owner": owner, "team": team}
    make_objective(parts, "Finished thing", progress=Decimal(1))
    make_objective(parts, "Going well", progress=Decimal("0.5"))
    make_objective(parts, "Wobbly", progress=Decimal("0.2"))
    make_objective(parts, "Stuck alpha", progress=Decimal(0))
    make_objective(parts, "Stuck beta", progress=Decimal(0))
    left = make_objective(parts, "Left parent")
    right = make_objective(parts, "Right parent")
    shared = make_objective(parts, "Shared child")
    Alignment.objects.create(child=shared, parent=left)
    Alignment.objects.create(child=shared, parent=right)
    secret = make_objective(parts, "Secret plan", visibility=Objective.Visibility.PRIVATE)
    return World(organization, quarter, team, owner, outsider, secret)


def sign_in(page: Page, live_server: Any, person: User, then: str) -> None:
    page.goto(f"{live_server.url}/login/?next={then}")
    page.fill("input[name=username]", person.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{then}")


def title_link(scope: Page | Locator, title: str) -> Locator:
    return scope.get_by_role("link", name=title, exact=True)


def test_cycle_filters_update_results_in_place_and_push_the_url(
    page: Page, live_server: Any, world: World
) -> None:
    url = f"/cycles/{world.quarter.ref}/"
    sign_in(page, live_server, world.owner, then=url)
    results = page.locator("#cycle-results")
    expect(title_link(results, "Going well")).to_be_visible()
    expect(title_link(results, "Secret plan")).to_be_visible()  # the owner's team sees it
    page.evaluate("window.__marker = 1")

    page.select_option("#filter-status", "off_track")
    expect(page).to_have_url(re.compile(r"/cycles/q-now/\?(.*&)?status=off_track"))
    expect(title_link(results, "Going well")).to_have_count(0)
    expect(title_link(results, "Wobbly")).to_have_count(0)
    expect(title_link(results, "Stuck alpha")).to_be_visible()
    expect(title_link(results, "Stuck beta")).to_be_visible()
    expect(results).to_contain_text("2 objectives match the filters")

    page.locator("#filter-q").press_sequentially("beta")
    expect(page).to_have_url(re.compile(r"[?&]q=beta"))
    expect(page).to_have_url(re.compile(r"[?&]status=off_track"))
    expect(title_link(results, "Stuck alpha")).to_have_count(0)
    expect(title_link(results, "Stuck beta")).to_be_visible()
    expect(results).to_contain_text("1 objective match")

    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    # The form keeps what was chosen (it lies outside the swapped results).
    expect(page.locator("#filter-status")).to_have_value("off_track")
    expect(page.locator("#filter-q")).to_have_value("beta")


def test_map_node_loads_its_children_under_each_parent(
    page: Page, live_server: Any, world: World
) -> None:
    url = f"/cycles/{world.quarter.ref}/map/"
    sign_in(page, live_server, world.owner, then=url)
    results = page.locator("#map-results")
    expect(title_link(results, "Left parent")).to_be_visible()
    expect(title_link(results, "Shared child")).to_have_count(0)  # loaded on demand
    page.evaluate("window.__marker = 1")

    for parent, other in (("Left parent", "Right parent"), ("Right parent", "Left parent")):
        node = results.locator("details").filter(
            has=page.locator("summary").filter(has=title_link(page, parent))
        )
        expect(node).to_have_count(1)
        node.locator("summary").first.click()
        children = node.locator(".map-tree")
        expect(title_link(children, "Shared child")).to_be_visible()
        expect(children).to_contain_text(f"also aligned to {other}")

    expect(title_link(results, "Shared child")).to_have_count(2)
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    assert page.url == f"{live_server.url}{url}"


def test_outsider_cannot_reach_a_private_objective(
    page: Page, live_server: Any, world: World
) -> None:
    overview = f"/cycles/{world.quarter.ref}/"
    sign_in(page, live_server, world.outsider, then=overview)
    expect(title_link(page.locator("#cycle-results"), "Going well")).to_be_visible()
    expect(page.get_by_text("Secret plan")).to_have_count(0)
    try:
        url = reverse("objective_detail", args=[world.secret.ref])
    except NoReverseMatch:
        pytest.skip("the objective page (objective_detail) does not exist yet")
    response = page.goto(f"{live_server.url}{url}")
    assert response is not None and response.status == 404
    assert "Secret plan" not in page.content()
