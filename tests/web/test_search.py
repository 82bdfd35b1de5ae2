"""Search (GET /search/?q=...): objectives, key results, people and teams the searcher may see.

People come from the objective page tests' `world`: `owner` and `teammate` in the platform
team, `outsider` in no team, `admin` an organization admin.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacer.okrs.models import Cycle, Objective, Organization, Team
from pacer.web import search
from tests.web.test_objective_pages import (
    XSS,
    World,
    client_for,
    make_kr,
    make_objective,
    make_person,
    world,
)

pytestmark = pytest.mark.django_db
__all__ = ["world"]

SEARCH = reverse("search")


def found(client: Client, query: str) -> str:
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_the_navigation_has_the_search_box(world: World) -> None:
    text = client_for(world.owner).get(reverse("cycle_list")).content.decode()
    assert f'action="{SEARCH}"' in text and 'name="q"' in text and 'role="search"' in text


def test_finds_each_kind_with_links(world: World) -> None:
    objective = make_objective(world, "Grow the zebra market")
    kr = make_kr(objective, "Zebra signups")
    make_person(world.organization, "Zebulon")
    zoo = Team.objects.create(organization=world.organization, ref="zebras", name="Zebra crew")
    text = found(client_for(world.outsider), "zeb")
    assert reverse("objective_detail", args=[objective.ref]) in text
    assert f"{reverse('objective_detail', args=[objective.ref])}#kr-{kr.pk}" in text
    assert "Zebulon" in text and "zebulon@example.com" in text
    assert reverse("team_detail", args=[zoo.ref]) in text
    for heading in ("Objectives", "Key results", "People", "Teams"):
        assert f">{heading}</h2>" in text


def test_finds_across_cycles_case_insensitively(world: World) -> None:
    make_objective(world, "Quarterly zebra plan", cycle=world.next_quarter)
    old = Cycle.objects.create(
        organization=world.organization,
        ref="q-old",
        name="Old quarter",
        start=world.quarter.start - timedelta(days=200),
        end=world.quarter.start - timedelta(days=110),
        state=Cycle.State.CLOSED,
    )
    make_objective(world, "Past ZEBRA plan", cycle=old)
    text = found(client_for(world.owner), "Zebra")
    assert "Quarterly zebra plan" in text and "Past ZEBRA plan" in text
    assert "Next quarter" in text and "Old quarter" in text


def test_private_objectives_and_their_key_results_stay_hidden(world: World) -> None:
    secret = make_objective(world, "Secret zebra", visibility=Objective.Visibility.PRIVATE)
    make_kr(secret, "Hidden zebra count")
    outsider = found(client_for(world.outsider), "zebra")
    assert "Secret zebra" not in outsider and "Hidden zebra count" not in outsider
    assert secret.ref not in outsider
    assert "Nothing found" in outsider  # not "1 more", not a count
    for insider in (world.owner, world.teammate, world.admin):
        text = found(client_for(insider), "zebra")
        assert "Secret zebra" in text and "Hidden zebra count" in text


def test_another_organizations_rows_are_not_found(world: World) -> None:
    other = Organization.objects.create(name="Globex")
    cycle = Cycle.objects.create(
        organization=other, ref="q", name="Q", start=world.quarter.start, end=world.quarter.end
    )
    stranger = make_person(other, "Zelda")
    team = Team.objects.create(organization=other, ref="zed", name="Zebra team")
    objective = Objective.objects.create(
        organization=other, cycle=cycle, ref="zz", title="Zebra elsewhere", owner=stranger
    )
    make_kr(objective, "Zebra key result elsewhere")
    assert team.pk
    text = found(client_for(world.admin), "ze")
    for name in ("Zelda", "Zebra team", "Zebra elsewhere", "Zebra key result elsewhere"):
        assert name not in text


def test_text_is_escaped(world: World) -> None:
    make_objective(world, f"Zebra {XSS}")
    text = found(client_for(world.owner), "zebra")
    assert XSS not in text and "&lt;img src=x" in text
    echoed = found(client_for(world.owner), XSS)
    assert XSS not in echoed


def test_each_kind_is_capped(world: World) -> None:
    for n in range(search.PER_KIND + 3):
        make_objective(world, f"Zebra {n:02d}")
    text = found(client_for(world.owner), "zebra")
    assert text.count('<li><a href="/objectives/') == search.PER_KIND
    assert "a longer query finds the others" in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (None, "Type at least two characters"),
        ("", "This field is required"),
        ("   ", "This field is required"),
        ("z", "at least 2 characters"),
        ("z" * 5000, "at most 100 characters"),
        ("zeb\x00ra", "Null characters are not allowed"),
    ],
)
def test_bad_queries_get_a_message_not_a_500(world: World, query: str | None, message: str) -> None:
    make_objective(world, "Zebra")
    params = {} if query is None else {"q": query}
    response = client_for(world.owner).get(SEARCH, params)
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    assert "Zebra" not in text.split('id="search-results"')[1]
    if query is not None:
        assert "Search:" in text  # the error names the field


def test_htmx_gets_only_the_results(world: World) -> None:
    make_objective(world, "Zebra")
    response = client_for(world.owner).get(SEARCH, {"q": "zebra"}, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="search-results"') and "<html" not in text
    assert "HX-Request" in response["Vary"]


def test_anonymous_is_sent_to_sign_in(world: World) -> None:
    response = Client().get(SEARCH, {"q": "zebra"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def grow(world: World, prefix: str, n: int) -> None:
    """n more of every kind that matches "zebra", some of them private."""
    for i in range(n):
        private = Objective.Visibility.PRIVATE if i % 3 == 0 else Objective.Visibility.PUBLIC
        objective = make_objective(world, f"Zebra {prefix}{i}", visibility=private)
        make_kr(objective, f"Zebra result {prefix}{i}")
        make_person(world.organization, f"Zebra{prefix}{i}")
        Team.objects.create(organization=world.organization, ref=f"z{prefix}{i}", name="Zebras")


@pytest.mark.parametrize("who", ["owner", "outsider", "admin"])
def test_query_count_does_not_grow_with_data(world: World, who: str) -> None:
    client = client_for(getattr(world, who))
    grow(world, "a", 2)
    with CaptureQueriesContext(connection) as few:
        found(client, "zebra")
    grow(world, "b", 15)
    with CaptureQueriesContext(connection) as many:
        text = found(client, "zebra")
    assert len(few) == len(many)
    assert "a longer query finds the others" in text
