"""Every write to KPIs, their values and the key results that follow them (docs/kpis.md),
for the web, the API and data sources alike.

Each write checks who may make it when a person is named (`by`; None: the operator or a
data source), the rules (pacer.kpis.rules), then writes in one transaction with the KPI's
row locked, and keeps `current` (the value with the latest `at`). A new value is written
as a check-in on every key result that follows the KPI when its `at` lies in the key
result's window (okrs.services.checkin_create, with a note saying it came from the KPI);
a key result that refuses it (a closed cycle, an archived objective, a moment it already
holds) is skipped, never a reason to refuse the KPI's value.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from pacer.accounts.models import User
from pacer.datasources.models import DataSource
from pacer.kpis import rules
from pacer.kpis.models import KPI, KPIFollow, KPIValue
from pacer.okrs import permissions
from pacer.okrs import rules as okr_rules
from pacer.okrs.errors import DomainError, raise_if
from pacer.okrs.models import CheckIn, KeyResult, Organization, Team
from pacer.okrs.services import checkin_create, refs

logger = logging.getLogger("pacer.kpis")


@dataclass
class KPISpec:
    """What a person sets on a KPI; its current value and status are derived."""

    name: str
    owner: User
    kind: str
    description: str = ""
    unit: str = ""
    team: Team | None = None
    threshold: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None


def spec_of(kpi: KPI, **changes: object) -> KPISpec:
    """The KPI as a spec, with `changes` applied (for partial updates)."""
    spec = KPISpec(
        name=kpi.name,
        owner=kpi.owner,
        kind=kpi.kind,
        description=kpi.description,
        unit=kpi.unit,
        team=kpi.team,
        threshold=kpi.threshold,
        low=kpi.low,
        high=kpi.high,
    )
    for name, value in changes.items():
        setattr(spec, name, value)
    return spec


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def spec_problems(organization_id: int, spec: KPISpec) -> list[okr_rules.Problem]:
    problems = rules.kpi_problems(
        name=spec.name,
        description=spec.description,
        unit=spec.unit,
        kind=spec.kind,
        threshold=spec.threshold,
        low=spec.low,
        high=spec.high,
    )
    problems += okr_rules.owner_problems(organization_id, spec.owner)
    problems += okr_rules.organization_problems(organization_id, team=spec.team)
    if spec.team is not None and spec.team.archived_at is not None:
        problems.append(("team", f"{spec.team.name} is archived"))
    return problems


def apply(kpi: KPI, spec: KPISpec) -> None:
    """The spec's fields on the KPI; thresholds the kind does not use are emptied."""
    kpi.name, kpi.description, kpi.unit = spec.name.strip(), spec.description, spec.unit.strip()
    kpi.owner, kpi.team, kpi.kind = spec.owner, spec.team, spec.kind
    ranged = spec.kind == KPI.Kind.RANGE
    kpi.threshold = None if ranged else spec.threshold
    kpi.low, kpi.high = (spec.low, spec.high) if ranged else (None, None)


def lock(kpi: KPI) -> KPI:
    """The KPI's row locked (values and current change together), fresh from the database."""
    return (
        KPI.objects.select_for_update(of=("self",)).select_related("owner", "team").get(pk=kpi.pk)
    )


# --- KPIs ---------------------------------------------------------------------------------


@transaction.atomic
def kpi_create(*, organization: Organization, spec: KPISpec, by: User | None = None) -> KPI:
    if by is not None:
        require(
            permissions.can_create_kpi(by, owner=spec.owner, team=spec.team),
            "Members create their own KPIs under their teams; admins and team leads for others.",
        )
    raise_if(spec_problems(organization.pk, spec))
    kpi = KPI(
        organization=organization,
        ref=new_ref(organization.pk, spec.name),
    )
    apply(kpi, spec)
    kpi.save(force_insert=True)
    return kpi


RESERVED_REFS = frozenset({"new"})  # /kpis/new/ is the form


