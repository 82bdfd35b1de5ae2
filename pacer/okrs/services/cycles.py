"""Cycles: create, change, delete an empty one, close (freeze the scores) and reopen; plan
the next one (pick or create it, carry unfinished objectives over)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.text import slugify

from pacer.events import record as events
from pacer.okrs import history, periods, rollup, rules
from pacer.okrs import progress as engine
from pacer.okrs.errors import DomainError, raise_if
from pacer.okrs.models import REF_LENGTH, CheckIn, Cycle, KeyResult, Objective, Organization
from pacer.okrs.services.objectives import objective_copy
from pacer.okrs.services.writable import ensure_cycle_open

OPEN_STATES = (Cycle.State.PLANNING, Cycle.State.ACTIVE)


def _cycle_problems(
    *, name: str, start: date, end: date, state: str, cycle: Cycle | None = None
) -> list[rules.Problem]:
    problems = rules.text_required("name", name) + rules.texts_problems(name=name)
    problems += rules.cycle_problems(start=start, end=end)
    if state not in OPEN_STATES:
        problems.append(("state", "must be planning or active (close a cycle with close)"))
    if cycle is None or problems:
        return problems
    first = CheckIn.objects.filter(key_result__objective__cycle=cycle).aggregate(at=Min("at"))
    problems += rules.earliest_checkin_problems("start", first["at"], start)
    dues = KeyResult.objects.filter(objective__cycle=cycle, due__isnull=False)
    if dues.exclude(due__gte=start, due__lte=end).exists():
        problems.append(("start", "a key result of this cycle is due outside the new dates"))
    parents = Objective.objects.filter(child_links__child__cycle=cycle).exclude(cycle=cycle)
    if parents.exclude(cycle__start__lte=start, cycle__end__gte=end).exists():
        problems.append(("start", "an aligned parent's cycle would no longer contain this one"))
    children = Objective.objects.filter(parent_links__parent__cycle=cycle).exclude(cycle=cycle)
    if children.exclude(cycle__start__gte=start, cycle__end__lte=end).exists():
        problems.append(("end", "this cycle would no longer contain an aligned child's cycle"))
    return problems


@transaction.atomic
def cycle_create(
    *,
    organization: Organization,
    ref: str,
    name: str,
    start: date,
    end: date,
    state: str = Cycle.State.ACTIVE,
) -> Cycle:
    """A new cycle; an empty `ref` is made from the name (2026 Q3 -> 2026-q3)."""
    ref = ref or slugify(name)[:REF_LENGTH].strip("-_")
    problems = _cycle_problems(name=name, start=start, end=end, state=state)
    taken = Cycle.objects.filter(organization=organization, ref=ref).exists()
    problems += rules.cycle_ref_problems(ref=ref, taken=taken, max_length=REF_LENGTH)
    raise_if(problems)
    return Cycle.objects.create(
        organization=organization, ref=ref, name=name.strip(), start=start, end=end, state=state
    )


@transaction.atomic
def cycle_update(
    *,
    cycle: Cycle,
    name: str | None = None,
    start: date | None = None,
    end: date | None = None,
    state: str | None = None,
) -> Cycle:
    """Rename, move or plan/activate an open cycle; closing goes through `cycle_close`."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    ensure_cycle_open(cycle)
    name = cycle.name if name is None else name
    start, end = start or cycle.start, end or cycle.end
    state = state or cycle.state
    raise_if(_cycle_problems(name=name, start=start, end=end, state=state, cycle=cycle))
    moved = (start, end) != (cycle.start, cycle.end)
    cycle.name, cycle.start, cycle.end, cycle.state = name.strip(), start, end, state
    cycle.save()
    if moved:  # the forecasts' windows moved with the dates
        rollup.refresh_cycle_forecasts(cycle)
    return cycle


@transaction.atomic
def cycle_delete(*, cycle: Cycle) -> None:
    """Only an empty cycle goes; objectives keep theirs (archive them instead)."""
    if Objective.objects.filter(cycle=cycle).exists():
        raise DomainError("the cycle still has objectives; only an empty cycle is deleted", "cycle")
    cycle.delete()


def next_cycle_of(cycle: Cycle) -> Cycle | None:
    """The cycle after `cycle` (`periods.next_cycle_dates`): the organization's cycle with
    those dates, else an unsaved one, named after its dates with a free ref, that
    `cycle_plan_next` would create. None past the calendar's end."""
    dates = periods.next_cycle_dates(cycle.start, cycle.end)
    if dates is None:
        return None
    start, end = dates
    same = Cycle.objects.filter(organization_id=cycle.organization_id, start=start, end=end)
    found = same.exclude(pk=cycle.pk).order_by("pk").first()
    if found is not None:
        return found
    ref, name = periods.cycle_label(start, end)
    return Cycle(
        organization_id=cycle.organization_id,
        ref=free_ref(cycle.organization_id, ref),
        name=name,
        start=start,
        end=end,
        state=Cycle.State.PLANNING,
    )


