"""Teams: reads for the pages (pacer.web.selectors)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import (
    QuerySet,
)

from pacer.accounts.models import User
from pacer.okrs.models import (
    Cycle,
    Membership,
    Objective,
    Team,
)
from pacer.web.selectors.rows import live_objectives


@dataclass(frozen=True)
class TeamNode:
    team: Team
    depth: int


def teams_of(person: User) -> QuerySet[Team]:
    if person.organization_id is None:
        return Team.objects.none()
    return Team.objects.filter(organization_id=person.organization_id)


def team_tree(teams: Iterable[Team], *, under: int | None = None) -> list[TeamNode]:
    """Teams below `under` (all, by default) in tree order, each parent before its children,
    with their depth (0 for the first level)."""
    children: dict[int | None, list[Team]] = defaultdict(list)
    for team in teams:
        children[team.parent_id].append(team)
    nodes: list[TeamNode] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for team in sorted(children.get(parent_id, []), key=lambda t: t.name.lower()):
            nodes.append(TeamNode(team, depth))
            walk(team.pk, depth + 1)

    walk(under, 0)
    return nodes


def descendant_ids(root_id: int, teams: Iterable[Team]) -> list[int]:
    """Ids of all teams below the team `root_id` (not that team itself)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for team in teams:
        children[team.parent_id].append(team.pk)
    found: list[int] = []
    stack = list(children.get(root_id, []))
    while stack:
        team_id = stack.pop()
        found.append(team_id)
        stack.extend(children.get(team_id, []))
    return found


def team_memberships(team: Team) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(team=team)
        .select_related("person")
        .order_by("-is_lead", "person__name", "person__email")
    )


def team_objectives(person: User, team_ids: Sequence[int], cycle: Cycle) -> QuerySet[Objective]:
    return (
        live_objectives(person)
        .filter(team_id__in=team_ids, cycle=cycle)
        .order_by("team__name", "title", "pk")
    )
