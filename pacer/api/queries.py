"""The API's reads: the shared visibility selectors, plus what one page needs prefetched.

Every list costs a fixed number of queries whatever its length.
"""

from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects

from pacer.accounts.models import User
from pacer.api.errors import NotFound
from pacer.api.models import Tombstone
from pacer.okrs import selectors
from pacer.okrs.models import (
    Alignment,
    CheckIn,
    Cycle,
    KeyResult,
    Membership,
    Milestone,
    Objective,
    Team,
)


def organization_id(user: User) -> int:
    """The caller's organization; a person outside any organization finds nothing."""
    if user.organization_id is None:
        raise NotFound("organization")
    return user.organization_id


def objectives(user: User) -> QuerySet[Objective]:
    # Correlated by the parent's id: a few lookups by primary key for a page, where
    # `parent__in=<visible objectives>` listed every visible objective of the organization.
    parent_visible = selectors.objectives_visible_to(user).filter(pk=OuterRef("parent_id"))
    visible_parents = Alignment.objects.filter(Exists(parent_visible)).select_related("parent")
    return (
        selectors.objectives_visible_to(user)
        .select_related("cycle", "team", "owner", "organization")
        .prefetch_related(
            Prefetch("parent_links", queryset=visible_parents, to_attr="visible_parent_links"),
            Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "id")),
        )
    )


def objective(user: User, ref: str) -> Objective:
    found = objectives(user).filter(ref=ref).first()
    if found is None:
        raise NotFound("objective")
    return found


def milestones_in_order() -> Prefetch:
    return Prefetch("milestones", queryset=Milestone.objects.order_by("position", "id"))


def visible_key_results(user: User) -> QuerySet[KeyResult]:
    """Visible key results with what presenting one reads, each marked where it follows an
    objective `user` may not see; milestones not prefetched."""
    key_results = selectors.key_results_visible_to(user).select_related(
        "objective__cycle", "objective__organization", "owner", "linked_objective"
    )
    return selectors.with_link_visibility(key_results, user)


def key_results(user: User) -> QuerySet[KeyResult]:
    """Visible key results for a list: each one's milestones prefetched."""
    return visible_key_results(user).prefetch_related(milestones_in_order())


def key_result(user: User, ref: str) -> KeyResult:
    """One visible key result with what presenting it reads."""
    return one_key_result(visible_key_results(user), ref)


def key_result_to_write(user: User, ref: str) -> KeyResult:
    """The visible key result a check-in names, with only what writing reads: its objective
    and cycle (the write locks and reads its objective again). The API's most frequent
    write: no owner, organization or link joined, no follows-hidden mark."""
    return one_key_result(
        selectors.key_results_visible_to(user).select_related("objective__cycle"), ref
    )


def one_key_result(candidates: QuerySet[KeyResult], ref: str) -> KeyResult:
    """The key result of `candidates` with this ref (a ref names one in an organization, so
    no ORDER BY), or NotFound; its milestones read only when it is a milestones key result
    (a check-in on a metric does not read them)."""
    found = next(iter(candidates.filter(ref=ref).order_by()[:1]), None)
    if found is None:
        raise NotFound("key result")
    if found.type == KeyResult.Type.MILESTONES:
        prefetch_related_objects([found], milestones_in_order())
    return found


def checkins(user: User) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(
        Exists(
            selectors.objectives_visible_to(user).filter(pk=OuterRef("key_result__objective_id"))
        )
    ).select_related("key_result", "author")


def checkin(user: User, checkin_id: int) -> CheckIn:
    found = (
        checkins(user).select_related("key_result__objective__cycle").filter(pk=checkin_id).first()
    )
    if found is None:
        raise NotFound("check-in")
    return found


def milestone(kr: KeyResult, milestone_id: int) -> Milestone:
    found = kr.milestones.select_related("key_result").filter(pk=milestone_id).first()
    if found is None:
        raise NotFound("milestone")
    return found


def cycles(user: User) -> QuerySet[Cycle]:
    return Cycle.objects.filter(organization_id=organization_id(user))


def cycle(user: User, ref: str) -> Cycle:
    found = cycles(user).filter(ref=ref).first()
    if found is None:
        raise NotFound("cycle")
    return found


def teams(user: User) -> QuerySet[Team]:
    members = Membership.objects.select_related("person").order_by("person__email")
    return (
        Team.objects.filter(organization_id=organization_id(user))
        .select_related("parent")
        .prefetch_related(Prefetch("memberships", queryset=members))
    )


def team(user: User, ref: str) -> Team:
    found = teams(user).filter(ref=ref).first()
    if found is None:
        raise NotFound("team")
    return found


def people(user: User) -> QuerySet[User]:
    if user.organization_id is None:
        return User.objects.none()
    return User.objects.filter(organization_id=user.organization_id).prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("team"))
    )


def person(user: User, email: str) -> User:
    found = people(user).filter(email=email.lower()).first()
    if found is None:
        raise NotFound("person")
    return found


def deletions(user: User, since: datetime) -> QuerySet[Tombstone]:
    """Tombstones of what `user` could see: public things, or their objective is visible."""
    if user.organization_id is None:
        return Tombstone.objects.none()
    visible = selectors.objectives_visible_to(user).values("pk")
    return Tombstone.objects.filter(
        Q(private=False) | Q(objective_id__in=visible),
        organization_id=user.organization_id,
        deleted_at__gte=since,
    )
