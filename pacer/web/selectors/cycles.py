"""Cycles: reads for the pages (pacer.web.selectors)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Count,
    F,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce

from pacer.accounts.models import User
from pacer.okrs import progress as engine
from pacer.okrs.models import (
    Cycle,
    Objective,
    Team,
)
from pacer.okrs.selectors import (
    objectives_visible_to,
    status_condition,
)
from pacer.web.selectors.constants import STATUS_CHOICES
from pacer.web.selectors.rows import ObjectiveFilters, live_objectives


def cycles_of(person: User) -> QuerySet[Cycle]:
    if person.organization_id is None:
        return Cycle.objects.none()
    return Cycle.objects.filter(organization_id=person.organization_id)


def active_cycles(person: User, *, on: date) -> list[Cycle]:
    """Active cycles containing `on`, shortest (the "current" one) first."""
    cycles = cycles_of(person).filter(state=Cycle.State.ACTIVE, start__lte=on, end__gte=on)
    return sorted(cycles, key=lambda c: (c.end - c.start, c.start))


def default_cycle(person: User, *, on: date) -> Cycle | None:
    """The current cycle, or else the most recent one."""
    active = active_cycles(person, on=on)
    return active[0] if active else cycles_of(person).first()


def cycles_with_counts(person: User) -> QuerySet[Cycle]:
    visible = objectives_visible_to(person).filter(archived_at__isnull=True)
    return cycles_of(person).annotate(
        objective_count=Count("objectives", filter=Q(objectives__in=visible))
    )


def filter_objectives(
    objectives: QuerySet[Objective], filters: ObjectiveFilters
) -> QuerySet[Objective]:
    """Every filter except status (that one needs the date; see `with_status`)."""
    if filters.team:
        objectives = objectives.filter(team__ref=filters.team)
    if filters.owner:
        objectives = objectives.filter(owner__email=filters.owner)
    if filters.kind:
        objectives = objectives.filter(kind=filters.kind)
    if filters.forecast:  # forecast to miss: labelled unlikely (docs/forecast.md)
        objectives = objectives.filter(forecast_progress__lt=engine.POSSIBLE_FROM)
    if filters.q:
        objectives = objectives.filter(
            Q(title__icontains=filters.q) | Q(description__icontains=filters.q)
        )
    return objectives


def status_in_cycle(cycle: Cycle, status: str, *, on: date, bands: engine.Bands) -> Q:
    expected = engine.expected_progress(on, cycle.start, cycle.end)
    return status_condition(status, expected, bands)


def status_counts(
    objectives: QuerySet[Objective], cycle: Cycle, *, on: date, bands: engine.Bands
) -> dict[str, int]:
    """How many objectives have each status, in one query."""
    aggregates = {
        status: Count("pk", filter=status_in_cycle(cycle, status, on=on, bands=bands))
        for status in engine.STATUSES
    }
    counts = objectives.order_by().aggregate(**aggregates)
    return {status: counts[status] or 0 for status in engine.STATUSES}


@dataclass(frozen=True)
class CountCard:
    """One count above a cycle's objectives: `key` is the chip's class, `label` its text."""

    key: str
    label: str
    n: int


def cycle_counts(
    objectives: QuerySet[Objective], cycle: Cycle, *, on: date, bands: engine.Bands
) -> list[CountCard]:
    """Per status while the cycle is live; once it is closed, how many met (their final
    score, by kind) and how many did not. One query either way."""
    if cycle.is_closed:
        met = success_counts(objectives)
        return [CountCard("met", "Met", met[True]), CountCard("not_met", "Not met", met[False])]
    counts = status_counts(objectives, cycle, on=on, bands=bands)
    return [CountCard(status, label, counts[status]) for status, label in STATUS_CHOICES]


def success_counts(objectives: QuerySet[Objective]) -> dict[bool, int]:
    """How many objectives met their kind's rule at their final score (override first):
    one query grouped by kind and score (a few groups), the rule applied per group."""
    groups = (
        objectives.order_by()
        .annotate(grade=Coalesce("score_override", "final_score"))
        .values("kind", "grade")
        .annotate(n=Count("pk"))
    )
    counts = {True: 0, False: 0}
    for group in groups:
        grade = group["grade"]
        counts[grade is not None and engine.succeeded(group["kind"], grade)] += group["n"]
    return counts


@dataclass(frozen=True)
class FilterChoices:
    teams: list[Team]
    owners: list[User]
    # Past OWNER_CHOICES owners a list is no help (and thousands of options slow every
    # page): the owner filter becomes an email field.
    owner_by_email: bool = False


OWNER_CHOICES = 100


def filter_choices(objectives: QuerySet[Objective]) -> FilterChoices:
    """Teams and owners that occur among `objectives` (already scoped to what one sees)."""
    ids = objectives.order_by().values("pk")
    teams = Team.objects.filter(objectives__in=ids).distinct().order_by("name")
    owners = User.objects.filter(owned_objectives__in=ids).distinct().order_by("name", "email")
    few_owners = list(owners[: OWNER_CHOICES + 1])
    if len(few_owners) > OWNER_CHOICES:
        return FilterChoices(teams=list(teams), owners=[], owner_by_email=True)
    return FilterChoices(teams=list(teams), owners=few_owners)


def cycle_objectives(
    person: User, cycle: Cycle, filters: ObjectiveFilters, *, on: date, bands: engine.Bands
) -> QuerySet[Objective]:
    """A cycle's visible objectives after the filters, grouped by team then titled."""
    objectives = filter_objectives(live_objectives(person).filter(cycle=cycle), filters)
    if filters.status and not cycle.is_closed:  # a closed cycle shows no status
        objectives = objectives.filter(status_in_cycle(cycle, filters.status, on=on, bands=bands))
    return objectives.order_by(F("team__name").asc(nulls_last=True), "title", "pk")
