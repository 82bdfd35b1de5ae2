"""The close page and Plan next cycle show one page of objectives at a time (issue 11: a
bounded number of forms per request at any size), with a team filter.

The shared world (tests.factories): 2026-Q2 holds "Deliver faster" (public, unfinished) and
the private "Buy Initech"; here two teams add four more objectives, and the pages hold two.
"""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacer.accounts.models import User
from pacer.okrs.models import Cycle, Objective, Team
from pacer.web import paging
from tests.factories import World, database_state, make_objective, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paging, "CLOSE_PAGE_SIZE", 2)
    monkeypatch.setattr(paging, "PLAN_PAGE_SIZE", 2)


def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def titles(response: Any) -> list[str]:
    return [objective.title for objective in response.context["shown"].objectives]


def close_url(world: World, query: str = "") -> str:
    return reverse("cycle_close", args=[world.cycle.ref]) + query


def plan_url(world: World, query: str = "") -> str:
    return reverse("cycle_plan_next", args=[world.cycle.ref]) + query


@pytest.fixture
def more(world: World) -> World:
    alpha, beta = make_team(world.org, "alpha"), make_team(world.org, "beta")
    for n, team in enumerate([alpha, alpha, beta, beta]):
        make_objective(world.cycle, f"paged-{n}", world.owner, team=team, title=f"Paged {n}")
    return world


def test_the_close_page_shows_one_page_at_a_time(more: World) -> None:
    admin = client_for(more.admin)
    first = admin.get(close_url(more))
    second = admin.get(close_url(more, "?page=2"))
    assert titles(first) == ["Paged 0", "Paged 1"]  # team Alpha first
    assert titles(second) == ["Paged 2", "Paged 3"]
    text = second.content.decode()
    assert "Showing objectives 3\N{EN DASH}4 of 6" in text
    assert 'rel="prev">← Previous</a>' in text and 'rel="next">Next →</a>' in text
    # The confirmation counts the whole cycle, on any page.
    assert "Closing freezes the scores of <strong>6 objectives</strong>" in text


@pytest.mark.parametrize("number", ["x", "0", "-1", "2.5", "99"])
def test_a_bad_page_number_gives_a_page_not_an_error(more: World, number: str) -> None:
    response = client_for(more.admin).get(close_url(more, f"?page={number}"))
    assert response.status_code == 200
    assert len(titles(response)) in (1, 2)  # the first page or the last one
    response = client_for(more.admin).get(plan_url(more, f"?page={number}"))
    assert response.status_code == 200


def test_the_team_filter_keeps_one_teams_objectives(more: World) -> None:
    admin = client_for(more.admin)
    response = admin.get(close_url(more, "?team=beta"))
    assert titles(response) == ["Paged 2", "Paged 3"]
    assert "Showing objectives 1\N{EN DASH}2 of 2 of Beta" in response.content.decode()
    assert admin.get(close_url(more, "?team=nope")).status_code == 404
    assert titles(admin.get(plan_url(more, "?team=alpha"))) == ["Paged 0", "Paged 1"]


def test_a_close_from_page_two_closes_the_cycle(more: World) -> None:
    admin = client_for(more.admin)
    unticked = admin.post(close_url(more, "?page=2"), {"action": "close"})
    assert unticked.status_code == 400
    assert Cycle.objects.get(pk=more.cycle.pk).state != "closed"
    response = admin.post(close_url(more, "?page=2"), {"action": "close", "confirm": "yes"})
    assert response.status_code == 302
    assert Cycle.objects.get(pk=more.cycle.pk).state == "closed"


def test_saving_a_close_out_returns_to_the_same_page_and_anchor(more: World) -> None:
    objective = Objective.objects.get(ref="paged-3")
    data = {"objective": objective.pk, f"o{objective.pk}-went_well": "Shipped"}
    response = client_for(more.admin).post(close_url(more, "?page=2&team=beta"), data)
    assert response.status_code == 302
    assert response["Location"] == close_url(more, f"?page=2&team=beta#o{objective.pk}")
    assert Objective.objects.get(pk=objective.pk).went_well == "Shipped"


def test_plan_next_copies_page_by_page_and_offers_no_copy_again(more: World) -> None:
    admin = client_for(more.admin)
    first = admin.get(plan_url(more))
    assert titles(first) == ["Paged 0", "Paged 1"]
    assert "Copy and show more" in first.content.decode()
    chosen = [o.pk for o in first.context["shown"].objectives]
    response = admin.post(plan_url(more), {"objectives": chosen, "then": "more"}, follow=True)
    assert response.redirect_chain == [(plan_url(more), 302)]
    text = response.content.decode()
    assert "Created 2026 Q3 (planning) and copied 2 objectives into it." in text
    assert "Already in 2026 Q3: 2 unfinished objectives" in text
    assert titles(response) == ["Paged 2", "Paged 3"]  # the copied ones are not offered
    q3 = Cycle.objects.get(organization=more.org, ref="2026-q3")
    assert sorted(Objective.objects.filter(cycle=q3).values_list("title", flat=True)) == [
        "Paged 0",
        "Paged 1",
    ]


def test_plan_next_refuses_an_objective_of_another_page(more: World) -> None:
    later = Objective.objects.get(ref="paged-3")
    admin = client_for(more.admin)
    before = database_state()
    response = admin.post(plan_url(more), {"objectives": [later.pk]})
    assert response.status_code == 400
    assert database_state() == before


def test_only_the_opened_objective_carries_its_form(more: World) -> None:
    admin = client_for(more.admin)
    objective = Objective.objects.get(ref="paged-3")
    closed = admin.get(close_url(more, "?page=2")).content.decode()
    assert 'name="objective"' not in closed
    assert f'href="?page=2&amp;open={objective.pk}#o{objective.pk}"' in closed
    opened = admin.get(close_url(more, f"?page=2&open={objective.pk}")).content.decode()
    assert opened.count('name="objective"') == 1
    assert f'name="o{objective.pk}-went_well"' in opened
    assert admin.get(close_url(more, "?open=nonsense")).status_code == 200


def test_team_names_in_the_filter_are_escaped(more: World) -> None:
    make_objective(
        more.cycle, "odd", more.owner, team=make_team(more.org, "odd"), title="Odd team's goal"
    )
    Team.objects.filter(ref="odd").update(name="<b>Odd</b>")
    text = client_for(more.admin).get(close_url(more, "?team=odd")).content.decode()
    assert '<option value="odd" selected>&lt;b&gt;Odd&lt;/b&gt;</option>' in text
    assert "<b>Odd</b>" not in text


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", ["?page=2", "?page=2&team=beta", "?team=beta&open=0", "?page=9"])
def test_query_counts_do_not_grow_with_the_cycle(more: World, query: str) -> None:
    admin = client_for(more.admin)
    beta = make_team(more.org, "beta-2")
    urls = [close_url(more, query), plan_url(more, query)]
    small = [queries_for(admin, url) for url in urls]
    for n in range(12):
        team = beta if n % 2 else None
        make_objective(more.cycle, f"grown-{n}", more.owner, team=team, title=f"Grown {n}")
    large = [queries_for(admin, url) for url in urls]
    assert small == large
