"""Writes. Each is `<thing>_<action>`, keyword-only, atomic, and keeps stored progress true.

Views, API endpoints, CLI commands and the importer call these; none writes models itself.
"""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from pacer.accounts.models import User
from pacer.okrs import progress as engine
from pacer.okrs import rollup, rules
from pacer.okrs.errors import DomainError, raise_if
from pacer.okrs.models import (
    Alignment,
    CheckIn,
    Cycle,
    KeyResult,
    Milestone,
    Objective,
)


def _lock_objective(objective_id: int) -> Objective:
    """Serialize writes that roll up into one objective (no lost sibling updates)."""
    return Objective.objects.select_for_update().get(pk=objective_id)


def _ensure_open(cycle: Cycle) -> None:
    if cycle.is_closed:
        raise DomainError(f"the cycle {cycle.name} is closed; its numbers are frozen", "cycle")


@transaction.atomic
def checkin_create(
    *,
    key_result: KeyResult,
    value: Decimal | None,
    confidence: str = "",
    note: str = "",
    author: User | None = None,
    at: datetime | None = None,
) -> CheckIn:
    objective = _lock_objective(key_result.objective_id)
    _ensure_open(objective.cycle)
    now = timezone.now()
    at = at or now
    raise_if(
        rules.checkin_problems(
            type=key_result.type, value=value, confidence=confidence, at=at, now=now
        )
    )
    checkin = CheckIn.objects.create(
        key_result=key_result,
        value=value,
        confidence=confidence or "",
        note=note or "",
        author=author,
        at=at,
    )
    rollup.refresh_after_change(key_result)
    return checkin


@transaction.atomic
def checkin_delete(*, checkin: CheckIn) -> None:
    key_result = checkin.key_result
    objective = _lock_objective(key_result.objective_id)
    _ensure_open(objective.cycle)
    checkin.delete()
    rollup.refresh_after_change(key_result)


@transaction.atomic
def milestone_set_done(*, milestone: Milestone, done: bool) -> Milestone:
    key_result = milestone.key_result
    objective = _lock_objective(key_result.objective_id)
    _ensure_open(objective.cycle)
    if milestone.done != done:
        milestone.done = done
        milestone.save(update_fields=["done", "updated_at"])
        rollup.refresh_after_change(key_result)
    return milestone


def alignment_problems(*, child: Objective, parent: Objective) -> list[rules.Problem]:
    """Why `child` may not support `parent`: other organization, wrong cycle, or a loop."""
    if parent.organization_id != child.organization_id:
        return [("parents", f"{parent.ref} belongs to another organization")]
    if not parent.cycle.encloses(child.cycle):
        return [
            (
                "parents",
                f"{parent.ref} is in cycle {parent.cycle.ref}, which does not contain "
                f"{child.cycle.ref}",
            )
        ]

    def parents_of(objective_id: int) -> list[int]:
        return list(
            Alignment.objects.filter(child_id=objective_id).values_list("parent_id", flat=True)
        )

    if rules.closes_loop(parents_of, child.pk, parent.pk):
        return [("parents", f"aligning {child.ref} to {parent.ref} would make a loop")]
    return []


@transaction.atomic
def objective_align(*, child: Objective, parent: Objective) -> Alignment:
    raise_if(alignment_problems(child=child, parent=parent))
    alignment, _ = Alignment.objects.get_or_create(child=child, parent=parent)
    return alignment


@transaction.atomic
def objective_unalign(*, child: Objective, parent: Objective) -> None:
    Alignment.objects.filter(child=child, parent=parent).delete()


@transaction.atomic
def cycle_close(*, cycle: Cycle) -> Cycle:
    """Freeze the cycle's numbers: each objective's and key result's score at this moment."""
    if cycle.is_closed:
        return cycle
    objectives = list(Objective.objects.select_for_update().filter(cycle=cycle))
    for objective in objectives:
        objective.final_score = engine.score(objective.progress)
    Objective.objects.bulk_update(objectives, ["final_score"])
    key_results = list(KeyResult.objects.filter(objective__cycle=cycle))
    for kr in key_results:
        kr.final_score = engine.score(kr.progress)
    KeyResult.objects.bulk_update(key_results, ["final_score"])
    cycle.state = Cycle.State.CLOSED
    cycle.closed_at = timezone.now()
    cycle.save(update_fields=["state", "closed_at", "updated_at"])
    return cycle


@transaction.atomic
def cycle_reopen(*, cycle: Cycle, state: str = Cycle.State.ACTIVE) -> Cycle:
    """Reopen a closed cycle: its numbers follow check-ins again; overrides are kept."""
    Objective.objects.filter(cycle=cycle).update(final_score=None)
    KeyResult.objects.filter(objective__cycle=cycle).update(final_score=None)
    cycle.state = state
    cycle.closed_at = None
    cycle.save(update_fields=["state", "closed_at", "updated_at"])
    return cycle
