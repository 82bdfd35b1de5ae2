"""Versions of what a live page shows (docs/live-pages.md): one small query each, no rendering.

A version is a tuple of the latest `updated_at` and the number of rows of what the page
draws from, read through `objectives_visible_to`: a change to an objective the reader may
not see never moves it, so whether a page changed tells nothing about hidden objectives.
Counts catch deletions, which leave no newer `updated_at` behind. Every write that changes
what these pages show saves an objective, a key result, a check-in or a milestone (the
roll-up saves the stored progress with `updated_at`), so a check-in always moves the
version of every page that shows its key result.
"""

from datetime import date

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from pacer.accounts.models import User
from pacer.insights.models import SCOPE_PUBLIC, ParticipationSnapshot
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Milestone, Objective
from pacer.okrs.selectors import objectives_visible_to

Version = tuple[object, ...]


def objectives_version(objectives: QuerySet[Objective]) -> Version:
    """What rows of these objectives show: their own fields, stored progress and their key
    results' confidence, in one aggregate over the objectives and their key results."""
    row = objectives.order_by().aggregate(
        changed=Max("updated_at"),
        objectives=Count("pk", distinct=True),
        key_results_changed=Max("key_results__updated_at"),
        key_results=Count("key_results", distinct=True),
    )
    return tuple(row[name] for name in sorted(row))


def focus_version(person: User, *, on: date) -> Version:
    """My focus: the visible objectives of the cycles active on `on` (every list on the page
    is made of them and their key results; `selectors.active_cycles`)."""
    objectives = objectives_visible_to(person).filter(
        cycle__state=Cycle.State.ACTIVE, cycle__start__lte=on, cycle__end__gte=on
    )
    return objectives_version(objectives)


def cycle_version(person: User, ref: str) -> Version:
    """The cycle overview, for any filter: every visible objective of the cycle `ref` (none
    for a cycle that is not the person's: the view answers that with its 404)."""
    return objectives_version(objectives_visible_to(person).filter(cycle__ref=ref))


def dashboard_version(person: User, ref: str) -> Version:
    """A dashboard of the cycle `ref` (the organization's, a team's or a person's): its
    objectives and key results as on the cycle overview, and when the snapshot run last
    wrote the cycle's stored trends and participation (a second, indexed query).

    A check-in dated now moves its key result (`last_checkin_at`), so it moves the version;
    the cycle's check-ins are not counted: that read every check-in of the cycle on every
    page and poll (23 ms of a 37 ms version at the large bench size). A check-in dated
    before its key result's latest shows in the ended periods with the next snapshot run."""
    objectives = objectives_visible_to(person).filter(cycle__ref=ref)
    rows = ParticipationSnapshot.objects.filter(cycle__ref=ref, team=None, scope=SCOPE_PUBLIC)
    organization_id = person.organization_id or 0  # none: no row of anyone's
    latest = rows.filter(organization_id=organization_id).order_by("-written_at")
    return (*objectives_version(objectives), latest.values_list("written_at", flat=True).first())


def per_objective(
    rows: QuerySet, objective: str, column: str, aggregate: type[Max] | type[Count]
) -> Subquery:
    """One number of `rows` (narrowed to one objective) as a correlated subquery, grouped by
    the objective's column `objective`."""
    grouped = rows.order_by().values(objective).annotate(value=aggregate(column))
    return Subquery(grouped.values("value"))


def objective_version(person: User, ref: str) -> Version | None:
    """The objective page's header, chart and key results: the objective, its key results,
    their check-ins and milestones. None when `person` may not see it (the view's 404)."""
    key_results = KeyResult.objects.filter(objective_id=OuterRef("pk"))
    checkins = CheckIn.objects.filter(key_result__objective_id=OuterRef("pk"))
    milestones = Milestone.objects.filter(key_result__objective_id=OuterRef("pk"))
    by_kr, by_row = "objective_id", "key_result__objective_id"
    row = (
        objectives_visible_to(person)
        .filter(ref=ref)
        .annotate(
            key_results_changed=per_objective(key_results, by_kr, "updated_at", Max),
            key_results_count=Coalesce(per_objective(key_results, by_kr, "pk", Count), 0),
            latest_checkin=per_objective(checkins, by_row, "pk", Max),
            checkins_count=Coalesce(per_objective(checkins, by_row, "pk", Count), 0),
            milestones_changed=per_objective(milestones, by_row, "updated_at", Max),
            milestones_count=Coalesce(per_objective(milestones, by_row, "pk", Count), 0),
        )
        .values_list(
            "pk",
            "updated_at",
            "key_results_changed",
            "key_results_count",
            "latest_checkin",
            "checkins_count",
            "milestones_changed",
            "milestones_count",
        )
        .first()
    )
    return row


def with_day(version: Version | None, on: date) -> Version | None:
    """Expected progress and the check-in week move with the date: a new day is a new version."""
    return None if version is None else (*version, on.isoformat())