def new_ref(organization_id: int, name: str) -> str:
    base = f"{name}-kpi" if refs.stem_of(KPI, name, room=10) in RESERVED_REFS else name  # type: ignore[arg-type]
    return refs.unique_ref(KPI, organization_id, base)  # type: ignore[arg-type]


def require_changer(by: User | None, kpi: KPI) -> None:
    if by is not None:
        require(
            permissions.can_change_kpi(by, kpi),
            "Only the KPI's owner, its team's leads and admins change it.",
        )


@transaction.atomic
def kpi_update(*, kpi: KPI, spec: KPISpec, by: User | None = None) -> KPI:
    """Its name, description, unit, owner, team, kind and thresholds; the status follows."""
    require_changer(by, kpi)
    raise_if(spec_problems(kpi.organization_id, spec))
    locked = lock(kpi)
    apply(locked, spec)
    locked.save()
    return locked


@transaction.atomic
def kpi_archive(*, kpi: KPI, by: User | None = None) -> KPI:
    """Archived: kept with its history, read-only, no longer read by its data source."""
    require_changer(by, kpi)
    locked = lock(kpi)
    if locked.archived_at is None:
        locked.archived_at = timezone.now()
        locked.save(update_fields=["archived_at", "updated_at"])
    return locked


@transaction.atomic
def kpi_restore(*, kpi: KPI, by: User | None = None) -> KPI:
    require_changer(by, kpi)
    locked = lock(kpi)
    if locked.archived_at is not None:
        locked.archived_at = None
        locked.save(update_fields=["archived_at", "updated_at"])
    return locked


@transaction.atomic
def kpi_delete(*, kpi: KPI, by: User | None = None) -> None:
    """Gone with its values, its data source and its follows; the check-ins it wrote on key
    results stay (they are the key results' history)."""
    require_changer(by, kpi)
    lock(kpi).delete()


# --- Values -------------------------------------------------------------------------------


def refresh_current(kpi: KPI) -> None:
    """`current`: the value with the latest `at` (a back-dated value does not replace a
    newer one), as a key result's current check-in."""
    latest = KPIValue.objects.filter(kpi=kpi).order_by("-at", "-id").first()
    kpi.current = latest.value if latest else None
    kpi.current_at = latest.at if latest else None
    kpi.updated_at = timezone.now()  # a new value is a change (the API's updated_since)
    KPI.objects.filter(pk=kpi.pk).update(
        current=kpi.current, current_at=kpi.current_at, updated_at=kpi.updated_at
    )


def may_add_value(by: User | None, kpi: KPI) -> None:
    if by is not None:
        require(
            permissions.can_add_kpi_value(by, kpi),
            "Only the KPI's owner, its team and admins add its values.",
        )


@transaction.atomic
def kpi_value_add(
    *,
    kpi: KPI,
    value: Decimal,
    at: datetime | None = None,
    note: str = "",
    by: User | None = None,
    from_source: bool = False,
) -> KPIValue:
    """A value at `at` (default: now). `by` is its author (None: the operator or a data
    source, `from_source`). Followers get a check-in when `at` lies in their window."""
    may_add_value(by, kpi)
    locked, now = lock(kpi), timezone.now()
    moment = at or now
    taken = KPIValue.objects.filter(kpi=locked, at=moment).exists()
    raise_if(
        rules.value_problems(
            value=value,
            note=note,
            at=moment,
            now=now,
            taken=taken,
            archived=locked.archived_at is not None,
        )
    )
    row = KPIValue.objects.create(
        kpi=locked, at=moment, value=value, note=note, author=by, from_source=from_source
    )
    refresh_current(locked)
    kpi.current, kpi.current_at = locked.current, locked.current_at
    for follow in KPIFollow.objects.filter(kpi=locked).select_related("key_result"):
        follow_checkin(follow.key_result, locked, row)
    return row


