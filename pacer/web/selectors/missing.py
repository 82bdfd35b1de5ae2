"""Who has not checked in: reads for the pages (pacer.web.selectors)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Q,
    QuerySet,
)

from pacer.accounts.models import User
from pacer.okrs.models import (
    Cycle,
    KeyResult,
    Membership,
)
from pacer.okrs.selectors import (
    not_checked_in_this_period,
    objectives_visible_to,
)
from pacer.web.selectors.focus import person_zone

CHASE_AFTER = timedelta(days=7)  # no longer the rule (the cadence's period is); kept for callers


@dataclass
class MissingCheckins:
    person: User
    key_results: list[KeyResult]


def may_chase(person: User) -> bool:
    """Admins and team leads see who has not checked in."""
    if person.organization_id is None:
        return False
    return person.is_org_admin or Membership.objects.filter(person=person, is_lead=True).exists()


def chased_people(person: User) -> QuerySet[User]:
    """Active people of the organization (admins) or of the teams `person` leads."""
    if person.organization_id is None:
        return User.objects.none()
    people = User.objects.filter(organization_id=person.organization_id, is_active=True)
    if person.is_org_admin:
        return people
    led = Membership.objects.filter(person=person, is_lead=True).values("team_id")
    return people.filter(Q(pk=person.pk) | Q(memberships__team_id__in=led)).distinct()


def missing_checkins(viewer: User, cycle: Cycle, *, now: datetime) -> list[MissingCheckins]:
    """Per person, the key results they own, or whose objective they own, in the cycle's
    visible objectives, without a check-in in the current period of their cadence (the
    rhythm rule's period, okrs.selectors.not_checked_in_this_period, in the viewer's time
    zone: one list for everyone). Linked and initiatives key results (their progress comes
    from another objective or from the work behind them, not from a check-in value) and yes/no
    ones already done are left out. Two queries."""
    people = list(chased_people(viewer))
    zone = person_zone(viewer)
    ids = {p.pk for p in people}
    objectives = objectives_visible_to(viewer).filter(cycle=cycle, archived_at__isnull=True)
    stale = (
        KeyResult.objects.filter(objective__in=objectives)
        .filter(Q(owner_id__in=ids) | Q(objective__owner_id__in=ids))
        .exclude(type__in=(KeyResult.Type.LINKED, KeyResult.Type.INITIATIVES))
        .exclude(type=KeyResult.Type.BOOLEAN, progress__gte=1)
        .filter(not_checked_in_this_period(cycle.organization, [cycle], now=now, zone=zone))
        .select_related("objective")
        .order_by("objective__title", "position", "id")
    )
    by_person: dict[int, list[KeyResult]] = defaultdict(list)
    for kr in stale:
        for person_id in ids & {kr.owner_id, kr.objective.owner_id}:
            by_person[person_id].append(kr)
    return [MissingCheckins(p, by_person[p.pk]) for p in people if by_person[p.pk]]
