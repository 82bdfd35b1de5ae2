"""Issue 11's pages read a constant number of queries whatever the data: the new objective
form, a key result's edit page and the cycle close page, at two sizes (the teams, people and
cycle forms have theirs in test_team_pages and test_cycle_pages, search in test_search; the
bench's own two-size test covers all of them on generated data).

The shared world (tests.factories): Acme's admin; the owner's public objective "Deliver
faster" in 2026-Q2 with its metric `adoption`.
"""

from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacer.accounts.models import User
from pacer.okrs.models import Alignment
from tests.factories import (
    World,
    make_cycle,
    make_key_result,
    make_milestones,
    make_objective,
    make_person,
    make_team,
)

pytestmark = pytest.mark.django_db


def grow(world: World, prefix: str, n: int) -> None:
    """n more of everything the pages list: objectives (aligned, with a metric and a
    milestones key result), people, teams and cycles."""
    for i in range(n):
        person = make_person(world.org, f"{prefix}{i}@acme.example")
        team = make_team(world.org, f"{prefix}-team-{i}", members=(person,), leads=(person,))
        objective = make_objective(world.cycle, f"{prefix}-goal-{i}", world.owner, team=world.team)
        Alignment.objects.create(child=objective, parent=world.public)
        make_key_result(objective, f"{prefix}-kr-{i}", owner=person)
        steps = make_key_result(objective, f"{prefix}-steps-{i}", type="milestones")
        make_milestones(steps, ("One", 1, True), ("Two", 1, False))
        make_objective(world.cycle, f"{prefix}-own-{i}", person, team=team)
        make_cycle(world.org, f"{prefix}-q-{i}", date(2030 + i, 1, 1), date(2030 + i, 3, 31))


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


PAGES: list[tuple[str, str, Callable[[World], str]]] = [
    ("new objective", "owner", lambda w: reverse("objective_new")),
    ("new objective", "admin", lambda w: reverse("objective_new")),
    (
        "key result edit",
        "owner",
        lambda w: reverse("key_result_edit", args=[w.public.ref, w.adoption.ref]),
    ),
    ("cycle close", "admin", lambda w: reverse("cycle_close", args=[w.cycle.ref])),
]


@pytest.mark.parametrize(("name", "who", "url_of"), PAGES, ids=[f"{p[0]}-{p[1]}" for p in PAGES])
def test_query_count_does_not_grow_with_data(
    world: World, name: str, who: str, url_of: Callable[[World], str]
) -> None:
    reader: User = getattr(world, who)
    client = Client()
    client.force_login(reader)
    url = url_of(world)
    grow(world, "a", 2)
    small = queries(client, url)
    grow(world, "b", 12)
    large = queries(client, url)
    assert small == large, f"{name}: {small} queries, then {large} with more data"
