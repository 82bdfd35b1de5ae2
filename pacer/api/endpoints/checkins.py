"""Check-ins: list (per key result or across), create one or many, delete your own."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Path, Query, Router, Status
from ninja.errors import ValidationError

from pacer.accounts.models import User
from pacer.api import queries, throttling
from pacer.api.auth import caller
from pacer.api.endpoints.common import (
    NO_CONTENT,
    links,
    ok,
    require_checker,
)
from pacer.api.pagination import paged
from pacer.api.present import checkin_out
from pacer.api.schemas import (
    BulkIn,
    BulkItem,
    BulkOut,
    CheckInIn,
    CheckInList,
    CheckInOut,
    CheckInQuery,
    Id,
    PageQuery,
    Ref,
)
from pacer.okrs import permissions, services
from pacer.okrs.models import CheckIn, KeyResult

router = Router(tags=["check-ins"])


def filtered(user: User, f: CheckInQuery) -> QuerySet[CheckIn]:
    conditions: dict[str, Any] = {
        "key_result__ref": f.key_result,
        "key_result__objective__ref": f.objective,
        "author__email": f.author.lower() if f.author else None,
        "at__gte": f.since,
        "at__lt": f.until,
        "created_at__gte": f.updated_since,
    }
    return queries.checkins(user).filter(**{k: v for k, v in conditions.items() if v is not None})


def present(rows: Any) -> list[dict[str, Any]]:
    return [checkin_out(c) for c in rows]


@router.get("/checkins", response=ok(CheckInList), summary="List check-ins")
def list_checkins(request: HttpRequest, filters: Query[CheckInQuery]) -> dict[str, Any]:
    """Check-ins on key results you may see, in the order they were written."""
    rows = filtered(caller(request), filters)
    return paged(rows, cursor=filters.cursor, limit=filters.limit, present=present)


@router.get(
    "/key-results/{ref}/checkins",
    response=ok(CheckInList),
    summary="List a key result's check-ins",
)
def list_key_result_checkins(
    request: HttpRequest, ref: Path[Ref], query: Query[PageQuery]
) -> dict[str, Any]:
    user = caller(request)
    kr = queries.key_result(user, ref)
    rows = queries.checkins(user).filter(key_result=kr)
    return paged(rows, cursor=query.cursor, limit=query.limit, present=present)


def checkin_input(kr: KeyResult, item: CheckInIn) -> services.CheckInInput:
    return services.CheckInInput(
        key_result=kr,
        value=item.value,
        confidence=item.confidence or "",
        note=item.note,
        at=item.at,
    )


@router.post(
    "/key-results/{ref}/checkins",
    response=ok(CheckInOut, 201),
    summary="Check in",
    openapi_extra=links(201, {"checkin_id": "$response.body#/id"}, "checkins.delete_checkin"),
)
def create_checkin(
    request: HttpRequest, ref: Path[Ref], payload: CheckInIn
) -> Status[dict[str, Any]]:
    """A value (none for milestones, linked and initiatives key results), an optional
    confidence and note; `at` defaults to now and may not lie in the future."""
    user = caller(request)
    kr = queries.key_result_to_write(user, ref)
    require_checker(user, kr)
    checkin = services.checkin_create(
        key_result=kr,
        value=payload.value,
        confidence=payload.confidence or "",
        note=payload.note,
        author=user,
        at=payload.at,
    )
    return Status(201, checkin_out(checkin))


def bulk_key_results(user: User, items: list[BulkItem]) -> list[KeyResult]:
    """Each item's key result, visible and editable; unknown refs are errors by position."""
    refs = {item.key_result for item in items}
    found = {kr.ref: kr for kr in queries.key_results(user).filter(ref__in=refs)}
    missing = [
        {"loc": ("body", "items", i, "key_result"), "msg": "no key result with this ref"}
        for i, item in enumerate(items)
        if item.key_result not in found
    ]
    if missing:
        raise ValidationError(missing)
    for kr in found.values():
        require_checker(user, kr)
    return [found[item.key_result] for item in items]


@router.post(
    "/checkins/bulk",
    response=ok(BulkOut, 201),
    summary="Check in on many, at once",
    openapi_extra=links(
        201, {"checkin_id": "$response.body#/items/0/id"}, "checkins.delete_checkin"
    ),
)
def create_checkins(request: HttpRequest, payload: BulkIn) -> Status[dict[str, Any]]:
    """All or nothing: if any item is wrong, nothing is written and the error names every
    wrong item (`body.items[3].value`). For integrations pushing several metrics: at most
    100 items, each counted against your rate limit as one request."""
    user = caller(request)
    throttling.charge_items(request, len(payload.items))
    key_results = bulk_key_results(user, payload.items)
    items = [checkin_input(kr, item) for kr, item in zip(key_results, payload.items, strict=True)]
    created = services.checkin_create_many(items=items, author=user)
    return Status(201, {"items": present(created)})


@router.delete("/checkins/{checkin_id}", response=NO_CONTENT, summary="Delete a check-in")
def delete_checkin(request: HttpRequest, checkin_id: Path[Id]) -> Status[None]:
    """Your own check-ins (admins: any); not in a closed cycle."""
    user = caller(request)
    checkin = queries.checkin(user, checkin_id)
    if not permissions.can_delete_checkin(user, checkin):
        raise PermissionDenied("Only its author and admins delete a check-in.")
    services.checkin_delete(checkin=checkin)
    return Status(204, None)
