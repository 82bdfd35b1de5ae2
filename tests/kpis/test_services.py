"""KPIs' services: every rule, each refusal writing nothing, current and status, and the
key results that follow a KPI (docs/kpis.md)."""

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import given, settings
from hypothesis import strategies as st

from pacer.kpis import services
from pacer.kpis.models import HEALTHY, KPI, NO_DATA, UNHEALTHY, KPIFollow, KPIValue, status_of
from pacer.kpis.services import KPISpec
from pacer.okrs import progress as engine
from pacer.okrs.errors import DomainError
from pacer.okrs.models import CheckIn, KeyResult
from tests.factories import World, make_cycle, make_key_result, make_objective

D = Decimal


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def state() -> dict[str, list[dict[str, Any]]]:
    return {
        model.__name__: [dict(r) for r in model.objects.order_by("pk").values()]
        for model in (KPI, KPIValue, KPIFollow, CheckIn, KeyResult)
    }


def refused(call: Callable[[], object]) -> dict[str, str]:
    """The problems of a write that must be refused, having checked it wrote nothing."""
    before = state()
    with pytest.raises(DomainError) as error:
        call()
    assert state() == before, "a refused write wrote something"
    return dict(error.value.problems)


def uptime(world: World, **changes: Any) -> KPI:
    spec = KPISpec(
        name="Uptime", owner=world.owner, kind="stay_above", unit="%", threshold=D("99.9")
    )
    for name, value in changes.items():
        setattr(spec, name, value)
    return services.kpi_create(organization=world.org, spec=spec, by=world.owner)


# --- KPIs ---------------------------------------------------------------------------------


def test_create_makes_a_ref_unique_in_the_organization(world: World) -> None:
    first, second = uptime(world), uptime(world)
    assert (first.ref, second.ref) == ("uptime", "uptime-2")
    assert first.status == NO_DATA and first.current is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 301}, "name"),
        ({"unit": "u" * 31}, "unit"),
        ({"description": "bad\x00text"}, "description"),
        ({"kind": "metric"}, "kind"),
        ({"threshold": None}, "threshold"),
        ({"threshold": D("1e15")}, "threshold"),
        ({"kind": "range", "low": D(5), "high": D(5)}, "high"),
        ({"kind": "range", "low": None, "high": D(5)}, "low"),
    ],
)
def test_create_refuses_bad_fields_writing_nothing(
    world: World, changes: dict[str, Any], field: str
) -> None:
    assert field in refused(lambda: uptime(world, **changes))


def test_create_refuses_an_owner_or_team_of_another_organization(world: World) -> None:
    spec = KPISpec(name="Uptime", owner=world.stranger, kind="stay_above", threshold=D(1))
    assert "owner" in refused(lambda: services.kpi_create(organization=world.org, spec=spec))


def test_who_may_create(world: World) -> None:
    """Members their own KPIs under their teams; admins for anyone; leads for their team."""
    mine = KPISpec(name="Mine", owner=world.outsider, kind="stay_below", threshold=D(4))
    assert services.kpi_create(organization=world.org, spec=mine, by=world.outsider)
    for someone in (world.teammate, world.outsider):  # for someone else: no
        spec = KPISpec(name="Theirs", owner=world.admin, kind="stay_below", threshold=D(4))
        with pytest.raises(PermissionDenied):
            services.kpi_create(organization=world.org, spec=spec, by=someone)
    team_kpi = KPISpec(
        name="Team's", owner=world.teammate, kind="stay_below", threshold=D(4), team=world.team
    )
    assert services.kpi_create(organization=world.org, spec=team_kpi, by=world.owner)  # a lead
    stranger = KPISpec(name="Foreign", owner=world.outsider, kind="stay_below", threshold=D(4))
    with pytest.raises(PermissionDenied):
        services.kpi_create(organization=world.org, spec=stranger, by=world.stranger)


