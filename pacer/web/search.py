"""Search: objectives, key results, people and teams whose names contain the query.

Across every cycle of the searcher's organization. Objectives and key results come only
from `objectives_visible_to`, so a private objective never shows, not even as a count: a
kind says only whether there are more than it shows (one row past the cap is read, nothing
is counted). Each kind is one query with a LIMIT, newest first (by primary key, which the
database walks backwards and stops after the cap), so the work does not grow with the data
beyond one scan of the titles.
"""

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.db.models import Model, Q, QuerySet

from pacer.accounts.models import User
from pacer.okrs.models import KeyResult, Objective, Team
from pacer.okrs.selectors import key_results_visible_to, objectives_visible_to

MIN_LENGTH = 2
MAX_LENGTH = 100
PER_KIND = 10  # rows shown of each kind; a narrower query finds the rest

M = TypeVar("M", bound=Model)
T = TypeVar("T")


@dataclass(frozen=True)
class Found(Generic[T]):
    """The first rows of one kind, and whether there are more than those."""

    rows: list[T] = field(default_factory=list)
    more: bool = False


@dataclass(frozen=True)
class Results:
    query: str
    objectives: Found[Objective]
    key_results: Found[KeyResult]
    people: Found[User]
    teams: Found[Team]

    @property
    def empty(self) -> bool:
        kinds = (self.objectives, self.key_results, self.people, self.teams)
        return not any(kind.rows for kind in kinds)


def first(rows: QuerySet[M], limit: int = PER_KIND) -> Found[M]:
    """The first `limit` rows, reading one more to tell whether there are more."""
    found = list(rows[: limit + 1])
    return Found(found[:limit], len(found) > limit)


def objectives_matching(person: User, query: str) -> QuerySet[Objective]:
    return (
        objectives_visible_to(person)
        .filter(title__icontains=query)
        .select_related("cycle", "team")
        .order_by("-pk")
    )


def key_results_matching(person: User, query: str) -> QuerySet[KeyResult]:
    """Key results of visible objectives (a check on each matching row's objective, so the
    scan stops after the cap; an IN over every visible objective had to list them first)."""
    return (
        key_results_visible_to(person)
        .filter(title__icontains=query)
        .select_related("objective__cycle")
        .order_by("-pk")
    )


def people_matching(person: User, query: str) -> QuerySet[User]:
    if person.organization_id is None:
        return User.objects.none()
    return User.objects.filter(
        Q(name__icontains=query) | Q(email__icontains=query),
        organization_id=person.organization_id,
    ).order_by("name", "pk")


def teams_matching(person: User, query: str) -> QuerySet[Team]:
    if person.organization_id is None:
        return Team.objects.none()
    return Team.objects.filter(
        Q(name__icontains=query) | Q(ref__icontains=query),
        organization_id=person.organization_id,
    ).order_by("name", "pk")


def search(person: User, query: str) -> Results:
    """What `person` may see of each kind whose name contains `query` (four queries)."""
    return Results(
        query,
        objectives=first(objectives_matching(person, query)),
        key_results=first(key_results_matching(person, query)),
        people=first(people_matching(person, query)),
        teams=first(teams_matching(person, query)),
    )
