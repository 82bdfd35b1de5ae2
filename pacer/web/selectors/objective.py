"""The objective page: reads for the pages (pacer.web.selectors)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from pacer.accounts.models import User
from pacer.okrs import permissions
from pacer.okrs import progress as engine
from pacer.okrs.models import (
    CheckIn,
    Cycle,
    KeyResult,
    Milestone,
    Objective,
)
from pacer.okrs.selectors import (
    Pace,
    follows_hidden,
    key_result_facts,
    key_result_pace,
    objective_pace,
    objectives_visible_to,
    read_only_problems,
    with_link_visibility,
)
from pacer.web import charts

CONFIDENCE_ORDER = (engine.OFF_TRACK, engine.AT_RISK, engine.ON_TRACK)
HISTORY_SHOWN = 8  # the latest check-ins a key result's row lists


@dataclass
class KeyResultDetail:
    """A key result as its objective's page shows it: pace, its latest check-ins (newest
    first, HISTORY_SHOWN at most) and how many it has, milestones, and the progress series
    its chart draws."""

    kr: KeyResult
    pace: Pace
    checkins: list[CheckIn]
    checkin_count: int
    milestones: list[Milestone]
    series: list[charts.Point]
    satisfied: bool | None
    follows_hidden: bool  # an objective the reader may not see: neither it nor its progress


@dataclass
class ObjectiveDetail:
    """What the objective page shows of one objective, read in a fixed number of queries."""

    objective: Objective
    pace: Pace
    confidence: str
    key_results: list[KeyResultDetail]
    series: list[charts.Point]
    parents: list[tuple[Objective, Pace]]
    children: list[tuple[Objective, Pace]]
    can_edit: bool
    read_only_reason: str

    @property
    def writable(self) -> bool:
        return self.can_edit and not self.read_only_reason

    @property
    def succeeded(self) -> bool:
        return engine.succeeded(self.objective.kind, self.objective.score)


def objective_detail(person: User, objective: Objective, *, on: date) -> ObjectiveDetail:
    bands = objective.organization.bands
    key_results = list(objective_key_results(person, objective, on=on))
    latest = latest_checkins(key_results)
    details = [
        key_result_detail(kr, latest[kr.pk], objective.cycle, on=on, bands=bands)
        for kr in key_results
    ]
    return ObjectiveDetail(
        objective=objective,
        pace=objective_pace(objective, on=on, bands=bands),
        confidence=lowest_confidence(kr.confidence for kr in key_results),
        key_results=details,
        series=objective_series(objective, details, on),
        parents=paced(related_objectives(person, child_links__child=objective), on, bands),
        children=paced(related_objectives(person, parent_links__parent=objective), on, bands),
        can_edit=permissions.can_edit_objective(person, objective),
        read_only_reason=read_only_reason(objective),
    )


def read_only_reason(objective: Objective) -> str:
    """The service's reason, as a sentence ('' when the objective may change)."""
    problems = read_only_problems(objective)
    message = problems[0][1] if problems else ""
    return message[:1].upper() + message[1:] + "." if message else ""


def objective_key_results(person: User, objective: Objective, *, on: date) -> QuerySet[KeyResult]:
    """The key results with their milestones, how many check-ins each holds and one reading
    per day for the chart (`daily_checkins`), in the same queries however many there are."""
    daily = daily_checkins(objective.cycle, on=on)
    key_results = (
        objective.key_results.select_related("owner", "linked_objective", "source")
        .annotate(checkin_count=checkins_counted())
        .prefetch_related(
            "milestones", Prefetch("checkins", queryset=daily, to_attr="daily_checkins")
        )
        .order_by("position", "id")
    )
    return with_link_visibility(key_results, person)


def latest_checkins(key_results: list[KeyResult]) -> dict[int, list[CheckIn]]:
    """The latest HISTORY_SHOWN check-ins of each key result, newest first, in one query:
    one short range of the `checkin_latest` index per key result, however many it holds."""
    newest = CheckIn.objects.order_by("-at", "-id").values("pk")
    slices = [newest.filter(key_result=kr.pk)[:HISTORY_SHOWN] for kr in key_results]
    found: dict[int, list[CheckIn]] = defaultdict(list)
    if not slices:
        return found
    if connection.features.supports_slicing_ordering_in_compound and len(slices) > 1:
        # PostgreSQL: one UNION ALL of the slices. ORed `pk IN (slice)` conditions became
        # hashed subplans over a scan of every check-in (165 ms at the large bench size).
        wanted = Q(pk__in=slices[0].union(*slices[1:], all=True))
    else:  # SQLite allows no slice inside a UNION, and runs each IN as an index range
        wanted = Q(pk__in=[])
        for one in slices:
            wanted |= Q(pk__in=one)
    for checkin in CheckIn.objects.filter(wanted).select_related("author").order_by("-at", "-id"):
        found[checkin.key_result_id].append(checkin)
    return found