def free_ref(organization_id: int, base: str) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever the organization's cycles leave free."""
    taken = set(
        Cycle.objects.filter(organization_id=organization_id, ref__startswith=base).values_list(
            "ref", flat=True
        )
    )
    ref, n = base, 2
    while ref in taken:
        ref, n = f"{base}-{n}", n + 1
    return ref


@dataclass
class PlannedCycle:
    """What `cycle_plan_next` did: the next cycle, whether it is new, the copies made."""

    cycle: Cycle
    created: bool
    copies: list[Objective] = field(default_factory=list)


@transaction.atomic
def cycle_plan_next(
    *, cycle: Cycle, carry: Sequence[tuple[Objective, Sequence[KeyResult]]] = ()
) -> PlannedCycle:
    """Plan the cycle after an active or closed `cycle`: pick it (`next_cycle_of`) or create
    it in planning, and copy each chosen unfinished objective of `cycle` into it with the
    chosen key results (`objective_copy`), all or nothing. Copies keep their owners."""
    cycle = Cycle.objects.get(pk=cycle.pk)
    following = next_cycle_of(cycle)
    raise_if(
        rules.plan_next_problems(
            cycle_name=cycle.name,
            in_planning=cycle.state == Cycle.State.PLANNING,
            has_next=following is not None,
        )
    )
    assert following is not None
    stored = Objective.objects.in_bulk([objective.pk for objective, _ in carry])
    objectives = [stored.get(objective.pk, objective) for objective, _ in carry]
    raise_if([p for objective in objectives for p in carry_problems(cycle, objective)])
    created = following.pk is None
    if created:
        following = cycle_create(
            organization=cycle.organization,
            ref=following.ref,
            name=following.name,
            start=following.start,
            end=following.end,
            state=Cycle.State.PLANNING,
        )
    else:
        ensure_cycle_open(following)
    copies = [
        objective_copy(objective=objective, cycle=following, key_results=chosen)
        for objective, (_, chosen) in zip(objectives, carry, strict=True)
    ]
    return PlannedCycle(cycle=following, created=created, copies=copies)


def carry_problems(cycle: Cycle, objective: Objective) -> list[rules.Problem]:
    return rules.carry_over_problems(
        title=objective.title,
        cycle_name=cycle.name,
        in_cycle=objective.cycle_id == cycle.pk,
        archived=objective.archived_at is not None,
        unfinished=objective.unfinished,
    )


@transaction.atomic
def cycle_close(*, cycle: Cycle) -> Cycle:
    """Freeze the cycle's numbers: each objective's and key result's score at this moment."""
    if cycle.is_closed:
        return cycle
    objectives = list(Objective.objects.select_for_update().filter(cycle=cycle).order_by("pk"))
    key_results = list(KeyResult.objects.filter(objective__cycle=cycle))
    for rows in (objectives, key_results):
        _set_final_scores(rows, [engine.score(row.progress) for row in rows])
    cycle.state = Cycle.State.CLOSED
    cycle.closed_at = timezone.now()
    cycle.save(update_fields=["state", "closed_at", "updated_at"])
    events.cycle_closed(cycle)
    return cycle


@transaction.atomic
def cycle_reopen(*, cycle: Cycle, state: str = Cycle.State.ACTIVE) -> Cycle:
    """Reopen a closed cycle: its numbers follow check-ins again; overrides are kept."""
    objectives = list(Objective.objects.select_for_update().filter(cycle=cycle).order_by("pk"))
    key_results = list(KeyResult.objects.filter(objective__cycle=cycle))
    for rows in (objectives, key_results):
        _set_final_scores(rows, [None] * len(rows))
    cycle.state = state
    cycle.closed_at = None
    cycle.save(update_fields=["state", "closed_at", "updated_at"])
    return cycle


def _set_final_scores(rows: Sequence[Any], scores: Sequence[Decimal | None]) -> None:
    """Store each row's frozen score in one statement, with one history entry per change."""
    changes = {}
    for row, score in zip(rows, scores, strict=True):
        if row.final_score != score:
            changes[row.pk] = {"final_score": (row.final_score, score)}
        row.final_score = score
    changed = [row for row in rows if row.pk in changes]
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["final_score"], batch_size=500)
        history.log_bulk("update", changed, changes)
