"""Every number of a dashboard equals an independent computation from the contract
(okr-semantics.md) over generated objectives, key results and check-ins, for viewers who see
different things (an admin sees every objective, a team member their team's private ones,
an outsider only public ones): private objectives reach no number a viewer may not see.

The independent side below is written from the contract's words, not from Pacer's engine:
expected progress, the status bands, visibility, the rhythm's weekly periods."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacer.accounts.models import User
from pacer.insights import dashboards as insights
from pacer.insights.models import ParticipationSnapshot
from pacer.insights.snapshots import write_participation
from pacer.okrs.models import CheckIn, KeyResult, Membership, Objective, Team
from pacer.okrs.services.checkins import checkin_create
from tests.factories import World, make_person, make_team

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 13, 10, 0, tzinfo=UTC)  # a Wednesday inside 2026-Q2
TODAY = NOW.date()
UTC_ZONE = ZoneInfo("UTC")
CYCLE_START, CYCLE_END = date(2026, 4, 1), date(2026, 6, 30)
STATUSES = ("done", "on_track", "at_risk", "off_track")
TEAMS = (None, "platform", "sub", "other")
PEOPLE = ("admin", "owner", "teammate", "outsider", "subber")


@dataclass
class GeneratedKr:
    type: str
    progress: Decimal
    owner: str | None
    checkin_days: list[int]  # days after the cycle's start


@dataclass
class GeneratedObjective:
    team: str | None
    visibility: str
    owner: str
    archived: bool
    progress: Decimal
    key_results: list[GeneratedKr]


progress = st.sampled_from(
    [Decimal(x) for x in ("0", "0.05", "0.1", "0.2", "0.3", "0.34", "0.45", "0.6", "0.99", "1")]
)
key_results = st.builds(
    GeneratedKr,
    type=st.sampled_from(["metric", "boolean", "stay_above", "linked", "milestones"]),
    progress=progress,
    owner=st.none() | st.sampled_from(PEOPLE),
    checkin_days=st.lists(st.integers(min_value=0, max_value=42), max_size=3),
)
objectives = st.builds(
    GeneratedObjective,
    team=st.sampled_from(TEAMS),
    visibility=st.sampled_from(["public", "private"]),
    owner=st.sampled_from(PEOPLE),
    archived=st.booleans(),
    progress=progress,
    key_results=st.lists(key_results, max_size=3),
)


# --- The contract, independently ----------------------------------------------------------


def expected_progress(on: date) -> Decimal:
    days = Decimal((on - CYCLE_START).days) / Decimal((CYCLE_END - CYCLE_START).days)
    return min(max(days, Decimal(0)), Decimal(1))


def contract_status(p: Decimal) -> str:
    if p >= 1:
        return "done"
    gap = expected_progress(TODAY) - p
    if gap <= Decimal("0.10"):
        return "on_track"
    if gap <= Decimal("0.25"):
        return "at_risk"
    return "off_track"


def sees(viewer: str, o: GeneratedObjective, members: dict[str, set[str]]) -> bool:
    """Public: everyone; private: the owner, the owning team's members, admins."""
    if o.visibility == "public" or viewer == "admin" or o.owner == viewer:
        return True
    return o.team is not None and viewer in members[o.team]


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def at_of(days: int) -> datetime:
    return datetime.combine(CYCLE_START + timedelta(days=days), datetime.min.time(), UTC)


def answerer(o: GeneratedObjective, kr: GeneratedKr) -> str:
    return kr.owner or o.owner


def is_done(kr: GeneratedKr) -> bool:
    return kr.progress >= 1 and kr.type != "stay_above"


def last_checkin(kr: GeneratedKr) -> datetime | None:
    return at_of(max(kr.checkin_days)) if kr.checkin_days else None


