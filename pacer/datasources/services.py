"""Key results fed by data sources (docs/datasources.md, "Feeding a key result"): set,
preview and remove a key result's source, and run it.

Only metric key results take a source, and only the people who may check in on one
(permissions.can_check_in) set, preview, run or remove it. Saving validates the
configuration with the readers' checks (no read: Preview reads). A run reads outside any
transaction (a slow source holds no lock), then records a SourceRun and, when the value
differs from the key result's current value and today lies in its window, a check-in by the
source (author None) whose note says where the value came from. A failed read, or a
check-in refused (a closed cycle), is a failed run in the sync log, never a crash.
"""

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from pacer import datasources, secretbox
from pacer.accounts.models import User
from pacer.datasources.models import KEPT_RUNS, DataSource, SourceRun
from pacer.datasources.reading import Reading, SourceFailed, SourceProblem
from pacer.datasources.tracker import TrackerFailed, check_tracker, read_tracker
from pacer.jobs.queue import backoff
from pacer.kpis import services as kpi_services
from pacer.kpis.models import KPI, KPIFollow, KPIValue
from pacer.okrs import permissions, rules, services
from pacer.okrs import progress as engine
from pacer.okrs.errors import DomainError, raise_if
from pacer.okrs.models import CheckIn, KeyResult
from pacer.okrs.services.writable import writable_objective

logger = logging.getLogger("pacer.datasources")

KINDS = tuple(DataSource.Kind.values)  # http_json, sql, tracker
COUNTS = tuple(DataSource.Count.values)
DEFAULT_INTERVAL, MIN_INTERVAL, MAX_INTERVAL = 60, 5, 7 * 24 * 60  # minutes
PLACES = Decimal(10) ** -rules.DECIMAL_PLACES


@dataclass(frozen=True)
class Config:
    """A source's configuration, decrypted; only the fields of its kind are used."""

    kind: str
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    jsonpath: str = ""
    database: str = ""
    query: str = ""
    count: str = ""


# --- Who and what -------------------------------------------------------------------------


def may_feed(person: User, key_result: KeyResult) -> bool:
    """Whether `person` may see and change the source of `key_result`: its check-ins' people."""
    return permissions.can_check_in(person, key_result)


def require_feeder(by: User | None, key_result: KeyResult) -> None:
    if by is not None and not may_feed(by, key_result):
        raise PermissionDenied(
            "Only the objective's editors and the key result's owner set where its value comes "
            "from."
        )


def require_metric(key_result: KeyResult) -> None:
    if key_result.type != engine.METRIC:
        raise DomainError(
            f"only a metric key result takes its value from a source; this one is "
            f"{key_result.get_type_display().lower()}",
            "type",
        )


def source_of(key_result: KeyResult) -> DataSource | None:
    return DataSource.objects.filter(key_result=key_result).first()


def require_not_following(key_result: KeyResult) -> None:
    """A key result takes its values from one place: a KPI it follows, or a source."""
    if KPIFollow.objects.filter(key_result=key_result).exists():
        raise DomainError("follows a KPI: stop following it to feed it from a source", "kind")


# --- A KPI's source (docs/kpis.md) ----------------------------------------------------------


def require_kpi_changer(by: User | None, kpi: KPI) -> None:
    if by is not None and not permissions.can_change_kpi(by, kpi):
        raise PermissionDenied("Only the KPI's owner, its team's leads and admins set its source.")


def kpi_source_of(kpi: KPI) -> DataSource | None:
    return DataSource.objects.filter(kpi=kpi).first()


def kpi_source_set(
    *, kpi: KPI, by: User | None, kind: str, interval_minutes: int = DEFAULT_INTERVAL, **config: Any
) -> DataSource:
    """Feed `kpi` from a source (replacing its source, if any); it runs within a minute."""
    require_kpi_changer(by, kpi)
    stored = kpi_source_of(kpi)
    wanted = config_of(kind, stored, **config)
    raise_if(interval_problems(interval_minutes))
    check(wanted, kpi.organization_id)
    if kpi.archived_at is not None:
        raise DomainError("the KPI is archived: restore it to feed it", "archived")
    source = stored or DataSource(kpi=kpi, created_by=by)
    configure(source, wanted)
    source.interval_minutes = interval_minutes
    source.next_run_at, source.failures, source.last_error = timezone.now(), 0, ""
    source.save()
    return source


