"""Alignments: an objective supports one or more parents (same or enclosing cycle, no loop)."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from pacer.events import kinds as event_kinds
from pacer.events import record as events
from pacer.okrs import rules
from pacer.okrs.errors import raise_if
from pacer.okrs.models import Alignment, Objective
from pacer.okrs.services.writable import writable_objective


def alignment_problems(*, child: Objective, parent: Objective) -> list[rules.Problem]:
    """Why `child` may not support `parent`: other organization, wrong cycle, or a loop."""
    if parent.organization_id != child.organization_id:
        return [("parents", f"{parent.ref} belongs to another organization")]

    def parents_of(objective_id: int) -> list[int]:
        return list(
            Alignment.objects.filter(child_id=objective_id).values_list("parent_id", flat=True)
        )

    return rules.alignment_problems(
        child_ref=child.ref,
        parent_ref=parent.ref,
        child_cycle_ref=child.cycle.ref,
        parent_cycle_ref=parent.cycle.ref,
        parent_cycle_encloses=parent.cycle.encloses(child.cycle),
        closes_a_loop=rules.closes_loop(parents_of, child.pk, parent.pk),
    )


def align_all(objective: Objective, parents: Iterable[Objective]) -> None:
    """Add every alignment of `parents` that is missing, or none if one is not allowed."""
    parents = list(parents)
    raise_if([p for parent in parents for p in alignment_problems(child=objective, parent=parent)])
    for parent in parents:
        Alignment.objects.get_or_create(child=objective, parent=parent)


def touch(objective: Objective) -> None:
    """Parents are part of an objective: changing them is a change (incremental sync)."""
    Objective.objects.filter(pk=objective.pk).update(updated_at=timezone.now())


@transaction.atomic
def objective_align(*, child: Objective, parent: Objective) -> Alignment:
    child = writable_objective(child.pk)
    raise_if(alignment_problems(child=child, parent=parent))
    alignment, created = Alignment.objects.get_or_create(child=child, parent=parent)
    if created:
        touch(child)
        events.alignment_event(event_kinds.OBJECTIVE_ALIGNED, child, parent)
    return alignment


@transaction.atomic
def objective_unalign(*, child: Objective, parent: Objective) -> None:
    child = writable_objective(child.pk)
    deleted, _ = Alignment.objects.filter(child=child, parent=parent).delete()
    if deleted:
        touch(child)
        events.alignment_event(event_kinds.OBJECTIVE_UNALIGNED, child, parent)
