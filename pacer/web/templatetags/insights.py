"""Links to the confidence calibration pages, shown only to whom may open them
(`permissions.can_see_calibration`, `can_see_team_calibration`)."""

from typing import Any

from django import template
from django.db.models import Q

from pacer.accounts.models import User
from pacer.okrs import permissions
from pacer.okrs.models import Membership, Team

register = template.Library()


def people_whose_calibration(viewer: User) -> set[int] | None:
    """Whose calibration `viewer` may open: None for everyone of the organization (an
    admin), else themself and the members of the teams they lead (one query)."""
    if viewer.is_org_admin:
        return None
    led = Membership.objects.filter(person=viewer, is_lead=True).values("team_id")
    members = Membership.objects.filter(Q(team_id__in=led)).values_list("person_id", flat=True)
    return {viewer.pk, *members}


@register.simple_tag(takes_context=True)
def may_see_calibration_of(context: dict[str, Any], someone: User) -> bool:
    """The same answer as `permissions.can_see_calibration`, for a list of people in one
    query per page (kept on the request)."""
    request = context["request"]
    viewer = request.user
    if not viewer.is_authenticated or viewer.organization_id != someone.organization_id:
        return False
    if not hasattr(request, "_calibration_people"):
        request._calibration_people = people_whose_calibration(viewer)
    allowed = request._calibration_people
    return allowed is None or someone.pk in allowed


@register.simple_tag(takes_context=True)
def may_see_team_calibration(context: dict[str, Any], team: Team) -> bool:
    return permissions.can_see_team_calibration(context["request"].user, team)