@transaction.atomic
def kpi_value_delete(*, value: KPIValue, by: User | None = None) -> None:
    """The value goes and `current` follows; check-ins it wrote on key results stay."""
    if by is not None:
        require(
            permissions.can_delete_kpi_value(by, value),
            "Only its author, the KPI's owner, its team's leads and admins remove a value.",
        )
    locked = lock(value.kpi)
    raise_if(rules.archived_problems(archived=locked.archived_at is not None))
    value.delete()
    refresh_current(locked)


# --- Key results that follow a KPI --------------------------------------------------------


def in_window(key_result: KeyResult, at: datetime) -> bool:
    start, end = key_result.window(key_result.objective.cycle)
    return start <= timezone.localdate(at) <= end


def follow_note(kpi: KPI, row: KPIValue) -> str:
    note = f"From the KPI “{kpi.name}”"
    return f"{note}: {row.note}" if row.note else note


def follow_checkin(key_result: KeyResult, kpi: KPI, row: KPIValue) -> CheckIn | None:
    """The check-in `row` is written as on `key_result`, when `row.at` lies in its window;
    None when it does not, or the key result refuses it (a closed cycle, an archived
    objective, a check-in at that moment already): the KPI's value stands either way."""
    key_result = KeyResult.objects.select_related("objective__cycle").get(pk=key_result.pk)
    if not in_window(key_result, row.at):
        return None
    try:
        with transaction.atomic():  # a savepoint: a refusal undoes only this check-in
            return checkin_create(
                key_result=key_result,
                value=row.value,
                note=follow_note(kpi, row)[: rules.TEXT_LENGTH],
                author=row.author,
                at=row.at,
            )
    except DomainError as refused:
        logger.info("KPI %s: key result %s took no check-in: %s", kpi.pk, key_result.pk, refused)
        return None


def require_follow_editor(by: User | None, key_result: KeyResult) -> None:
    if by is not None:
        require(
            permissions.can_edit_objective(by, key_result.objective),
            "Only the objective's owner, its team and admins choose what its key results follow.",
        )


@transaction.atomic
def kpi_follow(*, key_result: KeyResult, kpi: KPI, by: User | None = None) -> KPIFollow:
    """`key_result` follows `kpi` (instead of what it followed before): the KPI's values in
    its window, the latest MAX_BACKFILL of them, are written as check-ins now, and each new
    one as it comes."""
    require_follow_editor(by, key_result)
    objective_ok = okr_rules.read_only_problems(
        cycle_name=key_result.objective.cycle.name,
        cycle_closed=key_result.objective.cycle.is_closed,
        archived=key_result.objective.archived_at is not None,
    )
    fed = DataSource.objects.filter(key_result=key_result).exists()
    raise_if(
        objective_ok
        + rules.follow_problems(
            key_result_type=key_result.type,
            same_organization=kpi.organization_id == key_result.organization_id,
            fed=fed,
        )
    )
    follow, _ = KPIFollow.objects.update_or_create(
        key_result=key_result, defaults={"kpi": kpi, "created_by": by}
    )
    backfill(key_result, kpi)
    return follow


def backfill(key_result: KeyResult, kpi: KPI) -> None:
    start, end = key_result.window(key_result.objective.cycle)
    # A day wider than the window (the database's day of `at` is UTC's); follow_checkin
    # keeps those of the window in the server's time zone.
    wider = (start - timedelta(days=1), end + timedelta(days=1))
    values = KPIValue.objects.filter(kpi=kpi, at__date__range=wider)
    latest = list(values.order_by("-at", "-id")[: rules.MAX_BACKFILL])
    for row in reversed(latest):
        follow_checkin(key_result, kpi, row)


@transaction.atomic
def kpi_unfollow(*, key_result: KeyResult, by: User | None = None) -> None:
    """The key result is checked in by hand again; the check-ins written so far stay."""
    require_follow_editor(by, key_result)
    KPIFollow.objects.filter(key_result=key_result).delete()
