"""The plan score on the cycle overview (pacer.coach.plan_score): while a cycle is planned
(or not started), each objective row shows the share of the coach's rules it passes and a
"Plan score" table pools each team's objectives; in a fixed number of queries.

The shared world (tests.factories): Acme's platform team (a top team, led by `owner`, with
`teammate`); `outsider` is in no team. The tests plan 2027-Q1.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacer.accounts.models import User
from pacer.coach import plan_score
from pacer.coach.models import RuleSetting
from pacer.coach.rules import INFO, RULES
from pacer.okrs.models import Alignment, Cycle, Objective
from tests.factories import World, make_cycle, make_key_result, make_objective

pytestmark = pytest.mark.django_db

# The rules a plan is judged by: not the suggestions, not those needing check-ins.
JUDGING = [r for r in RULES.values() if r.level != INFO and not r.cycle_only]


def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def page(person: User, cycle: Cycle, **headers: str) -> str:
    response = client_for(person).get(reverse("cycle_overview", args=[cycle.ref]), **headers)
    assert response.status_code == 200
    return response.content.decode()


def planned(world: World, state: str = "planning") -> Cycle:
    return make_cycle(world.org, "2027-q1", date(2027, 1, 1), date(2027, 3, 31), state=state)


def well_formed(cycle: Cycle, ref: str, owner: User, **fields: object) -> Objective:
    """An objective that passes every rule: a metric and its counter-metric."""
    objective = make_objective(cycle, ref, owner, title="Grow the community", **fields)
    make_key_result(objective, f"{ref}-users", title="Weekly active users", start=1200, target=2000)
    make_key_result(objective, f"{ref}-cost", title="Cost per signup", start=12, target=8)
    return objective


def badly_formed(cycle: Cycle, ref: str, owner: User, **fields: object) -> Objective:
    """objective-has-metric, and one yes/no task: task-like-kr, kr-not-measurable and
    too-few-key-results."""
    objective = make_objective(cycle, ref, owner, title="Raise revenue by 20%", **fields)
    make_key_result(objective, f"{ref}-site", "boolean", title="Launch the new website")
    return objective


def share(passed: int, checked: int) -> str:
    return f"{Decimal(passed) / checked * 100:.0f}%"


def plan_cells(html: str) -> list[str]:
    return re.findall(r'data-testid="plan-score">Plan (\d+%)<', html)


def team_rows(html: str) -> list[str]:
    rows = re.findall(r'<tr data-testid="team-plan-score">(.*?)</tr>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_scores_per_objective_and_team_equal_an_independent_count(world: World) -> None:
    cycle = planned(world)
    well_formed(cycle, "good", world.owner, team=world.team)
    badly_formed(cycle, "bad", world.owner, team=world.team)
    make_objective(cycle, "bare", world.teammate, title="Ship faster")  # no team, no key result
    n = len(JUDGING)
    html = page(world.owner, cycle)
    assert sorted(plan_cells(html)) == sorted([share(n, n), share(n - 4, n), share(n - 1, n)])
    for rule in ("objective-has-metric", "task-like-kr", "kr-not-measurable"):
        assert f"<code>{rule}</code>" in html
    assert team_rows(html) == [
        f"Platform 2 {2 * n - 4} of {2 * n} {share(2 * n - 4, 2 * n)}",
        f"No team 1 {n - 1} of {n} {share(n - 1, n)}",
    ]


def test_the_scores_follow_the_organizations_rules(world: World) -> None:
    cycle = planned(world)
    badly_formed(cycle, "bad", world.owner, team=world.team)
    RuleSetting.objects.create(organization=world.org, rule="task-like-kr", enabled=False)
    RuleSetting.objects.create(organization=world.org, rule="too-few-key-results", threshold=1)
    n = len(JUDGING) - 1
    assert plan_cells(page(world.owner, cycle)) == [share(n - 2, n)]


def test_shown_only_while_the_cycle_is_planned(world: World) -> None:
    for cycle in (world.cycle, planned(world, "closed")):  # under way, closed
        well_formed(cycle, f"in-{cycle.ref}", world.owner, team=world.team)
        html = page(world.owner, cycle)
        assert "Plan score" not in html
        assert plan_cells(html) == []
    later = make_cycle(world.org, "2099-q2", date(2099, 4, 1), date(2099, 6, 30))  # not started
    well_formed(later, "later", world.owner, team=world.team)
    assert plan_cells(page(world.owner, later)) == ["100%"]
    assert plan_score.is_being_planned(later, on=date(2099, 3, 31))
    assert not plan_score.is_being_planned(later, on=date(2099, 4, 1))
    assert not plan_score.is_being_planned(world.cycle, on=date(2026, 5, 1))


def test_rows_of_an_htmx_fragment_have_their_scores(world: World) -> None:
    cycle = planned(world)
    well_formed(cycle, "good", world.owner, team=world.team)
    fragment = page(world.owner, cycle, HTTP_HX_REQUEST="true")
    assert plan_cells(fragment) == ["100%"]
    assert 'id="plan-score-heading"' not in fragment  # the team table is the page's


def test_a_team_score_counts_only_what_the_viewer_sees(world: World) -> None:
    cycle = planned(world)
    well_formed(cycle, "good", world.owner, team=world.team)
    badly_formed(cycle, "hidden", world.owner, team=world.team, visibility="private")
    n = len(JUDGING)
    assert team_rows(page(world.outsider, cycle)) == [f"Platform 1 {n} of {n} 100%"]
    assert team_rows(page(world.owner, cycle))[0].startswith("Platform 2 ")


def grow(world: World, cycle: Cycle, prefix: str, n: int) -> None:
    """n good objectives (aligned to "Deliver faster") and n bad ones."""
    for i in range(n):
        good = well_formed(cycle, f"{prefix}-good-{i}", world.teammate, team=world.team)
        Alignment.objects.create(child=good, parent=world.public)
        badly_formed(cycle, f"{prefix}-bad-{i}", world.owner)


def test_queries_do_not_grow_with_the_plan(world: World) -> None:
    cycle = planned(world)
    owner = client_for(world.owner)
    url = reverse("cycle_overview", args=[cycle.ref])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner.get(url).status_code == 200
        return len(captured)

    grow(world, cycle, "a", 2)
    small = count()
    grow(world, cycle, "b", 12)
    assert count() == small
