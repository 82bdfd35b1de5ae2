"""Following an objective or a team, to hear of its check-ins, changes and comments.

Anyone may follow an objective they can see, or a team of their organization. Following
again, or unfollowing what one does not follow, changes nothing.
"""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from pacer.accounts.models import User
from pacer.notifications.models import Follow
from pacer.okrs import selectors
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Objective, Team


def may_follow_objective(person: User, objective: Objective) -> bool:
    return selectors.objectives_visible_to(person).filter(pk=objective.pk).exists()


def may_follow_team(person: User, team: Team) -> bool:
    return person.organization_id is not None and team.organization_id == person.organization_id


def follow(person: User, *, objective: Objective | None = None, team: Team | None = None) -> Follow:
    """Follow `objective` or `team` (exactly one); the existing follow if already."""
    if (objective is None) == (team is None):
        raise ValueError("follow an objective or a team")
    if objective is not None and not may_follow_objective(person, objective):
        raise DomainError("You may not see this objective.", field="objective")
    if team is not None and not may_follow_team(person, team):
        raise DomainError("No such team.", field="team")
    try:
        with transaction.atomic():
            return Follow.objects.create(person=person, objective=objective, team=team)
    except IntegrityError:  # followed already (or twice at once)
        return Follow.objects.get(person=person, objective=objective, team=team)


def unfollow(person: User, *, objective: Objective | None = None, team: Team | None = None) -> bool:
    """Stop following; whether there was anything to stop."""
    if (objective is None) == (team is None):
        raise ValueError("unfollow an objective or a team")
    deleted, _ = Follow.objects.filter(person=person, objective=objective, team=team).delete()
    return deleted > 0


def follows(person: User, *, objective: Objective | None = None, team: Team | None = None) -> bool:
    return Follow.objects.filter(person=person, objective=objective, team=team).exists()


def followed_by(person: User) -> QuerySet[Follow]:
    """What `person` follows, for the list with Unfollow: objectives they may no longer see
    are left out (the row stays; it tells them nothing while hidden)."""
    visible = selectors.objectives_visible_to(person).values("pk")
    return (
        (
            Follow.objects.filter(person=person).filter(objective__isnull=True)
            | Follow.objects.filter(person=person, objective__in=visible)
        )
        .select_related("objective", "team")
        .order_by("-created_at", "-id")
    )