def test_update_changes_kind_and_empties_unused_thresholds(world: World) -> None:
    kpi = uptime(world)
    spec = services.spec_of(kpi, kind="range", low=D(1), high=D(3))
    services.kpi_update(kpi=kpi, spec=spec, by=world.admin)
    kpi.refresh_from_db()
    assert (kpi.kind, kpi.threshold, kpi.low, kpi.high) == ("range", None, D(1), D(3))


def test_only_owner_leads_and_admins_change_a_kpi(world: World) -> None:
    kpi = uptime(world, owner=world.teammate, team=world.team)
    for allowed in (world.teammate, world.owner, world.admin):  # owner, the team's lead, admin
        services.kpi_update(kpi=kpi, spec=services.spec_of(kpi, name="Up"), by=allowed)
    with pytest.raises(PermissionDenied):
        services.kpi_update(kpi=kpi, spec=services.spec_of(kpi), by=world.outsider)
    with pytest.raises(PermissionDenied):
        services.kpi_delete(kpi=kpi, by=world.outsider)


def test_archived_kpi_takes_no_value_until_restored(world: World) -> None:
    kpi = services.kpi_archive(kpi=uptime(world), by=world.owner)
    assert "archived" in refused(lambda: services.kpi_value_add(kpi=kpi, value=D(1)))
    services.kpi_restore(kpi=kpi, by=world.owner)
    assert services.kpi_value_add(kpi=kpi, value=D(1)).value == 1


def test_delete_takes_values_and_follows_along(world: World) -> None:
    kpi = uptime(world)
    services.kpi_value_add(kpi=kpi, value=D(99))
    services.kpi_delete(kpi=kpi, by=world.owner)
    assert not KPI.objects.exists() and not KPIValue.objects.exists()


# --- Values -------------------------------------------------------------------------------


def test_current_is_the_value_with_the_latest_at(world: World) -> None:
    kpi = uptime(world)
    services.kpi_value_add(kpi=kpi, value=D("99.95"), at=noon(date(2026, 5, 2)))
    services.kpi_value_add(kpi=kpi, value=D("99.5"), at=noon(date(2026, 5, 1)))  # back-dated
    kpi.refresh_from_db()
    assert (kpi.current, kpi.status) == (D("99.95"), HEALTHY)
    latest = KPIValue.objects.get(value=D("99.95"))
    services.kpi_value_delete(value=latest, by=world.owner)
    kpi.refresh_from_db()
    assert (kpi.current, kpi.status) == (D("99.5"), UNHEALTHY)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"value": D("1e15")}, "value"),
        ({"value": D("1.0000001")}, "value"),
        ({"value": D(1), "note": "\x1b[31m"}, "note"),
        ({"value": D(1), "at": datetime(2999, 1, 1, tzinfo=UTC)}, "at"),
    ],
)
def test_value_add_refuses_bad_input_writing_nothing(
    world: World, kwargs: dict[str, Any], field: str
) -> None:
    kpi = uptime(world)
    assert field in refused(lambda: services.kpi_value_add(kpi=kpi, **kwargs))


def test_one_value_per_moment(world: World) -> None:
    kpi = uptime(world)
    services.kpi_value_add(kpi=kpi, value=D(1), at=noon(date(2026, 5, 1)))
    problems = refused(
        lambda: services.kpi_value_add(kpi=kpi, value=D(2), at=noon(date(2026, 5, 1)))
    )
    assert "already has a value" in problems["at"]


def test_who_may_add_and_delete_values(world: World) -> None:
    kpi = uptime(world, owner=world.admin, team=world.team)
    mine = services.kpi_value_add(kpi=kpi, value=D(1), by=world.teammate)  # a team member
    with pytest.raises(PermissionDenied):
        services.kpi_value_add(kpi=kpi, value=D(2), by=world.outsider)
    with pytest.raises(PermissionDenied):
        services.kpi_value_delete(value=mine, by=world.outsider)
    services.kpi_value_delete(value=mine, by=world.teammate)  # its author
    assert mine.author == world.teammate and not KPIValue.objects.exists()


# --- Status -------------------------------------------------------------------------------