def expected_numbers(
    viewer: str, generated: list[GeneratedObjective], teams: set[str] | None
) -> dict[str, Any]:
    members = {"platform": {"owner", "teammate"}, "sub": {"subber"}, "other": set()}
    shown = [
        o
        for o in generated
        if sees(viewer, o, members) and not o.archived and (teams is None or o.team in teams)
    ]
    statuses = {s: 0 for s in STATUSES}
    # The heat map, one level at a time (docs/dashboards.md). The organization has two top
    # teams, platform (with sub below it) and other: a row each, with the teams below. The
    # platform dashboard: platform's own objectives, and a row for sub.
    rows = (
        {("platform", True): {"platform", "sub"}, ("other", True): {"other"}}
        if teams is None
        else {("platform", False): {"platform"}, ("sub", True): {"sub"}}
    )
    heat: dict[tuple[str, bool], dict[str, int]] = {}
    for o in shown:
        status = contract_status(o.progress)
        statuses[status] += 1
        for row, counted in rows.items():
            if o.team in counted:
                heat.setdefault(row, {s: 0 for s in STATUSES})[status] += 1
    # Stale: awaiting check-ins (not linked, not done), none since the previous week began.
    previous_week = datetime.combine(monday(TODAY) - timedelta(days=7), datetime.min.time(), UTC)
    stale = 0
    for o in shown:
        for kr in o.key_results:
            last = last_checkin(kr)
            if kr.type != "linked" and not is_done(kr) and (last is None or last < previous_week):
                stale += 1
    # Participation per week since the cycle's Monday (UTC), counted like the stored weeks:
    # public objectives only, every one for an admin (docs/dashboards.md).
    counted = [
        o
        for o in generated
        if (viewer == "admin" or o.visibility == "public")
        and not o.archived
        and (teams is None or o.team in teams)
    ]
    weeks = []
    start = monday(CYCLE_START)
    while start <= TODAY:
        begin = datetime.combine(start, datetime.min.time(), UTC)
        end = begin + timedelta(days=7)
        awaited, checked = set(), set()
        for o in counted:
            for kr in o.key_results:
                if kr.type == "linked":
                    continue
                last = last_checkin(kr)
                if not (is_done(kr) and last is not None and last < begin):
                    awaited.add(answerer(o, kr))
                if any(begin <= at_of(d) < end for d in kr.checkin_days):
                    checked.add(answerer(o, kr))
        weeks.append((awaited, checked))
        start += timedelta(days=7)
    # People without OKRs: own no visible live objective of the cycle, answer for no key
    # result under one (any team), among the scope's people.
    every_visible = [o for o in generated if sees(viewer, o, members) and not o.archived]
    busy = {o.owner for o in every_visible} | {
        kr.owner for o in every_visible for kr in o.key_results if kr.owner
    }
    scope_people = (
        set(PEOPLE) if teams is None else set().union(*(members[t] for t in teams if t in members))
    )
    return {
        "statuses": statuses,
        "heat": {team: counts for team, counts in heat.items()},
        "without_key_results": sum(1 for o in shown if not o.key_results),
        "stale": stale,
        "participation": [(len(a), len(c)) for a, c in weeks],
        "without_okrs": len(scope_people - busy),
    }


# --- The data -----------------------------------------------------------------------------


def build(world: World, generated: list[GeneratedObjective]) -> dict[str, Any]:
    subber = make_person(world.org, "subber@acme.test")
    platform = world.team
    sub = make_team(world.org, "sub", members=(subber,), parent=platform)
    other = make_team(world.org, "other")
    people = {
        "admin": world.admin,
        "owner": world.owner,
        "teammate": world.teammate,
        "outsider": world.outsider,
        "subber": subber,
    }
    User.objects.filter(organization=world.org).update(time_zone="UTC")
    teams: dict[str | None, Team | None] = {
        None: None,
        "platform": platform,
        "sub": sub,
        "other": other,
    }
    # Only the generated objectives: the world's own are removed.
    Objective.objects.filter(cycle=world.cycle).delete()
    for i, g in enumerate(generated):
        objective = Objective.objects.create(
            organization=world.org,
            cycle=world.cycle,
            ref=f"o{i}",
            title=f"Objective {i}",
            owner=people[g.owner],
            team=teams[g.team],
            visibility=g.visibility,
            progress=g.progress,
            archived_at=NOW if g.archived else None,
        )
        for j, k in enumerate(g.key_results):
            kr = KeyResult.objects.create(
                organization=world.org,
                objective=objective,
                ref=f"o{i}-k{j}",
                title=f"KR {i}.{j}",
                type=k.type,
                start=Decimal(0),
                target=Decimal(1),
                threshold=Decimal(1),
                owner=people[k.owner] if k.owner else None,
                progress=k.progress,
                last_checkin_at=last_checkin(k),
            )
            for day in k.checkin_days:
                CheckIn.objects.create(key_result=kr, value=Decimal(0), at=at_of(day))
    return {"people": people, "platform": platform, "sub": sub}


