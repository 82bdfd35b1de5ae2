"""The weekly snapshots behind the dashboards' trends (docs/dashboards.md, "Trends").

Pacer stores today's progress, not yesterday's: a trend needs the numbers of past weeks
kept when they were true. The `weekly-snapshots` periodic task (pacer/jobs/schedule.py)
and `pacer snapshots write [--cycle REF]` write, for every active cycle, one row per
(team, scope) for the ISO week of today: the counts of that team's own live objectives by
status at today's date, their progress sum, and their key results by status and by
reported confidence. A later run in the same week replaces the week's rows (the last
write of a week stands), so the task may run any number of times. The trend charts read
these rows only; nothing is recomputed per request.

Two scopes (models.py): `public` counts public objectives only, `all` counts every one.
"""

import logging
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import task

from pacer.insights.dashboards import NOT_CHECKED_IN_TYPES, Period, periods_of
from pacer.insights.models import (
    SCOPE_ALL,
    SCOPE_PUBLIC,
    SCOPES,
    ParticipationSnapshot,
    WeeklySnapshot,
)
from pacer.okrs import periods
from pacer.okrs import progress as engine
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Objective, Team
from pacer.okrs.selectors import key_result_facts

logger = logging.getLogger("pacer.insights")


def week_of(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


@dataclass
class Tally:
    """One snapshot row's numbers while they are counted."""

    objectives: dict[str, int] = field(default_factory=lambda: dict.fromkeys(engine.STATUSES, 0))
    progress_sum: Decimal = engine.ZERO
    key_results: dict[str, int] = field(default_factory=lambda: dict.fromkeys(engine.STATUSES, 0))
    confidences: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys((*engine.CONFIDENCES, ""), 0)
    )

    def fields(self) -> dict[str, object]:
        o, k, c = self.objectives, self.key_results, self.confidences
        return {
            "objectives": sum(o.values()),
            "objectives_done": o[engine.DONE],
            "objectives_on_track": o[engine.ON_TRACK],
            "objectives_at_risk": o[engine.AT_RISK],
            "objectives_off_track": o[engine.OFF_TRACK],
            "progress_sum": self.progress_sum,
            "key_results": sum(k.values()),
            "key_results_done": k[engine.DONE],
            "key_results_on_track": k[engine.ON_TRACK],
            "key_results_at_risk": k[engine.AT_RISK],
            "key_results_off_track": k[engine.OFF_TRACK],
            "confidence_on_track": c[engine.ON_TRACK],
            "confidence_at_risk": c[engine.AT_RISK],
            "confidence_off_track": c[engine.OFF_TRACK],
            "confidence_none": c[""],
        }


Key = tuple[int | None, str]  # (team id, scope)


def scopes_of(visibility: str) -> tuple[str, ...]:
    """The scopes an objective counts in: every one in `all`, public ones also in `public`."""
    return (SCOPE_ALL, SCOPE_PUBLIC) if visibility == engine.PUBLIC else (SCOPE_ALL,)


def tally_cycle(cycle: Cycle, *, on: date) -> dict[Key, Tally]:
    """The numbers of every (team, scope) of the cycle at `on`: two queries."""
    bands = cycle.organization.bands
    tallies: dict[Key, Tally] = defaultdict(Tally)
    expected = engine.expected_progress(on, cycle.start, cycle.end)
    objectives = Objective.objects.filter(cycle=cycle, archived_at__isnull=True)
    for team_id, visibility, progress in objectives.values_list(
        "team_id", "visibility", "progress"
    ):
        status = engine.paced_status(progress, expected, bands)
        for scope in scopes_of(visibility):
            tally = tallies[team_id, scope]
            tally.objectives[status] += 1
            tally.progress_sum += progress
    for kr, kr_team_id, kr_visibility in key_results_of(cycle):
        window_start, window_end = kr.window(cycle)
        status = engine.key_result_status(
            key_result_facts(kr),
            kr.progress,
            on=on,
            window_start=window_start,
            window_end=window_end,
            bands=bands,
        )
        confidence = kr.confidence if kr.confidence in engine.CONFIDENCES else ""
        for scope in scopes_of(kr_visibility):
            tallies[kr_team_id, scope].key_results[status] += 1
            tallies[kr_team_id, scope].confidences[confidence] += 1
    return tallies


