"""Record deletions as tombstones, whichever entry point deleted (API, web, import, CLI).

Signals rather than calls in each delete service: cascades (a key result takes its
check-ins and milestones along) are recorded too, and the domain does not depend on the API.
"""

from typing import Any

from django.db.models.signals import post_delete

from pacer.api.models import Tombstone
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Milestone, Objective, Organization

PRIVATE = Objective.Visibility.PRIVATE


def connect() -> None:
    post_delete.connect(_cycle_deleted, sender=Cycle, dispatch_uid="tombstone-cycle")
    post_delete.connect(_objective_deleted, sender=Objective, dispatch_uid="tombstone-objective")
    post_delete.connect(_key_result_deleted, sender=KeyResult, dispatch_uid="tombstone-kr")
    post_delete.connect(_child_deleted, sender=Milestone, dispatch_uid="tombstone-milestone")
    post_delete.connect(_child_deleted, sender=CheckIn, dispatch_uid="tombstone-checkin")
    post_delete.connect(_organization_deleted, sender=Organization, dispatch_uid="tombstone-org")


def _cycle_deleted(sender: Any, instance: Cycle, **kwargs: Any) -> None:
    Tombstone.objects.create(
        organization_id=instance.organization_id, kind=Tombstone.Kind.CYCLE, ref=instance.ref
    )


def _objective_deleted(sender: Any, instance: Objective, **kwargs: Any) -> None:
    Tombstone.objects.create(
        organization_id=instance.organization_id,
        kind=Tombstone.Kind.OBJECTIVE,
        ref=instance.ref,
        objective_id=instance.pk,
        private=instance.visibility == PRIVATE,
    )


def _key_result_deleted(sender: Any, instance: KeyResult, **kwargs: Any) -> None:
    visibility = (
        Objective.objects.filter(pk=instance.objective_id).values_list("visibility", flat=True)
    ).first()
    Tombstone.objects.create(
        organization_id=instance.organization_id,
        kind=Tombstone.Kind.KEY_RESULT,
        ref=instance.ref,
        objective_id=instance.objective_id,
        private=visibility != Objective.Visibility.PUBLIC,
    )


def _child_deleted(sender: Any, instance: CheckIn | Milestone, **kwargs: Any) -> None:
    """Check-ins and milestones have no ref: their id stands in for it."""
    owner = (
        KeyResult.objects.filter(pk=instance.key_result_id)
        .values_list("organization_id", "objective_id", "objective__visibility")
        .first()
    )
    if owner is None:
        return
    organization_id, objective_id, visibility = owner
    Tombstone.objects.create(
        organization_id=organization_id,
        kind=Tombstone.Kind.CHECKIN if sender is CheckIn else Tombstone.Kind.MILESTONE,
        ref=str(instance.pk),
        objective_id=objective_id,
        private=visibility != Objective.Visibility.PUBLIC,
    )


def _organization_deleted(sender: Any, instance: Organization, **kwargs: Any) -> None:
    Tombstone.objects.filter(organization_id=instance.pk).delete()