def board_of(viewer: User, scope: insights.Scope) -> insights.Dashboard:
    return insights.dashboard(viewer, scope, now=NOW, zone=UTC_ZONE, on=TODAY)


def actual_numbers(board: insights.Dashboard) -> dict[str, Any]:
    return {
        "statuses": board.statuses,
        "heat": {
            (row.team_ref, row.below): {c.status: c.n for c in row.cells} for row in board.heat
        },
        "without_key_results": board.without_key_results,
        "stale": board.stale,
        "participation": [(p.awaited, p.checked_in) for p in board.participation],
        "without_okrs": board.without_okrs,
    }


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(generated=st.lists(objectives, max_size=8))
def test_every_number_equals_the_contract(world: World, generated: list[Any]) -> None:
    savepoint = transaction.savepoint()
    try:
        built = build(world, generated)
        people, platform = built["people"], built["platform"]
        teams = list(Team.objects.filter(organization=world.org))
        cycle = world.cycle
        platform_scope = insights.scope_of_team(platform, teams, cycle)
        # Counted live, then with the ended weeks read from the stored participation.
        for stored in (False, True):
            if stored:
                write_participation(cycle, now=NOW)
            for name in ("admin", "teammate", "outsider", "subber"):
                viewer = people[name]
                organization = actual_numbers(board_of(viewer, insights.Scope(cycle)))
                assert organization == expected_numbers(name, generated, None), (name, stored)
                team = actual_numbers(board_of(viewer, platform_scope))
                expected = expected_numbers(name, generated, {"platform", "sub"})
                assert team == expected, (name, stored)
    finally:
        transaction.savepoint_rollback(savepoint)


def test_the_dashboards_membership_rule_matches_the_factories(world: World) -> None:
    """The independent side's members: the world's platform team is owner + teammate."""
    members = set(
        Membership.objects.filter(team=world.team).values_list("person__email", flat=True)
    )
    assert members == {"owner@acme.test", "teammate@acme.test"}


def test_the_heat_map_goes_down_a_single_top_team_to_the_level_below() -> None:
    """A company whose every team sits under one top team: the map shows the top team's own
    objectives and a row per team under it, not a single row for everything."""

    def team(pk: int, parent: int | None) -> Team:
        return Team(pk=pk, ref=f"t{pk}", name=f"T{pk}", parent_id=parent)

    company, sales, tech, backend = team(1, None), team(2, 1), team(3, 1), team(4, 3)
    tree = [company, sales, tech, backend]
    cycle = None  # heat_teams reads the scope's team only
    alone, below = insights.heat_teams(insights.Scope(cycle, team=None), tree)  # type: ignore[arg-type]
    assert (alone, below) == ([company], [sales, tech])
    alone, below = insights.heat_teams(insights.Scope(cycle, team=tech), tree)  # type: ignore[arg-type]
    assert (alone, below) == ([tech], [backend])
    alone, below = insights.heat_teams(insights.Scope(cycle, team=backend), tree)  # type: ignore[arg-type]
    assert (alone, below) == ([backend], [])


def test_the_ended_periods_are_read_from_the_stored_participation(world: World) -> None:
    """Once written, an ended week's numbers come from its stored row (a row changed behind
    the writer's back shows), and the current week is still counted live."""
    kr = KeyResult.objects.filter(objective=world.public).first()
    assert kr is not None
    CheckIn.objects.create(key_result=kr, value=Decimal(1), at=NOW - timedelta(days=7))
    written = write_participation(world.cycle, now=NOW)
    scope = insights.Scope(world.cycle)
    # Six ended weeks (30 Mar to 10 May), org + one team, two scopes.
    assert written == 6 * 2 * 2
    board = board_of(world.admin, scope)
    assert [(p.awaited, p.checked_in) for p in board.participation][-2][1] == 1
    ParticipationSnapshot.objects.filter(
        cycle=world.cycle, team=None, scope="all", period_start=board.participation[-2].period.start
    ).update(checked_in=42)
    again = board_of(world.admin, scope).participation
    assert again[-2].checked_in == 42
    # Through the service, as every check-in is written: the week under way is counted on
    # the key results' newest check-in, which the service keeps.
    checkin_create(key_result=kr, value=Decimal(2), at=NOW)
    assert board_of(world.admin, scope).participation[-1].checked_in == 1  # live