def kpi_source_preview(
    *, kpi: KPI, by: User | None, kind: str, interval_minutes: int = DEFAULT_INTERVAL, **config: Any
) -> Reading:
    """What the KPI's source reads now (nothing written), as source_preview."""
    require_kpi_changer(by, kpi)
    wanted = config_of(kind, kpi_source_of(kpi), **config)
    raise_if(interval_problems(interval_minutes))
    check(wanted, kpi.organization_id)
    try:
        return read(wanted, kpi.organization_id)
    except SourceFailed as failed:
        raise DomainError(str(failed), failed_field(wanted, str(failed))) from None


def require_source_changer(by: User | None, source: DataSource) -> None:
    """Who may run or remove a source: the KPI's changers, or the key result's feeders."""
    if source.kpi is not None:
        require_kpi_changer(by, source.kpi)
    elif source.key_result is not None:
        require_feeder(by, source.key_result)


def organization_of(source: DataSource) -> int:
    target = source.kpi if source.kpi is not None else source.key_result
    assert target is not None  # the source_feeds_one_thing constraint
    return target.organization_id


# --- Configuration ------------------------------------------------------------------------


def config_of(
    kind: str,
    stored: DataSource | None,
    *,
    url: str | None = None,
    headers: dict[str, str] | None = None,
    jsonpath: str = "",
    database: str = "",
    query: str = "",
    count: str = "",
) -> Config:
    """The configuration given. An HTTP source's URL and headers, and a tracker's link, may
    be left out (None or "") to keep the stored ones: pages never show them back in full."""
    if kind not in KINDS:
        raise DomainError(f"choose among {', '.join(KINDS)}", "kind")
    same = stored if stored is not None and stored.kind == kind else None
    if not (url or "").strip() and same is not None:
        url = stored_url(same)
    if headers is None and same is not None and kind == DataSource.Kind.HTTP_JSON:
        headers = stored_headers(same)
    texts = {"url": url, "jsonpath": jsonpath, "database": database, "query": query}
    raise_if(rules.texts_problems(**texts))
    return Config(
        kind=kind,
        url=(url or "").strip(),
        headers=dict(headers or {}),
        jsonpath=(jsonpath or "").strip(),
        database=(database or "").strip(),
        query=(query or "").strip(),
        count=(count or "").strip(),
    )


def stored_url(source: DataSource) -> str:
    if source.kind == DataSource.Kind.TRACKER:
        return source.link_url
    try:
        return secretbox.decrypt(source.url_encrypted) if source.url_encrypted else ""
    except secretbox.Unreadable:
        raise DomainError(
            "the stored URL was encrypted with a key Pacer no longer has: enter it again", "url"
        ) from None


def stored_headers(source: DataSource) -> dict[str, str]:
    if not source.headers_encrypted:
        return {}
    try:
        headers = json.loads(secretbox.decrypt(source.headers_encrypted))
    except secretbox.Unreadable:
        raise DomainError(
            "the stored headers were encrypted with a key Pacer no longer has: enter them again",
            "headers",
        ) from None
    return dict(headers)


def with_stored(source: DataSource) -> Config:
    """The stored configuration as config_of would build it (for a run)."""
    return Config(
        kind=source.kind,
        url=stored_url(source),
        headers=stored_headers(source) if source.kind == DataSource.Kind.HTTP_JSON else {},
        jsonpath=source.jsonpath,
        database=source.database,
        query=source.query,
        count=source.count,
    )


def reader_args(config: Config) -> dict[str, Any]:
    if config.kind == DataSource.Kind.HTTP_JSON:
        return {"url": config.url, "jsonpath": config.jsonpath, "headers": config.headers}
    return {"database": config.database, "query": config.query}


def check(config: Config, organization_id: int) -> None:
    """DomainError naming the field unless the configuration is valid (no read)."""
    try:
        if config.kind == DataSource.Kind.TRACKER:
            check_tracker(config.url, config.count, organization_id)
        else:
            datasources.check(config.kind, **reader_args(config))
    except SourceProblem as problem:
        raise DomainError(problem.message, problem.field) from None


def read(config: Config, organization_id: int) -> Reading:
    """The source's value, fitted to a key result's field; SourceFailed otherwise."""
    if config.kind == DataSource.Kind.TRACKER:
        reading = read_tracker(config.url, config.count, organization_id)
    else:
        reading = datasources.read(config.kind, **reader_args(config))
    try:
        return Reading(fitted(reading.value), reading.detail)
    except SourceFailed as failed:
        raise SourceFailed(f"{reading.detail}: {failed}") from None


