"""The organization's settings, its teams and people, and what was deleted (for sync)."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Path, Query, Router

from pacer.api import queries
from pacer.api.auth import caller
from pacer.api.endpoints.common import ok, require_admin
from pacer.api.errors import NotFound
from pacer.api.pagination import paged
from pacer.api.present import organization_out, person_out, team_out
from pacer.api.schemas import (
    DeletionList,
    DeletionQuery,
    Email,
    OrganizationOut,
    OrganizationPatch,
    PageQuery,
    PersonList,
    PersonOut,
    Ref,
    SyncQuery,
    TeamList,
    TeamOut,
)
from pacer.okrs import services
from pacer.okrs.models import Organization

router = Router(tags=["organization"])


def organization_of(request: HttpRequest) -> Organization:
    organization = caller(request).organization
    if organization is None:
        raise NotFound("organization")
    return organization


@router.get("/organization", response=ok(OrganizationOut), summary="Read the settings")
def get_organization(request: HttpRequest) -> dict[str, Any]:
    return organization_out(organization_of(request))


@router.patch(
    "/organization",
    response=ok(OrganizationOut),
    summary="Change the status bands and the check-in rhythm (admins)",
)
def update_organization(request: HttpRequest, payload: OrganizationPatch) -> dict[str, Any]:
    require_admin(caller(request))
    fields = payload.model_dump()
    rhythm = {k: fields.pop(k) for k in ("checkin_cadence", "reminder_weekday", "reminder_time")}
    with transaction.atomic():  # both or neither
        organization = services.organization_update(organization=organization_of(request), **fields)
        organization = services.organization_rhythm_update(organization=organization, **rhythm)
    return organization_out(organization)


@router.get("/teams", response=ok(TeamList), summary="List teams")
def list_teams(request: HttpRequest, query: Query[SyncQuery]) -> dict[str, Any]:
    teams = queries.teams(caller(request))
    if query.updated_since:
        teams = teams.filter(updated_at__gte=query.updated_since)
    return paged(
        teams, cursor=query.cursor, limit=query.limit, present=lambda r: [team_out(t) for t in r]
    )


@router.get("/teams/{ref}", response=ok(TeamOut), summary="Read a team")
def get_team(request: HttpRequest, ref: Path[Ref]) -> dict[str, Any]:
    return team_out(queries.team(caller(request), ref))


@router.get("/people", response=ok(PersonList), summary="List people")
def list_people(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    people = queries.people(caller(request))
    return paged(
        people, cursor=query.cursor, limit=query.limit, present=lambda r: [person_out(p) for p in r]
    )


@router.get("/people/{email}", response=ok(PersonOut), summary="Read a person")
def get_person(request: HttpRequest, email: Path[Email]) -> dict[str, Any]:
    return person_out(queries.person(caller(request), email))


@router.get("/deletions", response=ok(DeletionList), summary="What was deleted (for sync)")
def list_deletions(request: HttpRequest, query: Query[DeletionQuery]) -> dict[str, Any]:
    """Tombstones of deleted cycles, key results, milestones and check-ins you could see,
    deleted at or after `since`; pair it with `updated_since` on the lists."""
    rows = queries.deletions(caller(request), query.since)
    return paged(
        rows,
        cursor=query.cursor,
        limit=query.limit,
        present=lambda r: [{"kind": t.kind, "ref": t.ref, "deleted_at": t.deleted_at} for t in r],
    )
