"""Cycles: everyone reads; admins create, change, delete (if empty), close and reopen."""

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from pacer.api import queries
from pacer.api.auth import caller
from pacer.api.endpoints.common import NO_CONTENT, links, ok, require_admin
from pacer.api.pagination import paged
from pacer.api.present import cycle_out
from pacer.api.schemas import CycleIn, CycleList, CycleOut, CyclePatch, OpenState, Ref, SyncQuery
from pacer.okrs import services
from pacer.okrs.models import Cycle

router = Router(tags=["cycles"])


def admin_cycle(request: HttpRequest, ref: str) -> Cycle:
    user = caller(request)
    require_admin(user)
    return queries.cycle(user, ref)


@router.get("/cycles", response=ok(CycleList), summary="List cycles")
def list_cycles(request: HttpRequest, query: Query[SyncQuery]) -> dict[str, Any]:
    cycles = queries.cycles(caller(request))
    if query.updated_since:
        cycles = cycles.filter(updated_at__gte=query.updated_since)
    return paged(
        cycles, cursor=query.cursor, limit=query.limit, present=lambda r: [cycle_out(c) for c in r]
    )


@router.get("/cycles/{ref}", response=ok(CycleOut), summary="Read a cycle")
def get_cycle(request: HttpRequest, ref: Path[Ref]) -> dict[str, Any]:
    return cycle_out(queries.cycle(caller(request), ref))


@router.post(
    "/cycles",
    response=ok(CycleOut, 201),
    summary="Create a cycle (admins)",
    openapi_extra=links(
        201,
        {"ref": "$response.body#/ref"},
        "cycles.get_cycle",
        "cycles.update_cycle",
        "cycles.delete_cycle",
        "cycles.close_cycle",
        "cycles.reopen_cycle",
    ),
)
def create_cycle(request: HttpRequest, payload: CycleIn) -> Status[dict[str, Any]]:
    user = caller(request)
    require_admin(user)
    assert user.organization is not None
    cycle = services.cycle_create(organization=user.organization, **payload.model_dump())
    return Status(201, cycle_out(cycle))


@router.patch("/cycles/{ref}", response=ok(CycleOut), summary="Change a cycle (admins)")
def update_cycle(request: HttpRequest, ref: Path[Ref], payload: CyclePatch) -> dict[str, Any]:
    changes = {k: v for k, v in payload.model_dump().items() if v is not None}
    return cycle_out(services.cycle_update(cycle=admin_cycle(request, ref), **changes))


@router.delete("/cycles/{ref}", response=NO_CONTENT, summary="Delete an empty cycle (admins)")
def delete_cycle(request: HttpRequest, ref: Path[Ref]) -> Status[None]:
    services.cycle_delete(cycle=admin_cycle(request, ref))
    return Status(204, None)


@router.post("/cycles/{ref}/close", response=ok(CycleOut), summary="Close a cycle (admins)")
def close_cycle(request: HttpRequest, ref: Path[Ref]) -> dict[str, Any]:
    """Freezes every score of the cycle (`final_score`); check-ins and edits stop."""
    return cycle_out(services.cycle_close(cycle=admin_cycle(request, ref)))


@router.post("/cycles/{ref}/reopen", response=ok(CycleOut), summary="Reopen a cycle (admins)")
def reopen_cycle(
    request: HttpRequest, ref: Path[Ref], state: OpenState = "active"
) -> dict[str, Any]:
    """Numbers follow check-ins again; overrides are kept."""
    return cycle_out(services.cycle_reopen(cycle=admin_cycle(request, ref), state=state))