def key_results_of(cycle: Cycle) -> Iterable[tuple[KeyResult, int | None, str]]:
    """The live objectives' key results with what a status reads, and their objective's
    team and visibility, streamed (a large cycle has tens of thousands)."""
    rows = (
        KeyResult.objects.filter(objective__cycle=cycle, objective__archived_at__isnull=True)
        .select_related("objective")
        .only(
            "type",
            "progress",
            "current",
            "start",
            "target",
            "threshold",
            "low",
            "high",
            "due",
            "last_checkin_at",
            "confidence",
            "objective__team_id",
            "objective__visibility",
        )
    )
    for kr in rows.iterator(chunk_size=2000):
        yield kr, kr.objective.team_id, kr.objective.visibility


def write_cycle(cycle: Cycle, *, now: datetime) -> int:
    """Replace the cycle's rows of `now`'s ISO week; how many rows were written."""
    on = timezone.localdate(now)
    week = week_of(on)
    tallies = tally_cycle(cycle, on=on)
    rows = [
        WeeklySnapshot(
            organization_id=cycle.organization_id,
            cycle=cycle,
            team_id=team_id,
            scope=scope,
            week=week,
            written_at=now,
            **tally.fields(),
        )
        for (team_id, scope), tally in tallies.items()
    ]
    with transaction.atomic():
        WeeklySnapshot.objects.filter(cycle=cycle, week=week).delete()
        WeeklySnapshot.objects.bulk_create(rows)
    return len(rows)


# --- Check-in participation of ended periods ---------------------------------------------------

People = dict[str, list[set[int]]]  # scope -> per period, the people counted


@dataclass
class PeriodSets:
    """Per scope and period of one cadence: who was awaited, who checked in."""

    awaited: People = field(default_factory=dict)
    checked: People = field(default_factory=dict)

    def add(self, other: "PeriodSets") -> None:
        for mine, theirs in ((self.awaited, other.awaited), (self.checked, other.checked)):
            for scope, sets in theirs.items():
                into = mine.setdefault(scope, [set() for _ in sets])
                for target, people in zip(into, sets, strict=True):
                    target |= people


@dataclass(frozen=True)
class AwaitedKr:
    who: int
    team_id: int | None
    scopes: tuple[str, ...]
    done_now: bool
    last_checkin_at: datetime | None

    def awaited_in(self, period: Period) -> bool:
        """Not done all through the period (dashboards.done_before, in Python)."""
        done_before = (
            self.done_now and self.last_checkin_at is not None
            and self.last_checkin_at < period.start
        )  # fmt: skip
        return not done_before


def awaited_key_results(cycle: Cycle) -> dict[int, AwaitedKr]:
    """The cycle's key results that take check-ins, under live objectives: one query."""
    rows = (
        KeyResult.objects.filter(objective__cycle=cycle, objective__archived_at__isnull=True)
        .exclude(type__in=NOT_CHECKED_IN_TYPES)
        .annotate(who=Coalesce("owner_id", "objective__owner_id"))
        .values_list(
            "pk", "who", "objective__team_id", "objective__visibility", "progress", "type",
            "last_checkin_at",
        )
    )  # fmt: skip
    return {
        pk: AwaitedKr(
            who,
            team_id,
            scopes_of(visibility),
            progress >= engine.ONE and kind not in engine.HEALTH_TYPES,
            last_checkin_at,
        )
        for pk, who, team_id, visibility, progress, kind, last_checkin_at in rows
    }


def own_period_sets(
    cycle: Cycle, found: list[Period], krs: dict[int, AwaitedKr]
) -> dict[int | None, PeriodSets]:
    """Per team (None: objectives without a team), the people of its own key results awaited
    and checking in, in each period of `found`: one query for the check-ins."""
    own: dict[int | None, PeriodSets] = defaultdict(PeriodSets)

    def sets_of(people: People, scope: str) -> list[set[int]]:
        return people.setdefault(scope, [set() for _ in found])

    for kr in krs.values():
        for scope in kr.scopes:
            awaited = sets_of(own[kr.team_id].awaited, scope)
            for i, period in enumerate(found):
                if kr.awaited_in(period):
                    awaited[i].add(kr.who)
    if not found:
        return own
    starts = [p.start for p in found]
    checkins = CheckIn.objects.filter(
        key_result__objective__cycle=cycle, at__gte=found[0].start, at__lt=found[-1].end
    ).values_list("key_result_id", "at")
    for kr_id, at in checkins.iterator(chunk_size=5000):
        checked_kr = krs.get(kr_id)  # None: linked or fed by work, or its objective archived
        if checked_kr is None:
            continue
        i = bisect_right(starts, at) - 1
        for scope in checked_kr.scopes:
            sets_of(own[checked_kr.team_id].checked, scope)[i].add(checked_kr.who)
    return own


