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
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from pacer.insights.models import SCOPE_ALL, SCOPE_PUBLIC, WeeklySnapshot
from pacer.okrs import progress as engine
from pacer.okrs.models import Cycle, KeyResult, Objective
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
    return sum(write_cycle(cycle, now=now) for cycle in chosen)


@task()
def write_weekly_snapshots() -> int:
    """The periodic run: this week's rows of every running cycle (replaced each run)."""
    written = write_snapshots()
    logger.info("wrote %d dashboard snapshot rows", written)
    return written
