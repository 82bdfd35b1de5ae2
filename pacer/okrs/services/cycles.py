"""Cycles: create, change, delete an empty one, close (freeze the scores) and reopen."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from pacer.okrs import history, rules
from pacer.okrs import progress as engine
from pacer.okrs.errors import DomainError, raise_if
from pacer.okrs.models import Cycle, KeyResult, Objective, Organization
from pacer.okrs.services.writable import ensure_cycle_open

OPEN_STATES = (Cycle.State.PLANNING, Cycle.State.ACTIVE)


def _cycle_problems(
    *, name: str, start: date, end: date, state: str, cycle: Cycle | None = None
) -> list[rules.Problem]:
    problems = rules.text_required("name", name) + rules.cycle_problems(start=start, end=end)
    if state not in OPEN_STATES:
        problems.append(("state", "must be planning or active (close a cycle with close)"))
    if cycle is None or problems:
        return problems
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
    problems = _cycle_problems(name=name, start=start, end=end, state=state)
    if Cycle.objects.filter(organization=organization, ref=ref).exists():
        problems.append(("ref", f"{ref} is already taken in this organization"))
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
    cycle.name, cycle.start, cycle.end, cycle.state = name.strip(), start, end, state
    cycle.save()
    return cycle


@transaction.atomic
def cycle_delete(*, cycle: Cycle) -> None:
    """Only an empty cycle goes; objectives keep theirs (archive them instead)."""
    if Objective.objects.filter(cycle=cycle).exists():
        raise DomainError("the cycle still has objectives; only an empty cycle is deleted", "cycle")
    cycle.delete()


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
