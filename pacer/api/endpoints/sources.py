"""A metric key result's data source (docs/datasources.md, "Feeding a key result"), and a
KPI's (docs/kpis.md) under /kpis/{ref}/source: read, set or replace, remove, preview, and
the sync log. For the people who may check in on the
key result (404 when it is hidden, 403 when it is only visible). The rules are
pacer.datasources.services'; a refused configuration is a 422 naming its field. An HTTP
source's URL and header values are never returned: `url_masked` and `header_names` only."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from pacer.accounts.models import User
from pacer.api import queries
from pacer.api.auth import caller
from pacer.api.endpoints.common import NO_CONTENT, ok
from pacer.api.endpoints.kpis import kpi_of
from pacer.api.errors import NotFound
from pacer.api.pagination import paged
from pacer.api.schemas import LongText, PageQuery, Ref, Strict
from pacer.datasources import services
from pacer.datasources.models import DataSource, SourceRun
from pacer.kpis.models import KPI
from pacer.okrs.models import KeyResult

router = Router(tags=["data sources"])

Kind = Literal["http_json", "sql", "tracker"]


class SourceIn(Strict):
    kind: Kind = Field(
        description="http_json: a URL and a JSONPath; sql: a configured "
        "database and a SELECT; tracker: an issue-tracker link and a count"
    )
    url: str | None = Field(
        None,
        max_length=2000,
        description="http_json: the URL Pacer GETs; tracker: the milestone or search link. "
        "Left out when the source keeps its kind: the stored one is kept",
        examples=["https://metrics.example.com/api/adoption"],
    )
    headers: dict[str, str] | None = Field(
        None,
        description="http_json: headers to send (a token); left out: the stored ones are "
        "kept, {} removes them. Never returned",
        examples=[{"Authorization": "Bearer …"}],
    )
    jsonpath: str = Field("", max_length=500, examples=["$.data.adoption"])
    database: str = Field("", max_length=50, description="sql: a name of PACER_SQL_SOURCES")
    query: LongText = Field("", description="sql: one SELECT returning one number")
    count: Literal["open", "closed"] | None = Field(None, description="tracker: which issues")
    interval_minutes: int = Field(
        services.DEFAULT_INTERVAL,
        description=f"how often it is read ({services.MIN_INTERVAL} to "
        f"{services.MAX_INTERVAL} minutes)",
    )

    def config(self) -> dict[str, Any]:
        return {**self.model_dump(), "count": self.count or ""}


class SourceOut(Schema):
    key_result: str = Field(examples=["adoption"], description="empty for a KPI's source")
    kpi: str = Field(
        "", examples=["uptime"], description="the KPI it feeds; empty for a key result's"
    )
    kind: Kind
    url_masked: str = Field(
        description="http_json: scheme, host and the last 4 characters (the URL may carry a "
        "token); tracker: the link; sql: empty"
    )
    header_names: list[str] = Field(description="http_json: the headers sent, without values")
    jsonpath: str
    database: str
    query: str
    count: Literal["open", "closed"] | None
    interval_minutes: int
    last_run_at: datetime | None
    next_run_at: datetime | None
    last_value: float | None
    last_error: str = Field(description="why the last run failed; empty after a success")
    failures: int = Field(description="failed runs in a row")
    created_by: str | None = Field(examples=["ada@example.com"])
    created_at: datetime
    updated_at: datetime


class ReadingOut(Schema):
    value: float = Field(examples=[42.5], description="rounded as the key result stores it")
    detail: str = Field(
        description="where it came from, as the check-in's note will say",
        examples=["GET https://metrics.example.com/api/adoption → $.data.adoption = 42.5"],
    )


class RunOut(Schema):
    id: int
    at: datetime
    ok: bool
    value: float | None
    detail: str
    error: str
    outcome: str = Field(
        description="what became of the value: check-in written, unchanged, not recorded"
    )
    checkin_id: int | None = Field(description="the check-in this run wrote")


class RunList(Schema):
    items: list[RunOut]
    next_cursor: str | None


def source_out(source: DataSource) -> dict[str, Any]:
    shown = source.url_masked if source.kind == DataSource.Kind.HTTP_JSON else source.link_url
    return {
        "key_result": source.key_result.ref if source.key_result else "",
        "kpi": source.kpi.ref if source.kpi else "",
        "kind": source.kind,
        "url_masked": shown,
        "header_names": list(source.header_names),
        "jsonpath": source.jsonpath,
        "database": source.database,
        "query": source.query,
        "count": source.count or None,
        "interval_minutes": source.interval_minutes,
        "last_run_at": source.last_run_at,
        "next_run_at": source.next_run_at,
        "last_value": number(source.last_value),
        "last_error": source.last_error,
        "failures": source.failures,
        "created_by": source.created_by.email if source.created_by else None,
        "created_at": source.created_at,
        "updated_at": source.updated_at,
    }


def run_out(run: SourceRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "at": run.at,
        "ok": run.ok,
        "value": number(run.value),
        "detail": run.detail,
        "error": run.error,
        "outcome": run.outcome,
        "checkin_id": run.checkin_id,
    }


def number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def feedable(user: User, ref: str) -> KeyResult:
    """The key result, if visible (404) and the caller may check in on it (403)."""
    kr = queries.key_result(user, ref)
    services.require_feeder(user, kr)
    return kr


def source_of(kr: KeyResult) -> DataSource:
    source = (
        DataSource.objects.select_related("key_result", "created_by").filter(key_result=kr).first()
    )
    if source is None:
        raise NotFound("data source for this key result")
    return source


def changeable_kpi(user: User, ref: str) -> KPI:
    """The KPI, if visible (404) and the caller may change it (403)."""
    kpi = kpi_of(user, ref)
    services.require_kpi_changer(user, kpi)
    return kpi


def kpi_source(kpi: KPI) -> DataSource:
    source = DataSource.objects.select_related("kpi", "created_by").filter(kpi=kpi).first()
    if source is None:
        raise NotFound("data source for this KPI")
    return source


@router.get(
    "/key-results/{ref}/source", response=ok(SourceOut), summary="Read a key result's data source"
)
def get_source(request: HttpRequest, ref: Path[Ref]) -> dict[str, Any]:
    return source_out(source_of(feedable(caller(request), ref)))


@router.put(
    "/key-results/{ref}/source",
    response=ok(SourceOut),
    summary="Feed a metric key result from a data source (set or replace)",
)
def put_source(request: HttpRequest, ref: Path[Ref], payload: SourceIn) -> dict[str, Any]:
    """Validated without reading (preview reads); it runs within a minute, then every
    `interval_minutes`. A run whose value differs checks it in, by the source."""
    user = caller(request)
    kr = feedable(user, ref)
    services.source_set(key_result=kr, by=user, **payload.config())
    return source_out(source_of(kr))


@router.delete(
    "/key-results/{ref}/source",
    response=NO_CONTENT,
    summary="Remove a key result's data source (its check-ins stay)",
)
def delete_source(request: HttpRequest, ref: Path[Ref]) -> Status[None]:
    user = caller(request)
    services.source_remove(source=source_of(feedable(user, ref)), by=user)
    return Status(204, None)


@router.post(
    "/key-results/{ref}/source/preview",
    response=ok(ReadingOut),
    summary="Read a data source without saving it",
)
def preview_source(request: HttpRequest, ref: Path[Ref], payload: SourceIn) -> dict[str, Any]:
    """The value the source gives now; a failed read is a 422 naming the field to correct.
    Nothing is written."""
    user = caller(request)
    reading = services.source_preview(key_result=feedable(user, ref), by=user, **payload.config())
    return {"value": float(reading.value), "detail": reading.detail}


@router.get(
    "/key-results/{ref}/source/runs",
    response=ok(RunList),
    summary="A data source's sync log, oldest first (the last 200 runs are kept)",
)
def list_source_runs(
    request: HttpRequest, ref: Path[Ref], query: Query[PageQuery]
) -> dict[str, Any]:
    return runs_page(source_of(feedable(caller(request), ref)), query)


def runs_page(source: DataSource, query: PageQuery) -> dict[str, Any]:
    return paged(
        source.runs.all(),
        cursor=query.cursor,
        limit=query.limit,
        present=lambda rows: [run_out(r) for r in rows],
    )


# --- A KPI's source (docs/kpis.md): the same calls under /kpis/{ref} ---------------------------


@router.get("/kpis/{ref}/source", response=ok(SourceOut), summary="Read a KPI's data source")
def get_kpi_source(request: HttpRequest, ref: Path[Ref]) -> dict[str, Any]:
    return source_out(kpi_source(changeable_kpi(caller(request), ref)))


@router.put(
    "/kpis/{ref}/source",
    response=ok(SourceOut),
    summary="Feed a KPI from a data source (set or replace)",
)
def put_kpi_source(request: HttpRequest, ref: Path[Ref], payload: SourceIn) -> dict[str, Any]:
    """Validated without reading (preview reads); it runs within a minute, then every
    `interval_minutes`. A run whose value differs adds a value to the KPI."""
    user = caller(request)
    kpi = changeable_kpi(user, ref)
    services.kpi_source_set(kpi=kpi, by=user, **payload.config())
    return source_out(kpi_source(kpi))


@router.delete(
    "/kpis/{ref}/source",
    response=NO_CONTENT,
    summary="Remove a KPI's data source (its values stay)",
)
def delete_kpi_source(request: HttpRequest, ref: Path[Ref]) -> Status[None]:
    user = caller(request)
    services.source_remove(source=kpi_source(changeable_kpi(user, ref)), by=user)
    return Status(204, None)


@router.post(
    "/kpis/{ref}/source/preview",
    response=ok(ReadingOut),
    summary="Read a KPI's data source without saving it",
)
def preview_kpi_source(request: HttpRequest, ref: Path[Ref], payload: SourceIn) -> dict[str, Any]:
    """The value the source gives now; a failed read is a 422 naming the field to correct.
    Nothing is written."""
    user = caller(request)
    kpi = changeable_kpi(user, ref)
    reading = services.kpi_source_preview(kpi=kpi, by=user, **payload.config())
    return {"value": float(reading.value), "detail": reading.detail}


@router.get(
    "/kpis/{ref}/source/runs",
    response=ok(RunList),
    summary="A KPI's data source's sync log, oldest first (the last 200 runs are kept)",
)
def list_kpi_source_runs(
    request: HttpRequest, ref: Path[Ref], query: Query[PageQuery]
) -> dict[str, Any]:
    return runs_page(kpi_source(changeable_kpi(caller(request), ref)), query)
