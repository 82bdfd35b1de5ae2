"""My focus: reads for the pages (pacer.web.selectors)."""

from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import (
    Exists,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from pacer.accounts.models import User
from pacer.okrs import periods
from pacer.okrs import progress as engine
from pacer.okrs.models import (
    Cycle,
    KeyResult,
    Membership,
    Objective,
)
from pacer.okrs.selectors import (
    answered_by,
    not_checked_in_this_period,
    objectives_visible_to,
    with_link_visibility,
)
from pacer.web.selectors.cycles import status_in_cycle
from pacer.web.selectors.rows import live_objectives

M = TypeVar("M", bound=Model)


def first_and_total(items: QuerySet[M], limit: int) -> tuple[list[M], int]:
    """The first `limit` of `items` and how many there are in all: My focus shows a few of
    each list and links to the rest, so it stays the same size whatever a person owns. Two
    queries, whether the list is cut or not."""
    return list(items[:limit]), items.count()


def person_zone(person: User) -> tzinfo:
    """The person's time zone (the server's when theirs is unknown)."""
    try:
        return ZoneInfo(person.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def checkin_period_start(person: User, now: datetime, anchor: date | None = None) -> datetime:
    """When the person's current check-in period began, at the organization's cadence
    (periods.checkin_period_start; `anchor`, the cycle's start, for biweekly periods)."""
    cadence = person.organization.checkin_cadence if person.organization else periods.WEEKLY
    return periods.checkin_period_start(now, person_zone(person), cadence, anchor)


def my_objectives(person: User, cycles: Sequence[Cycle]) -> QuerySet[Objective]:
    key_results = with_link_visibility(
        KeyResult.objects.select_related("owner").order_by("position", "id"), person
    )
    return (
        live_objectives(person)
        .filter(owner=person, cycle__in=cycles)
        .prefetch_related(Prefetch("key_results", queryset=key_results))
        .order_by("cycle__end", "title")
    )


def my_key_results(person: User, cycles: Sequence[Cycle]) -> QuerySet[KeyResult]:
    """KRs I answer for: the ones I own, and those without owner under objectives I own."""
    # Correlated on the key result's objective: the few key results I answer for are found
    # first (`answered_by`, by index), then each one's objective tested. As `objective IN
    # (visible objectives)`, the database listed every objective of the organization first.
    objectives = objectives_visible_to(person).filter(
        cycle__in=cycles, archived_at__isnull=True, pk=OuterRef("objective_id")
    )
    mine = KeyResult.objects.filter(
        Exists(objectives), pk__in=answered_by(person, cycles)
    ).select_related("objective__cycle", "objective__team")
    return with_link_visibility(mine, person)


def key_results_awaiting_checkin(
    person: User, cycles: Sequence[Cycle], *, now: datetime
) -> QuerySet[KeyResult]:
    """The rhythm rule (docs/semantics.md, "Check-in rhythm"), THE one answer to "what awaits
    my check-in" (My focus counts it, the weekly check-in lists it first): key results I
    answer for (mine, or without owner under my objectives) in `cycles` (the active ones
    running today), objective not archived, status not done (a stay-above, stay-below or
    range key result is never done), and no check-in with `at` in my current period, at
    the cadence of the objective's team (blank: the organization's;
    okrs.selectors.not_checked_in_this_period)."""
    done = Q(progress__gte=engine.ONE) & ~Q(type__in=engine.HEALTH_TYPES)
    if person.organization is None:
        return KeyResult.objects.none()
    not_yet = not_checked_in_this_period(
        person.organization, cycles, now=now, zone=person_zone(person)
    )
    return (
        my_key_results(person, cycles)
        .exclude(done)
        .filter(not_yet)
        .order_by("objective__title", "position", "id")
    )


def key_results_owned_elsewhere(person: User, cycles: Sequence[Cycle]) -> QuerySet[KeyResult]:
    """KRs I own under objectives someone else owns."""
    return (
        my_key_results(person, cycles)
        .filter(owner=person)
        .exclude(objective__owner=person)
        .order_by("objective__title", "position", "id")
    )


def slipping_in_my_teams(
    person: User, cycles: Sequence[Cycle], *, on: date, bands: engine.Bands
) -> QuerySet[Objective]:
    """Objectives of my teams that are at risk or off track at `on`."""
    slipping = Q(pk__in=[])
    for cycle in cycles:
        for status in (engine.AT_RISK, engine.OFF_TRACK):
            slipping |= Q(cycle=cycle) & status_in_cycle(cycle, status, on=on, bands=bands)
    my_teams = Membership.objects.filter(person=person).values("team_id")
    return (
        live_objectives(person)
        .filter(team_id__in=my_teams)
        .filter(slipping)
        .order_by("progress", "title")
    )