def participation_rows(cycle: Cycle, *, now: datetime) -> list[ParticipationSnapshot]:
    """The participation of every ended period of the cycle (UTC, of each cadence in use)
    for the organization and for every team with the teams below it, in both scopes."""
    organization = cycle.organization
    org_cadence = organization.checkin_cadence or periods.WEEKLY
    teams = list(
        Team.objects.filter(organization=organization).only("pk", "parent_id", "checkin_cadence")
    )
    krs = awaited_key_results(cycle)
    wanted: list[tuple[int | None, str]] = [(None, org_cadence)]
    wanted += [(t.pk, t.checkin_cadence or org_cadence) for t in teams]
    rows: list[ParticipationSnapshot] = []
    for cadence in sorted({c for _, c in wanted}):
        ended = [p for p in periods_of(cycle, cadence, now=now, zone=UTC) if p.end <= now]
        own = own_period_sets(cycle, ended, krs)
        trees = tree_sets(teams, own)
        everyone = PeriodSets()
        for sets in own.values():
            everyone.add(sets)
        trees[None] = everyone
        for team_id, team_cadence in wanted:
            if team_cadence == cadence:
                rows += snapshot_rows(cycle, team_id, ended, trees.get(team_id), now=now)
    return rows


def tree_sets(teams: list[Team], own: dict[int | None, PeriodSets]) -> dict[int | None, PeriodSets]:
    """Each team's sets with every team below it, built bottom-up (children before their
    parent, without recursion: a tree may be deeper than Python's stack)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for team in teams:
        children[team.parent_id].append(team.pk)
    order: list[int] = []
    stack = list(children[None])
    while stack:
        team_id = stack.pop()
        order.append(team_id)
        stack.extend(children[team_id])
    trees: dict[int | None, PeriodSets] = {}
    for team_id in reversed(order):  # every child comes after its parent in `order`
        sets = PeriodSets()
        sets.add(own.get(team_id, PeriodSets()))
        for child in children[team_id]:
            sets.add(trees[child])
        trees[team_id] = sets
    return trees


def snapshot_rows(
    cycle: Cycle,
    team_id: int | None,
    ended: list[Period],
    sets: PeriodSets | None,
    *,
    now: datetime,
) -> list[ParticipationSnapshot]:
    sets = sets or PeriodSets()
    return [
        ParticipationSnapshot(
            organization_id=cycle.organization_id,
            cycle=cycle,
            team_id=team_id,
            scope=scope,
            period_start=period.start,
            written_at=now,
            awaited=len(sets.awaited.get(scope, [set()] * len(ended))[i]),
            checked_in=len(sets.checked.get(scope, [set()] * len(ended))[i]),
        )
        for scope in SCOPES
        for i, period in enumerate(ended)
    ]


def write_participation(cycle: Cycle, *, now: datetime) -> int:
    """Replace the cycle's stored participation; how many rows were written."""
    rows = participation_rows(cycle, now=now)
    with transaction.atomic():
        ParticipationSnapshot.objects.filter(cycle=cycle).delete()
        ParticipationSnapshot.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def cycles_to_snapshot(*, on: date) -> list[Cycle]:
    """Active cycles running on `on` (a closed cycle's numbers are frozen; its trend ends)."""
    return list(
        Cycle.objects.filter(state=Cycle.State.ACTIVE, start__lte=on, end__gte=on)
        .select_related("organization")
        .order_by("pk")
    )


def write_snapshots(*, now: datetime | None = None, cycles: list[Cycle] | None = None) -> int:
    now = now or timezone.now()
    chosen = cycles if cycles is not None else cycles_to_snapshot(on=timezone.localdate(now))
    return sum(
        write_cycle(cycle, now=now) + write_participation(cycle, now=now) for cycle in chosen
    )


@task()
def write_weekly_snapshots() -> int:
    """The periodic run: this week's rows of every running cycle (replaced each run)."""
    written = write_snapshots()
    logger.info("wrote %d dashboard snapshot rows", written)
    return written
