"""KPIs (health metrics outside cycles, docs/kpis.md) and their values.

Reads go through `kpis_visible_to` (organization-wide: another organization's KPI is a 404);
writes through pacer.kpis.services, whose refusals become 403 (not allowed) or 422 naming
the field. Deleting a KPI is final (its values go with it); archive it (`"archived": true`)
to keep its history.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import AfterValidator, ConfigDict, StringConstraints

from pacer.accounts.models import User
from pacer.api.auth import caller
from pacer.api.endpoints.common import NO_CONTENT, links, ok, resolve_person, resolve_team
from pacer.api.errors import NotFound
from pacer.api.pagination import paged
from pacer.api.schemas import (
    Email,
    Id,
    LongText,
    Moment,
    PageQuery,
    Ref,
    Strict,
    SyncQuery,
    Unit,
    Value,
    storable_text,
)
from pacer.kpis import selectors, services
from pacer.kpis.models import KPI, KPIValue
from pacer.okrs.okrfile.exporter import number

router = Router(tags=["kpis"])

KPIKind = Literal["stay_above", "stay_below", "range"]  # pacer.kpis.rules.KINDS
KPIStatus = Literal["healthy", "unhealthy", "no_data"]  # pacer.kpis.models.STATUSES
Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=300),
    AfterValidator(storable_text),
    Field(examples=["Uptime"]),
]


# --- Schemas ----------------------------------------------------------------------------


class KPIOut(Schema):
    ref: str = Field(examples=["uptime"])
    name: str = Field(examples=["Uptime"])
    description: str
    unit: str = Field(examples=["%"])
    owner: str = Field(examples=["ada@example.com"])
    team: str | None = Field(examples=["platform"])
    kind: KPIKind
    threshold: float | None = Field(examples=[99.9], description="stay_above, stay_below")
    low: float | None = Field(description="range: the lowest healthy value")
    high: float | None = Field(description="range: the highest healthy value")
    current: float | None = Field(description="the value with the latest `at`; null before any")
    current_at: datetime | None = Field(description="when the current value was measured")
    status: KPIStatus = Field(description="from the thresholds: healthy or unhealthy")
    archived: bool
    created_at: datetime
    updated_at: datetime = Field(description="its last change, or its last value's")


class KPIList(Schema):
    items: list[KPIOut]
    next_cursor: str | None


class KPIIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "Uptime", "unit": "%", "kind": "stay_above", "threshold": 99.9},
                {"name": "Queue length", "kind": "range", "low": 10, "high": 50},
            ]
        },
    )
    name: Name
    description: LongText = ""
    unit: Unit = ""
    owner: Email | None = Field(
        None, description="an active person of the organization; default: you"
    )
    team: Ref | None = None
    kind: KPIKind = "stay_above"
    threshold: Value | None = None
    low: Value | None = None
    high: Value | None = None


class KPIPatch(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"threshold": 99.5}, {"archived": True}]}
    )
    name: Name | None = None
    description: LongText | None = None
    unit: Unit | None = None
    owner: Email | None = Field(None, description="an active person of the organization")
    team: Ref | None = Field(None, description="null: no team")
    kind: KPIKind | None = None
    threshold: Value | None = None
    low: Value | None = None
    high: Value | None = None
    archived: bool | None = Field(None, description="true archives it, false restores it")


class KPIQuery(SyncQuery):
    team: Ref | None = None
    owner: Email | None = None
    status: KPIStatus | None = None
    archived: bool | None = Field(None, description="true: only archived; false: none archived")


class KPIValueOut(Schema):
    id: int
    at: datetime = Field(description="when it was measured")
    value: float = Field(examples=[99.95])
    note: str
    author: str | None = Field(examples=["ada@example.com"], description="null: a data source")
    from_source: bool
    created_at: datetime


class KPIValueList(Schema):
    items: list[KPIValueOut]
    next_cursor: str | None


class KPIValueIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"value": 99.95, "at": "2026-05-04T09:30:00Z"}]},
    )
    value: Value
    at: Moment | None = Field(None, description="when it was measured; default: now")
    note: LongText = ""


class KPIValueQuery(PageQuery):
    since: Moment | None = Field(None, description="values whose `at` is at or after this")
    until: Moment | None = Field(None, description="values whose `at` is before this")


# --- Reads -------------------------------------------------------------------------------


def kpi_of(user: User, ref: str) -> KPI:
    found = selectors.kpis_visible_to(user).filter(ref=ref).first()
    if found is None:
        raise NotFound("KPI")
    return found


def kpi_out(kpi: KPI) -> dict[str, Any]:
    return {
        "ref": kpi.ref,
        "name": kpi.name,
        "description": kpi.description,
        "unit": kpi.unit,
        "owner": kpi.owner.email,
        "team": kpi.team.ref if kpi.team else None,
        "kind": kpi.kind,
        "threshold": number(kpi.threshold),
        "low": number(kpi.low),
        "high": number(kpi.high),
        "current": number(kpi.current),
        "current_at": kpi.current_at,
        "status": kpi.status,
        "archived": kpi.archived_at is not None,
        "created_at": kpi.created_at,
        "updated_at": kpi.updated_at,
    }


def value_out(row: KPIValue) -> dict[str, Any]:
    return {
        "id": row.pk,
        "at": row.at,
        "value": number(row.value),
        "note": row.note,
        "author": row.author.email if row.author else None,
        "from_source": row.from_source,
        "created_at": row.created_at,
    }


def filtered(user: User, f: KPIQuery) -> QuerySet[KPI]:
    rows = selectors.kpis_visible_to(user)
    if f.team is not None:
        rows = rows.filter(team__ref=f.team)
    if f.owner is not None:
        rows = rows.filter(owner__email=f.owner.lower())
    if f.archived is not None:
        rows = rows.filter(archived_at__isnull=not f.archived)
    if f.status is not None:
        rows = rows.filter(selectors.in_status(f.status))
    if f.updated_since is not None:  # a new value changes `current`, and so `updated_at`
        rows = rows.filter(updated_at__gte=f.updated_since)
    return rows


def present(rows: Any) -> list[dict[str, Any]]:
    return [kpi_out(kpi) for kpi in rows]


# --- Input -------------------------------------------------------------------------------

CLEARABLE = {"team"}  # null means "none" for these; for the others, "leave as is"


def changes_of(user: User, payload: KPIPatch) -> dict[str, Any]:
    sent = payload.model_dump(exclude_unset=True)
    sent.pop("archived", None)
    changes = {k: v for k, v in sent.items() if v is not None or k in CLEARABLE}
    if "owner" in changes:
        changes["owner"] = resolve_person(user, changes["owner"], "owner")
    if "team" in changes:
        changes["team"] = resolve_team(user, changes["team"])
    return changes


# --- KPIs --------------------------------------------------------------------------------

NEW_KPI = links(
    201,
    {"ref": "$response.body#/ref"},
    "kpis.get_kpi",
    "kpis.update_kpi",
    "kpis.delete_kpi",
    "kpis.list_kpi_values",
    "kpis.create_kpi_value",
)


@router.get("/kpis", response=ok(KPIList), summary="List KPIs")
def list_kpis(request: HttpRequest, filters: Query[KPIQuery]) -> dict[str, Any]:
    """The organization's KPIs (every member sees them all), in the order they were created;
    `status` filters on healthy, unhealthy or no_data."""
    rows = filtered(caller(request), filters)
    return paged(rows, cursor=filters.cursor, limit=filters.limit, present=present)


@router.get("/kpis/{ref}", response=ok(KPIOut), summary="Read a KPI")
def get_kpi(request: HttpRequest, ref: Path[Ref]) -> dict[str, Any]:
    return kpi_out(kpi_of(caller(request), ref))


@router.post("/kpis", response=ok(KPIOut, 201), summary="Create a KPI", openapi_extra=NEW_KPI)
def create_kpi(request: HttpRequest, payload: KPIIn) -> Status[dict[str, Any]]:
    """Members create their own KPIs under their teams; admins for anyone, a team's leads
    for its members. `threshold` for stay_above and stay_below, `low` < `high` for range."""
    user = caller(request)
    spec = services.KPISpec(
        name=payload.name,
        owner=resolve_person(user, payload.owner, "owner") if payload.owner else user,
        kind=payload.kind,
        description=payload.description,
        unit=payload.unit,
        team=resolve_team(user, payload.team),
        threshold=payload.threshold,
        low=payload.low,
        high=payload.high,
    )
    organization = user.organization
    if organization is None:
        raise NotFound("organization")
    kpi = services.kpi_create(organization=organization, spec=spec, by=user)
    return Status(201, kpi_out(kpi_of(user, kpi.ref)))


@router.patch("/kpis/{ref}", response=ok(KPIOut), summary="Change, archive or restore a KPI")
def update_kpi(request: HttpRequest, ref: Path[Ref], payload: KPIPatch) -> dict[str, Any]:
    """Only the fields sent change. Its owner, its team's leads and admins change it."""
    user = caller(request)
    kpi = kpi_of(user, ref)
    changes = changes_of(user, payload)
    if changes:
        kpi = services.kpi_update(kpi=kpi, spec=services.spec_of(kpi, **changes), by=user)
    if payload.archived is True:
        services.kpi_archive(kpi=kpi, by=user)
    elif payload.archived is False:
        services.kpi_restore(kpi=kpi, by=user)
    elif not changes:
        services.require_changer(user, kpi)
    return kpi_out(kpi_of(user, ref))