numbers = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["stay_above", "stay_below", "range"]),
    current=st.none() | numbers,
    a=numbers,
    b=numbers,
)
def test_status_follows_the_contract(
    kind: str, current: Decimal | None, a: Decimal, b: Decimal
) -> None:
    """okr-semantics.md: stay_above holds when current >= threshold, stay_below when
    current <= threshold, range when low <= current <= high; nothing before a value."""
    low, high = min(a, b), max(a, b)
    facts = engine.KeyResultFacts(type=kind, current=current, threshold=a, low=low, high=high)
    if current is None:
        expected = NO_DATA
    elif kind == "stay_above":
        expected = HEALTHY if current >= a else UNHEALTHY
    elif kind == "stay_below":
        expected = HEALTHY if not current > a else UNHEALTHY
    else:
        expected = HEALTHY if not (current < low or current > high) else UNHEALTHY
    assert status_of(facts) == expected


# --- Following ----------------------------------------------------------------------------


def test_a_following_key_result_gets_check_ins_only_inside_its_window(world: World) -> None:
    kpi = uptime(world)
    kr = make_key_result(world.public, "uptime-kr", type="stay_above", threshold=D("99.9"))
    services.kpi_follow(key_result=kr, kpi=kpi, by=world.owner)
    services.kpi_value_add(kpi=kpi, value=D("99.95"), at=noon(date(2026, 5, 4)), by=world.owner)
    services.kpi_value_add(kpi=kpi, value=D("98"), at=noon(date(2026, 7, 4)), by=world.owner)
    services.kpi_value_add(kpi=kpi, value=D("97"), at=noon(date(2026, 3, 4)), by=world.owner)
    checkins = list(CheckIn.objects.filter(key_result=kr))
    assert [(c.value, c.at.date()) for c in checkins] == [(D("99.95"), date(2026, 5, 4))]
    assert checkins[0].note == "From the KPI “Uptime”" and checkins[0].author == world.owner
    kr.refresh_from_db()
    assert kr.current == D("99.95") and kr.progress == 1


def test_following_writes_the_values_already_in_the_window(world: World) -> None:
    kpi = uptime(world)
    for day, value in ((date(2026, 3, 30), 1), (date(2026, 4, 10), 2), (date(2026, 6, 1), 3)):
        services.kpi_value_add(kpi=kpi, value=D(value), at=noon(day))
    kr = make_key_result(world.public, "follows", target=10)
    services.kpi_follow(key_result=kr, kpi=kpi, by=world.owner)
    written = CheckIn.objects.filter(key_result=kr).order_by("at")
    assert list(written.values_list("value", flat=True)) == [2, 3]


def test_a_closed_cycle_skips_the_check_in_but_keeps_the_value(world: World) -> None:
    kpi = uptime(world)
    kr = make_key_result(world.public, "follows", target=10)
    services.kpi_follow(key_result=kr, kpi=kpi, by=world.owner)
    world.cycle.state = "closed"
    world.cycle.save()
    services.kpi_value_add(kpi=kpi, value=D(5), at=noon(date(2026, 5, 1)))
    assert KPIValue.objects.count() == 1 and not CheckIn.objects.filter(key_result=kr).exists()


def test_follow_rules(world: World) -> None:
    kpi = uptime(world)
    boolean = make_key_result(world.public, "yes", type="boolean")
    assert "key_result" in refused(
        lambda: services.kpi_follow(key_result=boolean, kpi=kpi, by=world.owner)
    )
    other_cycle = make_cycle(world.other_org, "g-q3", date(2026, 7, 1), date(2026, 9, 30))
    theirs = make_key_result(make_objective(other_cycle, "g", world.stranger), "g-kr", target=5)
    assert "kpi" in refused(lambda: services.kpi_follow(key_result=theirs, kpi=kpi))
    with pytest.raises(PermissionDenied):  # may not edit the objective
        services.kpi_follow(key_result=world.adoption, kpi=kpi, by=world.outsider)
    services.kpi_follow(key_result=world.adoption, kpi=kpi, by=world.teammate)
    services.kpi_unfollow(key_result=world.adoption, by=world.teammate)
    assert not KPIFollow.objects.exists()
