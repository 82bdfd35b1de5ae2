"""Record deletions as tombstones, whichever entry point deleted (API, web, import, CLI).

Signals rather than calls in each delete service: cascades (a key result takes its
check-ins and milestones along) are recorded too, and the domain does not depend on the API.
"""

from typing import Any

from django.db.models.signals import post_delete, pre_delete

from pacer.api.models import Tombstone
from pacer.initiatives.models import Initiative
from pacer.kpis.models import KPI
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Milestone, Objective, Organization

PRIVATE = Objective.Visibility.PRIVATE


def connect() -> None:
    post_delete.connect(_cycle_deleted, sender=Cycle, dispatch_uid="tombstone-cycle")
    post_delete.connect(_objective_deleted, sender=Objective, dispatch_uid="tombstone-objective")
    post_delete.connect(_key_result_deleted, sender=KeyResult, dispatch_uid="tombstone-kr")
    post_delete.connect(_child_deleted, sender=Milestone, dispatch_uid="tombstone-milestone")
    post_delete.connect(_child_deleted, sender=CheckIn, dispatch_uid="tombstone-checkin")
    # Before the delete: the key results it supported (they make it private) go with it.
    pre_delete.connect(_initiative_deleted, sender=Initiative, dispatch_uid="tombstone-work")
    post_delete.connect(_organization_deleted, sender=Organization, dispatch_uid="tombstone-org")
    # KPIs are seen by everyone of their organization (docs/kpis.md): never private. Their
    # values leave no tombstone: a listener on KPIValue would make deleting a KPI load every
    # value it holds (a source may write one a minute) instead of one DELETE.
    post_delete.connect(_kpi_deleted, sender=KPI, dispatch_uid="tombstone-kpi")


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


def _initiative_deleted(sender: Any, instance: Initiative, **kwargs: Any) -> None:
    """Work is private like the objectives it supports, and so is its tombstone. A tombstone
    names one objective: work under several private objectives leaves a tombstone shown to
    nobody (its ref may carry its title)."""
    private = list(
        Objective.objects.filter(key_results__initiatives=instance, visibility=PRIVATE)
        .values_list("pk", flat=True)
        .distinct()
    )
    Tombstone.objects.create(
        organization_id=instance.organization_id,
        kind=Tombstone.Kind.INITIATIVE,
        ref=instance.ref,
        objective_id=private[0] if len(private) == 1 else None,
        private=bool(private),
    )


def _kpi_deleted(sender: Any, instance: KPI, **kwargs: Any) -> None:
    Tombstone.objects.create(
        organization_id=instance.organization_id, kind=Tombstone.Kind.KPI, ref=instance.ref
    )


def _organization_deleted(sender: Any, instance: Organization, **kwargs: Any) -> None:
    Tombstone.objects.filter(organization_id=instance.pk).delete()
