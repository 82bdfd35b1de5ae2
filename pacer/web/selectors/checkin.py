"""The weekly check-in: reads for the pages (pacer.web.selectors)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from pacer.accounts.models import User
from pacer.okrs import periods, permissions
from pacer.okrs.models import (
    CheckIn,
    Cycle,
    KeyResult,
    Objective,
)
from pacer.okrs.selectors import (
    with_link_visibility,
)
from pacer.web.selectors.cycles import active_cycles
from pacer.web.selectors.focus import checkin_period_start, key_results_awaiting_checkin
from pacer.web.selectors.rows import today


@dataclass
class CheckInWeek:
    """The key results of the weekly check-in, what awaits me first (`awaits` on each), with
    how many await me in all and the last day of my current check-in period."""

    key_results: QuerySet[KeyResult]
    awaiting_total: int
    due: date


def open_objectives_editable_by(person: User) -> QuerySet[Objective]:
    """Objectives of active cycles, not archived, that `person` may change (`can_edit_objective`:
    those they own or of one of their teams)."""
    return permissions.objectives_editable_by(person).filter(
        cycle__state=Cycle.State.ACTIVE, archived_at__isnull=True
    )


def key_results_to_check_in(person: User) -> QuerySet[KeyResult]:
    """The key results `person` checks in on (`permissions.key_results_checkable_by`) in
    active cycles, not archived, with what a row of the weekly check-in shows."""
    key_results = permissions.key_results_checkable_by(person).filter(
        objective__cycle__state=Cycle.State.ACTIVE, objective__archived_at__isnull=True
    )
    return with_checkin_columns(with_link_visibility(key_results, person))


def with_checkin_columns(key_results: QuerySet[KeyResult]) -> QuerySet[KeyResult]:
    """The objective, its cycle, both owners and the last note."""
    latest = CheckIn.objects.filter(key_result=OuterRef("pk")).order_by("-at", "-id")
    return key_results.annotate(last_note=Subquery(latest.values("note")[:1])).select_related(
        "objective__cycle", "objective__owner", "owner"
    )


def checkin_week(person: User, *, now: datetime) -> CheckInWeek:
    """The weekly check-in: first what awaits me (`key_results_awaiting_checkin`, the same
    rule and cycles as My focus, so the counts agree), then, by cycle and objective, the
    other key results I check in on (`key_results_to_check_in`). Two queries and a page of
    the list, however many there are."""
    cycles = active_cycles(person, on=today())
    awaiting = key_results_awaiting_checkin(person, cycles, now=now)
    awaits = Q(pk__in=awaiting.values("pk"))
    key_results = KeyResult.objects.filter(
        Q(objective__in=open_objectives_editable_by(person)) | awaits
    ).annotate(awaits=ExpressionWrapper(awaits, output_field=BooleanField()))
    ordered = with_checkin_columns(with_link_visibility(key_results, person)).order_by(
        "-awaits", "objective__cycle__start", "objective__title", "position", "id"
    )
    anchor = cycles[0].start if cycles else None
    cadence = person.organization.checkin_cadence if person.organization else periods.WEEKLY
    due = periods.checkin_period_due(checkin_period_start(person, now, anchor), cadence)
    return CheckInWeek(ordered, awaiting.count(), due)