def fitted(value: Decimal) -> Decimal:
    """`value` as a key result stores it (rules.number_problems): rounded to 6 decimal
    places, fewer when it has many digits before the point (15 significant digits in all);
    SourceFailed when it is too large to store."""
    if abs(value) >= rules.MAX_VALUE:
        raise SourceFailed(
            f"the value {value:.6g} is too large for a key result (at most "
            f"{rules.MAX_INTEGER_DIGITS} digits before the point)"
        )
    whole_digits = value.adjusted() + 1 if value and abs(value) >= 1 else 0
    places = min(rules.DECIMAL_PLACES, rules.MAX_SIGNIFICANT_DIGITS - whole_digits)
    rounded = value.quantize(Decimal(10) ** -places, rounding=ROUND_HALF_EVEN)
    return rounded if rounded else Decimal(0)


def interval_problems(minutes: int) -> list[rules.Problem]:
    if not MIN_INTERVAL <= minutes <= MAX_INTERVAL:
        return [
            (
                "interval_minutes",
                f"read it every {MIN_INTERVAL} to {MAX_INTERVAL} minutes (a week), not {minutes}",
            )
        ]
    return []


def failed_field(config: Config, message: str) -> str:
    """The setting a failed read points at, for the form: the JSONPath when it matched
    nothing usable, the query of an SQL source, else the URL."""
    if config.kind == DataSource.Kind.SQL:
        return "query"
    path = config.jsonpath
    if (
        config.kind == DataSource.Kind.HTTP_JSON
        and path
        and (f": {path} " in message or f"at {path}," in message)
    ):
        return "jsonpath"
    return "url"


# --- Writes -------------------------------------------------------------------------------


def source_set(
    *,
    key_result: KeyResult,
    by: User | None,
    kind: str,
    interval_minutes: int = DEFAULT_INTERVAL,
    **config: Any,
) -> DataSource:
    """Feed `key_result` from a source (replacing its source, if any); it runs within a
    minute. Validates the configuration without reading (see source_preview)."""
    require_feeder(by, key_result)
    require_metric(key_result)
    require_not_following(key_result)
    stored = source_of(key_result)
    wanted = config_of(kind, stored, **config)
    raise_if(interval_problems(interval_minutes))
    check(wanted, key_result.organization_id)
    with transaction.atomic():
        writable_objective(key_result.objective_id)
        source = stored or DataSource(key_result=key_result, created_by=by)
        configure(source, wanted)
        source.interval_minutes = interval_minutes
        source.next_run_at, source.failures, source.last_error = timezone.now(), 0, ""
        source.save()
    return source


def configure(source: DataSource, config: Config) -> None:
    """Store `config` on `source`, the secrets encrypted, the other kinds' fields emptied."""
    http = config.kind == DataSource.Kind.HTTP_JSON
    source.kind = config.kind
    source.url_encrypted = secretbox.encrypt(config.url) if http else ""
    source.url_masked = secretbox.masked_url(config.url) if http else ""
    source.headers_encrypted = (
        secretbox.encrypt(json.dumps(config.headers)) if http and config.headers else ""
    )
    source.header_names = sorted(config.headers) if http else []
    source.jsonpath = config.jsonpath if http else ""
    sql = config.kind == DataSource.Kind.SQL
    source.database, source.query = (config.database, config.query) if sql else ("", "")
    tracker = config.kind == DataSource.Kind.TRACKER
    source.link_url, source.count = (config.url, config.count) if tracker else ("", "")


def source_preview(
    *,
    key_result: KeyResult,
    by: User | None,
    kind: str,
    interval_minutes: int = DEFAULT_INTERVAL,
    **config: Any,
) -> Reading:
    """What the source reads now (nothing is written), or a DomainError naming the field to
    correct, with why the read failed. Takes what source_set takes."""
    require_feeder(by, key_result)
    require_metric(key_result)
    wanted = config_of(kind, source_of(key_result), **config)
    raise_if(interval_problems(interval_minutes))
    check(wanted, key_result.organization_id)
    try:
        return read(wanted, key_result.organization_id)
    except SourceFailed as failed:
        raise DomainError(str(failed), failed_field(wanted, str(failed))) from None


def source_remove(*, source: DataSource, by: User | None) -> None:
    """The key result is checked in by hand again; its sync log goes, its check-ins stay."""
    require_source_changer(by, source)
    source.delete()


def source_run_now(*, source: DataSource, by: User | None) -> SourceRun | None:
    """Run Now: read the source at once (within the readers' deadlines) and record it."""
    require_source_changer(by, source)
    return run_source(source.pk)


# --- Runs ---------------------------------------------------------------------------------


