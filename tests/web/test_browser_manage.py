"""Managing OKRs in a real browser: create with key results, align to two parents, close.

Runs in the default `pytest` run (marker `browser`); the `page` fixture comes from
tests/conftest.py, the people (`owner`, `admin`, ...) from the objective page tests' `world`.
"""

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from pacer.okrs import services
from pacer.okrs.models import Cycle, Objective
from tests.web.test_browser_flows import sign_in
from tests.web.test_objective_pages import World, make_kr, make_objective, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["world"]


def title_link(scope: Page | Locator, title: str) -> Locator:
    return scope.get_by_role("link", name=title, exact=True)


def test_create_an_objective_with_three_key_results(
    page: Page, live_server: Any, world: World
) -> None:
    sign_in(page, live_server, world.owner, then=reverse("objective_new"))
    page.get_by_label("Title", exact=True).first.fill("Make onboarding effortless")
    rows = [
        ("Activation rate", "20", "60"),
        ("Time to first value", "30", "5"),
        ("NPS", "10", "40"),
    ]
    for n, (title, start, target) in enumerate(rows):
        if n:  # the form starts with one block; each further one comes by clicking
            page.get_by_role("button", name="Add key result").click()
        page.fill(f"[name=key_results-{n}-title]", title)
        page.fill(f"[name=key_results-{n}-start]", start)
        page.fill(f"[name=key_results-{n}-target]", target)
    page.get_by_role("button", name="Create objective").click()

    expect(page.locator("h1")).to_have_text("Make onboarding effortless")
    objective = Objective.objects.get(title="Make onboarding effortless")
    assert page.url == f"{live_server.url}{reverse('objective_detail', args=[objective.ref])}"
    titles = page.locator("article.key-result h3")
    expect(titles).to_have_text([title for title, _, _ in rows])
    expect(page.get_by_text("Created “Make onboarding effortless”.")).to_be_visible()
    assert objective.owner == world.owner and objective.cycle == world.quarter
    assert objective.key_results.count() == 3


def choose_parents(page: Page, word: str, labels: list[str]) -> None:
    """Search the parents picker for `word`, then choose `labels` (the server lists only the
    matches and the chosen ones)."""
    parents = page.locator("select[name=parents]")
    page.locator("input[name=parents__q]").fill(word)
    expect(parents.locator("option", has_text="Decoy")).to_have_count(0)
    parents.select_option(label=labels)


def test_align_to_two_parents_and_see_both_in_the_map(
    page: Page, live_server: Any, world: World
) -> None:
    north = make_objective(world, "North star", team=None)
    south = make_objective(world, "Southern cross", team=None)
    make_objective(world, "Decoy goal", team=None)
    labels = [f"{o.title} ({world.quarter.name})" for o in (north, south)]
    sign_in(page, live_server, world.owner, then=reverse("objective_new"))
    page.get_by_label("Title", exact=True).first.fill("Shared child")
    decoy = page.locator("select[name=parents] option", has_text="Decoy")
    expect(decoy).to_be_visible()  # until a search leaves it out
    choose_parents(page, "north", labels[:1])
    choose_parents(page, "southern", labels)  # a chosen option stays in view
    page.get_by_role("button", name="Create objective").click()
    expect(page.locator("h1")).to_have_text("Shared child")
    supports = page.locator("section[aria-labelledby=parents-heading]")
    expect(title_link(supports, "North star")).to_be_visible()
    expect(title_link(supports, "Southern cross")).to_be_visible()

    page.goto(f"{live_server.url}{reverse('alignment_map', args=[world.quarter.ref])}")
    results = page.locator("#map-results")
    for parent, other in (("North star", "Southern cross"), ("Southern cross", "North star")):
        node = results.locator("details").filter(
            has=page.locator("summary").filter(has=title_link(page, parent))
        )
        node.locator("summary").first.click()
        children = node.locator(".map-tree")
        expect(title_link(children, "Shared child")).to_be_visible()  # loaded by htmx
        expect(children).to_contain_text(f"also aligned to {other}")
    expect(title_link(results, "Shared child")).to_have_count(2)


def test_close_a_cycle_with_one_override(page: Page, live_server: Any, world: World) -> None:
    objective = make_objective(world, "Launch the beta")
    kr = make_kr(objective, "Beta customers")
    services.checkin_create(key_result=kr, value=Decimal(50), author=world.owner)
    make_objective(world, "Untouched goal")
    close_url = reverse("cycle_close", args=[world.quarter.ref])
    sign_in(page, live_server, world.admin, then=close_url)

    card = page.locator(f"#o{objective.pk}")
    card.get_by_role("link", name="Override and retrospective").click()  # opens its form
    card.get_by_label("Final score (override)").fill("0.8")
    card.get_by_label("Reason for the override").fill("Two customers signed after the cut-off")
    card.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved the close-out of “Launch the beta”.")).to_be_visible()
    page.get_by_label("I understand").check()
    page.get_by_role("button", name=f"Close {world.quarter.name}").click()
    expect(page.get_by_text(f"{world.quarter.name} is closed")).to_be_visible()
    expect(page.get_by_text("This cycle is closed")).to_be_visible()
    expect(page.get_by_role("button", name=f"Close {world.quarter.name}")).to_have_count(0)
    card = page.locator(f"#o{objective.pk}")
    expect(card.locator(".score").first).to_have_text("0.5")  # computed
    # Each number in its own colour: the computed 0.5 yellow, the final 0.8 green.
    expect(card.get_by_test_id("computed-score")).to_contain_text("0.5 yellow")
    expect(card).to_contain_text(
        "final 0.8 green (override: Two customers signed after the cut-off)"
    )

    card.get_by_role("link", name="Launch the beta").click()
    expect(page.locator("h1")).to_have_text("Launch the beta")
    header = page.locator("#objective-header")
    expect(header.locator(".score").first).to_have_text("0.8")
    expect(header).to_contain_text("computed 0.5: Two customers signed after the cut-off")
    expect(page.get_by_role("note")).to_contain_text("is closed")
    expect(page.locator(f"[name=kr{kr.pk}-value]")).to_have_count(0)  # read-only
    expect(page.locator(f"#kr-{kr.pk} form")).to_have_count(0)
    assert Cycle.objects.get(pk=world.quarter.pk).is_closed