@router.delete("/kpis/{ref}", response=NO_CONTENT, summary="Delete a KPI")
def delete_kpi(request: HttpRequest, ref: Path[Ref]) -> Status[None]:
    """With its values and data source; key results stop following it (their check-ins
    stay). Archive it instead to keep its history."""
    user = caller(request)
    services.kpi_delete(kpi=kpi_of(user, ref), by=user)
    return Status(204, None)


# --- Values ------------------------------------------------------------------------------


@router.get("/kpis/{ref}/values", response=ok(KPIValueList), summary="List a KPI's values")
def list_kpi_values(
    request: HttpRequest, ref: Path[Ref], query: Query[KPIValueQuery]
) -> dict[str, Any]:
    """In the order they were added (by id); `at` says when each was measured."""
    kpi = kpi_of(caller(request), ref)
    rows = KPIValue.objects.filter(kpi=kpi).select_related("author")
    if query.since is not None:
        rows = rows.filter(at__gte=query.since)
    if query.until is not None:
        rows = rows.filter(at__lt=query.until)
    return paged(
        rows,
        cursor=query.cursor,
        limit=query.limit,
        present=lambda page: [value_out(v) for v in page],
    )


@router.post(
    "/kpis/{ref}/values",
    response=ok(KPIValueOut, 201),
    summary="Add a value to a KPI",
    openapi_extra=links(
        201, {"ref": "$request.path.ref", "value_id": "$response.body#/id"}, "kpis.delete_kpi_value"
    ),
)
def create_kpi_value(request: HttpRequest, ref: Path[Ref], payload: KPIValueIn) -> Status[Any]:
    """Its owner, its team and admins add values (one per moment, not in the future). Key
    results that follow the KPI get a check-in when `at` lies in their window."""
    user = caller(request)
    row = services.kpi_value_add(
        kpi=kpi_of(user, ref), value=payload.value, at=payload.at, note=payload.note, by=user
    )
    return Status(201, value_out(row))


@router.delete("/kpis/{ref}/values/{value_id}", response=NO_CONTENT, summary="Remove a value")
def delete_kpi_value(request: HttpRequest, ref: Path[Ref], value_id: Path[Id]) -> Status[None]:
    """Its author, the KPI's owner, its team's leads and admins; `current` follows."""
    user = caller(request)
    kpi = kpi_of(user, ref)
    row = KPIValue.objects.filter(kpi=kpi, pk=value_id).first()
    if row is None:
        raise NotFound("value")
    row.kpi = kpi
    services.kpi_value_delete(value=row, by=user)
    return Status(204, None)