def run_source(source_id: int) -> SourceRun | None:
    """Read the source and record the run (and a check-in when the value changed); None when
    there is no such source, or its configuration changed while it was read."""
    source = DataSource.objects.select_related("key_result", "kpi").filter(pk=source_id).first()
    if source is None:
        return None
    retry_after = None
    try:
        reading = read(with_stored_or_failed(source), organization_of(source))
    except SourceFailed as failed:
        retry_after = failed.retry_after if isinstance(failed, TrackerFailed) else None
        return record(source.pk, source.updated_at, error=str(failed), retry_after=retry_after)
    except Exception:  # a bug in a reader must not stop the worker or leak a trace
        logger.exception("Data source %s failed unexpectedly", source.pk)
        error = "Pacer could not read this source (an unexpected error); it will try again."
        return record(source.pk, source.updated_at, error=error)
    return record(source.pk, source.updated_at, reading=reading)


def with_stored_or_failed(source: DataSource) -> Config:
    try:
        return with_stored(source)
    except DomainError as error:
        raise SourceFailed(str(error)) from None


@transaction.atomic
def record(
    source_id: int,
    version: datetime,
    *,
    reading: Reading | None = None,
    error: str = "",
    retry_after: datetime | None = None,
) -> SourceRun | None:
    source = (
        DataSource.objects.select_for_update(of=("self",))
        .select_related("key_result__objective__cycle", "kpi")
        .filter(pk=source_id)
        .first()
    )
    if source is None or source.updated_at != version:
        return None  # removed, or a reading of a configuration it no longer has
    now = timezone.now()
    run = SourceRun(source=source, at=now, ok=False, error=error)
    if reading is not None:
        run.value, run.detail = reading.value, reading.detail
        try:
            if source.kpi is not None:
                run.kpi_value, run.outcome = recorded_kpi_value(source.kpi, reading)
            else:
                assert source.key_result is not None  # the source_feeds_one_thing constraint
                run.checkin, run.outcome = recorded_checkin(source.key_result, reading, now)
            run.ok = True
        except DomainError as refused:
            run.error = f"no check-in: {refused}"
    run.save()
    prune(source)
    schedule_next(source, run, retry_after)
    return run


def recorded_checkin(
    key_result: KeyResult, reading: Reading, now: datetime
) -> tuple[CheckIn | None, str]:
    """The check-in the reading is recorded as (None: why not), or a DomainError (a closed
    cycle, an archived objective, a key result no longer a metric)."""
    objective, cycle = key_result.objective, key_result.objective.cycle
    raise_if(
        rules.read_only_problems(
            cycle_name=cycle.name,
            cycle_closed=cycle.is_closed,
            archived=objective.archived_at is not None,
        )
    )
    require_metric(key_result)
    start, end = key_result.window(cycle)
    if not start <= timezone.localdate(now) <= end:
        return None, f"not recorded: today lies outside the key result's window ({start} to {end})"
    if key_result.current is not None and key_result.current == reading.value:
        return None, "unchanged: no check-in"
    checkin = services.checkin_create(
        key_result=key_result, value=reading.value, note=f"From {reading.detail}", author=None
    )
    return checkin, "check-in written"


def recorded_kpi_value(kpi: KPI, reading: Reading) -> tuple[KPIValue | None, str]:
    """The KPI value the reading is recorded as (None: unchanged), or a DomainError (an
    archived KPI). Its followers get their check-ins through kpi_value_add."""
    if kpi.archived_at is not None:
        raise DomainError("the KPI is archived", "archived")
    if kpi.current is not None and kpi.current == reading.value:
        return None, "unchanged: no value"
    value = kpi_services.kpi_value_add(
        kpi=kpi, value=reading.value, note=f"From {reading.detail}", by=None, from_source=True
    )
    return value, "value written"


def prune(source: DataSource) -> None:
    """Keep the last KEPT_RUNS runs of the source."""
    runs = SourceRun.objects.filter(source=source).order_by("-at", "-id")
    old = list(runs.values_list("pk", flat=True)[KEPT_RUNS : KEPT_RUNS + 100])
    if old:
        SourceRun.objects.filter(pk__in=old).delete()


def schedule_next(source: DataSource, run: SourceRun, retry_after: datetime | None) -> None:
    """The next run: after the interval; after a failure, later still (queue.backoff of the
    failures in a row), or when the tracker asked to come back."""
    failures = 0 if run.ok else source.failures + 1
    wait = timedelta(minutes=source.interval_minutes) + (
        backoff(failures) if failures else timedelta()
    )
    later = run.at + wait
    DataSource.objects.filter(
        pk=source.pk
    ).update(  # not save(): updated_at is the config's version
        last_run_at=run.at,
        next_run_at=max(later, retry_after or later),
        last_value=run.value if run.value is not None else source.last_value,
        last_error=run.error,
        failures=failures,
    )