def checkins_counted() -> Coalesce:
    """How many check-ins a key result holds (a subquery per row of a short list)."""
    counted = (
        CheckIn.objects.filter(key_result=OuterRef("pk"))
        .order_by()
        .values("key_result")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def daily_checkins(cycle: Cycle, *, on: date) -> QuerySet[CheckIn]:
    """The last check-in of each day of each key result: at most one per day of the cycle up
    to `on` (a chart needs no more), however many check-ins there are.

    Days are the server's (TIME_ZONE): `chart_day` finds a moment's day by comparing it with
    the days' starts, worked out here, so the database converts no time zone (a stored year 1
    cannot be converted west of UTC) and needs no function per row.
    """
    days = chart_days(cycle, on=on)
    latest_first = Window(
        RowNumber(),
        partition_by=[F("key_result_id"), day_of("at", days)],
        order_by=[F("at").desc(), F("pk").desc()],
    )
    readings = CheckIn.objects.annotate(rank=latest_first).filter(rank=1)
    return readings.only("key_result_id", "value", "at").order_by()


def chart_days(cycle: Cycle, *, on: date) -> list[date]:
    """The days a chart shows: from the cycle's start to `on` (the start alone before it)."""
    count = max((on - cycle.start).days, 0) + 1
    return [cycle.start + timedelta(days=n) for n in range(count)]


def chart_day(moment: datetime, cycle: Cycle, *, on: date) -> date:
    """The day of `chart_days` a check-in counts on: its own, else the first or the last."""
    return min(max(charts.local_day(moment), cycle.start), max(on, cycle.start))


def day_start(on: date) -> datetime:
    """00:00 of `on` in the current time zone."""
    return timezone.make_aware(datetime.combine(on, time.min))


def day_of(field: str, days: list[date]) -> Case | Value:
    """SQL for `chart_day`: a balanced tree of comparisons with the days' starts (about
    log2(len(days)) per row), whose leaves are the days' positions."""

    def within(low: int, high: int) -> Case | Value:
        if high - low == 1:
            return Value(low)
        middle = (low + high) // 2
        before = When(**{f"{field}__lt": day_start(days[middle])}, then=within(low, middle))
        return Case(before, default=within(middle, high), output_field=IntegerField())

    return within(0, len(days))


def key_result_detail(
    kr: KeyResult, latest: list[CheckIn], cycle: Cycle, *, on: date, bands: engine.Bands
) -> KeyResultDetail:
    milestones = list(kr.milestones.all())
    facts = key_result_facts(kr)
    return KeyResultDetail(
        kr=kr,
        pace=key_result_pace(kr, cycle, on=on, bands=bands),
        checkins=latest,
        checkin_count=kr.checkin_count,  # type: ignore[attr-defined]
        milestones=milestones,
        series=key_result_series(kr, cycle, kr.daily_checkins, milestones, on),  # type: ignore[attr-defined]
        satisfied=engine.health_satisfied(facts) if kr.type in engine.HEALTH_TYPES else None,
        follows_hidden=follows_hidden(kr),
    )


def key_result_series(
    kr: KeyResult, cycle: Cycle, daily: list[CheckIn], milestones: list[Milestone], on: date
) -> list[charts.Point]:
    """Progress after each day's last check-in (by its value; `daily_checkins`) or milestone
    done (by the day it was)."""
    facts = replace(
        key_result_facts(kr),
        current=None,
        milestones=tuple(engine.Milestone(m.weight, m.done) for m in milestones),
    )
    readings = [
        charts.Reading(on=chart_day(c.at, cycle, on=on), value=c.value)
        for c in daily
        if kr.type not in engine.DERIVED_TYPES
    ] + [
        charts.Reading(on=charts.local_day(m.updated_at), milestone_done=index)
        for index, m in enumerate(milestones)
        if m.done
    ]
    return charts.key_result_series(
        facts, readings, window_start=cycle.start, today=on, current_progress=kr.progress
    )


def objective_series(
    objective: Objective, key_results: list[KeyResultDetail], on: date
) -> list[charts.Point]:
    """The weighted line of the key results' series; a straight line without any."""
    series = charts.objective_series([(d.kr.weight, d.series) for d in key_results])
    return series or [(objective.cycle.start, engine.ZERO), (on, objective.progress)]


def related_objectives(person: User, **condition: object) -> list[Objective]:
    """Parents or children of an objective, only those `person` may see."""
    related = objectives_visible_to(person).filter(**condition)
    return list(related.select_related("cycle", "owner").order_by("title"))


def paced(
    objectives: list[Objective], on: date, bands: engine.Bands
) -> list[tuple[Objective, Pace]]:
    return [(o, objective_pace(o, on=on, bands=bands)) for o in objectives]


def lowest_confidence(confidences: Iterable[str]) -> str:
    """The objective's confidence: the lowest its key results report (empty if none)."""
    reported = set(confidences)
    return next((c for c in CONFIDENCE_ORDER if c in reported), "")
