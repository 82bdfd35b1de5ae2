"""Keeps stored progress in step with its inputs.

`refresh_after_change` runs inside the transaction of every write that changes a key
result's inputs (check-ins, milestones, fields, weights, links) and walks the chain of
`linked` key results upwards; `refresh_after_changes` does the same once for a batch (a bulk
of check-ins), so the chain is walked once however many items share it. `compute_all`
recomputes an organization from scratch in a fixed number of queries, for `pacer recompute`
and for bulk imports.

The forecast (okr-semantics.md, "Forecast") is kept beside progress by the same paths: a
metric key result's forecast reads its check-ins and its window (the cycle's dates and its
`due`), so a change to any of them (a check-in written, deleted or back-dated, a key
result's start, target, due or type, a cycle's dates) refreshes it.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from pacer.initiatives import impacts
from pacer.okrs import progress as engine
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Milestone, Objective, Organization

VALUE_QUANTUM = Decimal("0.000001")
ZERO = engine.ZERO


# What the roll-up stores on a key result, and on an objective.
KR_FIELDS = (
    "current",
    "confidence",
    "last_checkin_at",
    "progress",
    "forecast",
    "forecast_progress",
)
OBJECTIVE_FIELDS = ("progress", "forecast_progress")


@dataclass(frozen=True)
class Derived:
    """What is stored about a key result; objectives store `progress` and
    `forecast_progress`."""

    current: Decimal | None
    confidence: str
    last_checkin_at: object
    progress: Decimal
    forecast: Decimal | None
    forecast_progress: Decimal


@dataclass(frozen=True)
class ObjectiveNumbers:
    progress: Decimal
    forecast_progress: Decimal


def derive_key_result(
    kr: KeyResult,
    *,
    latest: CheckIn | None,
    milestones: Iterable[Milestone],
    linked_progress: Decimal | None,
    initiatives_progress: Decimal | None = None,
    forecast: Fraction | None = None,
) -> Derived:
    """`forecast`: a metric's exact least-squares value at its window's end
    (`metric_forecast`), None without one."""
    milestones = list(milestones)
    follows = initiatives_progress if kr.type == engine.INITIATIVES else linked_progress
    current = derived_current(kr, latest, milestones, follows)
    facts = engine.KeyResultFacts(
        type=kr.type,
        current=latest.value if latest and kr.type not in engine.DERIVED_TYPES else None,
        start=kr.start,
        target=kr.target,
        threshold=kr.threshold,
        low=kr.low,
        high=kr.high,
        milestones=tuple(engine.Milestone(m.weight, m.done) for m in milestones),
        linked_progress=linked_progress,
        initiatives_progress=initiatives_progress,
    )
    progress = engine.quantize_progress(engine.key_result_progress(facts))
    outlook = engine.key_result_forecast(
        kr.type, progress=progress, forecast=forecast, start=kr.start, target=kr.target
    )
    return Derived(
        current=current,
        confidence=latest.confidence if latest else "",
        last_checkin_at=latest.at if latest else None,
        progress=progress,
        forecast=outlook.value,
        forecast_progress=outlook.progress,
    )


def window_moments(window_start: date, window_end: date) -> tuple[datetime, Fraction]:
    """A key result's window as the forecast reads it: from 00:00 of its first day to the
    end of its last day (00:00 the day after), in the server's time zone (TIME_ZONE, as the
    charts' days): the moment it starts, and its length in days."""
    zone = timezone.get_default_timezone()
    try:
        origin = datetime.combine(window_start, time.min, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(window_end + timedelta(days=1), time.min, tzinfo=zone)
        return origin, engine.days_since(origin, end.astimezone(UTC))
    except OverflowError:  # a window at the calendar's edge: its days in UTC
        origin = datetime.combine(window_start, time.min, tzinfo=UTC)
        return origin, Fraction((window_end - window_start).days + 1)


def metric_forecast(
    kr: KeyResult,
    cycle_dates: tuple[date, date],
    checkins: Iterable[tuple[datetime, Decimal | None]],
) -> Fraction | None:
    """The exact forecast of a metric key result from its check-ins' (at, value) and its
    cycle's (start, end); None for other types or without two distinct times."""
    if kr.type != engine.METRIC or kr.start is None or kr.target is None:
        return None
    origin, horizon = window_moments(cycle_dates[0], kr.due or cycle_dates[1])
    readings = [(engine.seconds_since(origin, at), v) for at, v in checkins if v is not None]
    return engine.metric_forecast_by_seconds(kr.start, readings, horizon)


def derived_current(
    kr: KeyResult,
    latest: CheckIn | None,
    milestones: list[Milestone],
    linked_progress: Decimal | None,
) -> Decimal | None:
    """The value shown as `current`: the latest check-in's, or what the type derives.

    Milestones count the milestones done; linked key results show the followed objective's
    progress, initiatives key results the mean progress of their work (`linked_progress`);
    a metric without check-ins stands at its start.
    """
    if kr.type == engine.MILESTONES:
        return Decimal(sum(1 for m in milestones if m.done))
    if kr.type in (engine.LINKED, engine.INITIATIVES):
        # Shown at the precision of a stored value (6 places), as every `current` is.
        return None if linked_progress is None else linked_progress.quantize(VALUE_QUANTUM)
    if latest is not None and latest.value is not None:
        return latest.value
    return kr.start if kr.type == engine.METRIC else None


def apply_derived(kr: KeyResult, derived: Derived) -> bool:
    """Copy derived values onto `kr`; whether anything changed."""
    changed = False
    for name in KR_FIELDS:
        value = getattr(derived, name)
        if getattr(kr, name) != value:
            setattr(kr, name, value)
            changed = True
    return changed


def latest_checkin(kr: KeyResult) -> CheckIn | None:
    return kr.checkins.order_by("-at", "-id").first()


def metric_history(kr: KeyResult) -> tuple[CheckIn | None, list[tuple[datetime, Decimal | None]]]:
    """A metric's latest check-in (unsaved, with what the roll-up reads of it) and the (at,
    value) of all of them, in one query. Plain rows, not models: a key result fed by a data
    source holds thousands of check-ins, and building each one on every write made writes
    quadratic."""
    rows = list(kr.checkins.order_by("at", "id").values_list("at", "value", "confidence"))
    latest = None
    if rows:
        at, value, confidence = rows[-1]
        latest = CheckIn(key_result=kr, at=at, value=value, confidence=confidence)
    return latest, [(at, value) for at, value, _ in rows]


def cycle_dates_of(kr: KeyResult, objective: Objective | None = None) -> tuple[date, date]:
    """The (start, end) of the key result's cycle: from `objective` (or the key result's
    cached objective) when it is the key result's and carries its cycle, else one query."""
    if objective is None and KeyResult.objective.is_cached(kr):
        objective = kr.objective
    if (
        objective is not None
        and objective.pk == kr.objective_id
        and Objective.cycle.is_cached(objective)
    ):
        return objective.cycle.start, objective.cycle.end
    return Cycle.objects.filter(objectives=kr.objective_id).values_list("start", "end").get()


def refresh_key_result(kr: KeyResult, *, objective: Objective | None = None) -> bool:
    """Recompute one key result from the database and save it; whether it changed.

    `objective`: the key result's objective with its cycle, if the caller has it (a metric's
    forecast reads the cycle's dates)."""
    # The stored progress: the caller's copy of the followed objective may be older.
    linked = (
        Objective.objects.filter(pk=kr.linked_objective_id).values_list("progress", flat=True)[0]
        if kr.linked_objective_id
        else None
    )
    milestones = kr.milestones.all() if kr.type == engine.MILESTONES else ()
    forecast = None
    if kr.type == engine.METRIC:
        latest, at_values = metric_history(kr)
        forecast = metric_forecast(kr, cycle_dates_of(kr, objective), at_values)
    else:
        latest = latest_checkin(kr)
    derived = derive_key_result(
        kr,
        latest=latest,
        milestones=milestones,
        linked_progress=linked,
        initiatives_progress=work_progress(kr) if kr.type == engine.INITIATIVES else None,
        forecast=forecast,
    )
    if not apply_derived(kr, derived):
        return False
    kr.save(update_fields=[*KR_FIELDS, "updated_at"])
    return True


def work_progress(kr: KeyResult) -> Decimal:
    """The mean progress of the initiatives a key result of type `initiatives` gathers (each
    initiative keeps its own q, pacer.initiatives)."""
    rows = kr.initiatives.values_list("status", "progress")
    return engine.mean_initiative_progress(rows)


def objective_numbers_from_db(objective: Objective) -> ObjectiveNumbers:
    # Sums, so in no order: compiling the key results' default ORDER BY costs more than
    # reading the rows (this runs inside the write lock on every check-in).
    rows = objective.key_results.order_by().values_list("weight", "progress", "forecast_progress")
    return objective_numbers(rows)


def objective_numbers(rows: Iterable[tuple[Decimal, Decimal, Decimal | None]]) -> ObjectiveNumbers:
    """An objective's progress and forecast progress from its key results' (weight,
    progress, forecast_progress). A key result whose forecast was never computed (stored
    before forecasts, until `pacer recompute`) counts at its progress."""
    rows = list(rows)
    forecasts = [(w, p if f is None else f) for w, p, f in rows]
    return ObjectiveNumbers(
        progress=engine.quantize_progress(engine.objective_progress((w, p) for w, p, _ in rows)),
        forecast_progress=engine.objective_forecast_progress(forecasts),
    )


def apply_objective_numbers(objective: Objective, numbers: ObjectiveNumbers) -> bool:
    """Copy an objective's fresh numbers onto it; whether anything changed."""
    changed = False
    for name in OBJECTIVE_FIELDS:
        value = getattr(numbers, name)
        if getattr(objective, name) != value:
            setattr(objective, name, value)
            changed = True
    return changed


def refresh_objective(objective: Objective) -> None:
    """Recompute an objective's progress, then every key result that follows it, upwards."""
    refresh_objectives([objective])


def refresh_objectives(objectives: Iterable[Objective]) -> None:
    """Recompute these objectives' progress, then every key result that follows them, upwards.

    Each objective is recomputed at most once, after every objective it follows, and only if
    one of its inputs changed (it is one of `objectives`, or one of its linked key results
    moved): a batch of changes along one chain walks the chain once.
    """
    by_id = {objective.pk: objective for objective in objectives}
    dirty = set(by_id)
    walk_up(by_id, dirty)
    # The work under them: its impact reads their key results' weights and progress.
    impacts.refresh_under(dirty)


def walk_up(by_id: dict[int, Objective], dirty: set[int]) -> None:
    """Recompute the `dirty` objectives and, upwards, those whose linked key results moved
    (added to `dirty` as they do)."""
    followers = followers_above({pk for pk in dirty if may_be_followed(by_id[pk])})
    for follower in (kr for krs in followers.values() for kr in krs):
        by_id.setdefault(follower.objective_id, follower.objective)
    for objective_id in bottom_up(list(by_id), followers):
        if objective_id not in dirty:
            continue
        objective = by_id[objective_id]
        progress_before = objective.progress
        if not apply_objective_numbers(objective, objective_numbers_from_db(objective)):
            continue
        objective.save(update_fields=[*OBJECTIVE_FIELDS, "updated_at"])
        if objective.progress == progress_before:
            continue  # only the forecast moved: linked key results follow progress
        for follower in followers.get(objective_id, []):
            follower.linked_objective = objective
            if refresh_key_result(follower):
                dirty.add(follower.objective_id)


def may_be_followed(objective: Objective) -> bool:
    """False only for an objective read under its lock with no key result following it
    (`writable.lock_objective` marks it `followed`); any other may be followed."""
    return getattr(objective, "followed", True)


def followers_above(objective_ids: set[int]) -> dict[int, list[KeyResult]]:
    """The linked key results following these objectives, and those following theirs, up
    to the top, by the id of the objective they follow: one query per level.

    Closed cycles keep the numbers they were closed with, links or not: their key results
    are left out.
    """
    found: dict[int, list[KeyResult]] = {}
    seen, level = set(objective_ids), set(objective_ids)
    while level:
        rows = (
            KeyResult.objects.filter(linked_objective_id__in=level)
            .exclude(objective__cycle__state=Cycle.State.CLOSED)
            .select_related("objective")
            .order_by()  # `bottom_up` orders them; no ORDER BY to compile inside the lock
        )
        level = set()
        for follower in rows:
            found.setdefault(follower.linked_objective_id, []).append(follower)  # type: ignore[arg-type]
            if follower.objective_id not in seen:
                seen.add(follower.objective_id)
                level.add(follower.objective_id)
    return found


def bottom_up(objective_ids: Sequence[int], followers: dict[int, list[KeyResult]]) -> list[int]:
    """The objectives ordered so that each comes after every objective it follows."""
    above = {followed: {kr.objective_id for kr in krs} for followed, krs in followers.items()}
    waiting = dict.fromkeys(objective_ids, 0)
    for follower_ids in above.values():
        for follower_id in follower_ids:
            waiting[follower_id] += 1
    ready = [objective_id for objective_id, count in waiting.items() if count == 0]
    order: list[int] = []
    while ready:
        objective_id = ready.pop()
        order.append(objective_id)
        for follower_id in above.get(objective_id, ()):
            waiting[follower_id] -= 1
            if waiting[follower_id] == 0:
                ready.append(follower_id)
    placed = set(order)  # a link loop cannot be stored; if one were, its objectives come last
    return order + [objective_id for objective_id in objective_ids if objective_id not in placed]


def refresh_after_change(kr: KeyResult, *, objective: Objective | None = None) -> None:
    """After any change to a key result's inputs: the KR, its objective, and up the links.

    `objective`: the key result's objective as the caller just read (and locked) it.
    """
    refresh_key_result(kr, objective=objective)
    if objective is None or objective.pk != kr.objective_id:
        objective = Objective.objects.get(pk=kr.objective_id)
    refresh_objective(objective)


def refresh_after_changes(
    key_results: Iterable[KeyResult], objectives: Iterable[Objective]
) -> None:
    """After changes to several key results (a bulk of check-ins): each key result once, then
    `objectives` (theirs, as the caller locked them) and everything above, each once."""
    objectives = list(objectives)
    by_id = {objective.pk: objective for objective in objectives}
    for kr in {kr.pk: kr for kr in key_results}.values():
        refresh_key_result(kr, objective=by_id.get(kr.objective_id))
    refresh_objectives(objectives)


def refresh_cycle_forecasts(cycle: Cycle) -> None:
    """After a cycle's dates change: the forecasts of its metric key results (their windows
    moved) and of its objectives, in a fixed number of queries (progress does not move)."""
    krs = list(KeyResult.objects.filter(objective__cycle=cycle, type=engine.METRIC))
    readings: dict[int, list[tuple[datetime, Decimal | None]]] = {}
    rows = CheckIn.objects.filter(key_result__in=[kr.pk for kr in krs])
    for kr_id, at, value in rows.values_list("key_result_id", "at", "value").iterator():
        readings.setdefault(kr_id, []).append((at, value))
    stale = []
    for kr in krs:
        forecast = metric_forecast(kr, (cycle.start, cycle.end), readings.get(kr.pk, []))
        outlook = engine.key_result_forecast(
            kr.type, progress=kr.progress, forecast=forecast, start=kr.start, target=kr.target
        )
        if (kr.forecast, kr.forecast_progress) != (outlook.value, outlook.progress):
            kr.forecast, kr.forecast_progress = outlook.value, outlook.progress
            stale.append(kr)
    KeyResult.objects.bulk_update(stale, ["forecast", "forecast_progress"], batch_size=500)
    gathered: dict[int, list[tuple[Decimal, Decimal, Decimal | None]]] = {}
    key_results = KeyResult.objects.filter(objective__cycle=cycle)
    for objective_id, *row in key_results.values_list(
        "objective_id", "weight", "progress", "forecast_progress"
    ):
        gathered.setdefault(objective_id, []).append(tuple(row))  # type: ignore[arg-type]
    objectives = []
    for objective in Objective.objects.filter(cycle=cycle):
        numbers = objective_numbers(gathered.get(objective.pk, []))
        if objective.forecast_progress != numbers.forecast_progress:
            objective.forecast_progress = numbers.forecast_progress
            objectives.append(objective)
    Objective.objects.bulk_update(objectives, ["forecast_progress"], batch_size=500)


# --- Whole-organization recomputation -------------------------------------------------


@dataclass
class Snapshot:
    """Fresh values for every key result and objective of an organization."""

    key_results: dict[int, Derived]
    objectives: dict[int, Decimal]
    objective_forecasts: dict[int, Decimal]


def compute_all(organization: Organization) -> Snapshot:
    """Recompute everything from check-ins and milestones, ignoring stored progress."""
    krs = list(_key_results_with_latest(organization))
    milestones: dict[int, list[Milestone]] = {}
    for milestone in Milestone.objects.filter(key_result__organization=organization):
        milestones.setdefault(milestone.key_result_id, []).append(milestone)
    by_objective: dict[int, list[KeyResult]] = {}
    for kr in krs:
        by_objective.setdefault(kr.objective_id, []).append(kr)
    objectives = Objective.objects.filter(organization=organization)
    cycle_rows = list(objectives.values_list("id", "cycle__start", "cycle__end", "cycle__state"))
    cycle_dates = {pk: (start, end) for pk, start, end, _ in cycle_rows}
    objective_ids = list(cycle_dates)
    closed = {pk for pk, _, _, state in cycle_rows if state == Cycle.State.CLOSED}
    snapshot = Snapshot(key_results={}, objectives={}, objective_forecasts={})
    work_of = work_progress_by_key_result(organization)
    readings = metric_readings(organization)

    def objective_value(objective_id: int, trail: frozenset[int] = frozenset()) -> Decimal:
        if objective_id in snapshot.objectives:
            return snapshot.objectives[objective_id]
        if objective_id in trail:  # a link loop cannot be stored; guard anyway
            raise ValueError(f"linked key results form a loop through objective {objective_id}")
        rows: list[tuple[Decimal, Decimal, Decimal | None]] = []
        for kr in by_objective.get(objective_id, []):
            linked, work = None, None
            if kr.type == engine.INITIATIVES:
                # Frozen at close, like every number of a closed cycle.
                work = kr.progress if objective_id in closed else work_of.get(kr.id, ZERO)
            if kr.linked_objective_id and objective_id in closed:
                linked = kr.progress  # frozen at close, like every number of a closed cycle
            elif kr.linked_objective_id:
                linked = objective_value(kr.linked_objective_id, trail | {objective_id})
            derived = derive_key_result(
                kr,
                latest=kr.latest,  # type: ignore[attr-defined]
                milestones=milestones.get(kr.id, []),
                linked_progress=linked,
                initiatives_progress=work,
                forecast=metric_forecast(kr, cycle_dates[objective_id], readings.get(kr.id, [])),
            )
            snapshot.key_results[kr.id] = derived
            rows.append((kr.weight, derived.progress, derived.forecast_progress))
        numbers = objective_numbers(rows)
        snapshot.objectives[objective_id] = numbers.progress
        snapshot.objective_forecasts[objective_id] = numbers.forecast_progress
        return numbers.progress

    for objective_id in objective_ids:
        objective_value(objective_id)
    return snapshot


def metric_readings(
    organization: Organization,
) -> dict[int, list[tuple[datetime, Decimal | None]]]:
    """The (at, value) of every check-in of the organization's metric key results, by key
    result (one query, streamed)."""
    rows = CheckIn.objects.filter(
        key_result__organization=organization, key_result__type=engine.METRIC
    ).values_list("key_result_id", "at", "value")
    readings: dict[int, list[tuple[datetime, Decimal | None]]] = {}
    for kr_id, at, value in rows.iterator(chunk_size=5000):
        readings.setdefault(kr_id, []).append((at, value))
    return readings


def work_progress_by_key_result(organization: Organization) -> dict[int, Decimal]:
    """p of every key result of type `initiatives` from its initiatives' stored q (one
    query; `pacer recompute` checks each initiative's q from its tasks separately)."""
    through = KeyResult.initiatives.through
    rows = through.objects.filter(
        keyresult__organization=organization, keyresult__type=engine.INITIATIVES
    ).values_list("keyresult_id", "initiative__status", "initiative__progress")
    gathered: dict[int, list[tuple[str, Decimal]]] = {}
    for kr_id, status, q in rows:
        gathered.setdefault(kr_id, []).append((status, q))
    return {kr_id: engine.mean_initiative_progress(pairs) for kr_id, pairs in gathered.items()}


def _key_results_with_latest(organization: Organization) -> Iterable[KeyResult]:
    latest = CheckIn.objects.filter(key_result=OuterRef("pk")).order_by("-at", "-id")
    rows = KeyResult.objects.filter(organization=organization).annotate(
        latest_id=Subquery(latest.values("id")[:1])
    )
    krs = list(rows)
    checkins = CheckIn.objects.in_bulk([kr.latest_id for kr in krs if kr.latest_id])
    for kr in krs:
        kr.latest = checkins.get(kr.latest_id)  # type: ignore[attr-defined]
    return krs
