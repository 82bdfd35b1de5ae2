"""Stored progress stays true: the services roll every write up in its own transaction, and
the status filter computed in the database agrees with the status computed in Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pacer.accounts.models import User
from pacer.okrs import rollup, services
from pacer.okrs.errors import DomainError
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Objective, Organization
from pacer.okrs.progress import AT_RISK, DONE, OFF_TRACK, ON_TRACK, STATUSES
from pacer.okrs.selectors import filter_objectives_by_status, objective_pace
from tests.factories import (
    D,
    check_in,
    database_state,
    fresh,
    make_cycle,
    make_key_result,
    make_milestones,
    make_objective,
    make_organization,
    make_person,
    midnight,
)

pytestmark = pytest.mark.django_db


@dataclass
class Setup:
    organization: Organization
    owner: User
    cycle: Cycle  # 2026-04-01 .. 2026-05-01, 30 days
    objective: Objective
    sales: KeyResult  # metric 0 -> 100, weight 1
    quality: KeyResult  # metric 0 -> 10, weight 3


@pytest.fixture
def setup() -> Setup:
    organization = make_organization("Acme")
    owner = make_person(organization, "olga@acme.test")
    cycle = make_cycle(organization, "apr", date(2026, 4, 1), date(2026, 5, 1))
    objective = make_objective(cycle, "grow", owner)
    sales = make_key_result(objective, "sales")
    quality = make_key_result(objective, "quality", target=Decimal(10), weight=Decimal(3))
    return Setup(organization, owner, cycle, objective, sales, quality)


# --- Check-ins -----------------------------------------------------------------------------


def test_checkin_updates_key_result_and_objective(setup: Setup) -> None:
    checkin = check_in(setup.sales, 40, date(2026, 4, 10), confidence=AT_RISK, author=setup.owner)

    sales = fresh(setup.sales)
    assert (sales.current, sales.progress, sales.confidence) == (D(40), D("0.4"), AT_RISK)
    assert sales.last_checkin_at == checkin.at == midnight(date(2026, 4, 10))
    assert fresh(setup.objective).progress == D("0.1")  # (1 * 0.4 + 3 * 0) / 4
    check_in(setup.quality, 5, date(2026, 4, 11))
    assert fresh(setup.objective).progress == D("0.475")  # (0.4 + 3 * 0.5) / 4


def test_checkin_and_roll_up_share_one_transaction(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the roll-up fails half-way, the check-in and the key result's new values go too."""
    before = database_state()

    def broken(objective: Objective) -> None:
        raise RuntimeError("roll-up failed")

    monkeypatch.setattr(rollup, "refresh_objective", broken)
    with pytest.raises(RuntimeError):
        check_in(setup.sales, 40, date(2026, 4, 10))

    assert database_state() == before
    assert fresh(setup.sales).progress == 0


def test_metric_without_checkin_stands_at_its_start(setup: Setup) -> None:
    sales = fresh(setup.sales)
    assert (sales.current, sales.progress, sales.last_checkin_at) == (D(0), D(0), None)


def test_backdated_checkin_does_not_replace_newer(setup: Setup) -> None:
    check_in(setup.sales, 60, date(2026, 4, 12), confidence=ON_TRACK)
    check_in(setup.sales, 90, date(2026, 4, 5), confidence=OFF_TRACK)  # written later

    sales = fresh(setup.sales)
    assert (sales.current, sales.progress, sales.confidence) == (D(60), D("0.6"), ON_TRACK)
    assert sales.last_checkin_at == midnight(date(2026, 4, 12))


def test_a_second_checkin_at_the_same_moment_is_refused(setup: Setup) -> None:
    check_in(setup.sales, 60, date(2026, 4, 12))
    with pytest.raises(DomainError, match="a second check-in at 2026-04-12"):
        check_in(setup.sales, 70, date(2026, 4, 12))
    assert fresh(setup.sales).current == D(60)
    assert CheckIn.objects.filter(key_result=setup.sales).count() == 1


def test_checkin_at_the_same_moment_stored_before_the_rule_written_later_wins(
    setup: Setup,
) -> None:
    """Rows stored before one check-in a moment was the rule: the later written wins."""
    check_in(setup.sales, 60, date(2026, 4, 12))
    CheckIn.objects.create(key_result=setup.sales, value=D(70), at=midnight(date(2026, 4, 12)))
    rollup.refresh_key_result(fresh(setup.sales))
    assert fresh(setup.sales).current == D(70)


def test_checkin_delete_falls_back_to_the_previous_checkin(setup: Setup) -> None:
    check_in(setup.sales, 30, date(2026, 4, 5), confidence=AT_RISK)
    latest = check_in(setup.sales, 80, date(2026, 4, 12), confidence=ON_TRACK)

    services.checkin_delete(checkin=latest)

    sales = fresh(setup.sales)
    assert (sales.current, sales.progress, sales.confidence) == (D(30), D("0.3"), AT_RISK)
    assert sales.last_checkin_at == midnight(date(2026, 4, 5))
    assert fresh(setup.objective).progress == D("0.075")


def test_deleting_the_only_checkin_returns_to_the_start(setup: Setup) -> None:
    only = check_in(setup.sales, 30, date(2026, 4, 5), confidence=AT_RISK)
    services.checkin_delete(checkin=only)
    sales = fresh(setup.sales)
    assert (sales.current, sales.progress, sales.confidence, sales.last_checkin_at) == (
        D(0),
        D(0),
        "",
        None,
    )
    assert fresh(setup.objective).progress == 0


def test_refused_checkin_writes_nothing(setup: Setup) -> None:
    before = database_state()
    future = midnight(date.today() + timedelta(days=2))
    with pytest.raises(DomainError) as failure:
        services.checkin_create(key_result=setup.sales, value=D(5), at=future)
    assert failure.value.problems[0][0] == "at"
    assert database_state() == before


# --- Milestones ----------------------------------------------------------------------------


def test_milestone_set_done_updates_progress(setup: Setup) -> None:
    kr = make_key_result(setup.objective, "sessions", "milestones", weight=Decimal(4))
    first, second, third = make_milestones(kr, ("A", 1, False), ("B", 2, False), ("C", 1, False))

    services.milestone_set_done(milestone=second, done=True)
    assert (fresh(kr).progress, fresh(kr).current) == (D("0.5"), D(1))
    assert fresh(setup.objective).progress == D("0.25")  # 4 * 0.5 / 8

    services.milestone_set_done(milestone=first, done=True)
    assert fresh(kr).progress == D("0.75")
    services.milestone_set_done(milestone=fresh(second), done=False)
    assert (fresh(kr).progress, fresh(kr).current) == (D("0.25"), D(1))
    assert fresh(setup.objective).progress == D("0.125")
    assert not fresh(third).done


# --- Linked key results ----------------------------------------------------------------------


def test_linked_chain_updates_two_levels_up(setup: Setup) -> None:
    base = make_objective(setup.cycle, "base", setup.owner)
    base_kr = make_key_result(base, "base-kr", target=Decimal(10))
    mid = make_objective(setup.cycle, "mid", setup.owner)
    make_key_result(mid, "mid-follows-base", "linked", linked_objective=base)
    mid_metric = make_key_result(mid, "mid-metric")
    top = make_objective(setup.cycle, "top", setup.owner)
    top_kr = make_key_result(top, "top-follows-mid", "linked", linked_objective=mid)
    check_in(mid_metric, 80, date(2026, 4, 10))

    check_in(base_kr, 4, date(2026, 4, 11))

    assert fresh(base).progress == D("0.4")
    assert fresh(mid).progress == D("0.6")
    assert (fresh(top_kr).progress, fresh(top_kr).current) == (D("0.6"), D("0.6"))
    assert fresh(top).progress == D("0.6")

    check_in(base_kr, 10, date(2026, 4, 12))
    assert fresh(top).progress == D("0.9")
    assert rollup.compute_all(setup.organization).objectives[top.pk] == D("0.9")


def test_two_key_results_following_one_objective_both_update(setup: Setup) -> None:
    first = make_objective(setup.cycle, "first", setup.owner)
    second = make_objective(setup.cycle, "second", setup.owner)
    make_key_result(first, "first-follows", "linked", linked_objective=setup.objective)
    make_key_result(second, "second-follows", "linked", linked_objective=setup.objective)

    check_in(setup.quality, 10, date(2026, 4, 10))

    assert fresh(first).progress == fresh(second).progress == D("0.75")


def test_alignment_alone_never_changes_the_parent(setup: Setup) -> None:
    parent = make_objective(setup.cycle, "parent", setup.owner)
    make_key_result(parent, "parent-kr")
    services.objective_align(child=setup.objective, parent=parent)

    check_in(setup.sales, 100, date(2026, 4, 10))

    assert fresh(setup.objective).progress == D("0.25")
    assert fresh(parent).progress == 0


# --- Closed cycles -------------------------------------------------------------------------


def test_closing_freezes_scores(setup: Setup) -> None:
    check_in(setup.sales, 65, date(2026, 4, 10))
    services.cycle_close(cycle=setup.cycle)
    assert fresh(setup.sales).final_score == D("0.7")
    objective = fresh(setup.objective)
    assert (objective.progress, objective.final_score, objective.score) == (
        D("0.1625"),
        D("0.2"),
        D("0.2"),
    )


def test_closed_cycle_refuses_checkins_and_writes_nothing(setup: Setup) -> None:
    checkin = check_in(setup.sales, 40, date(2026, 4, 10))
    kr = make_key_result(setup.objective, "sessions", "milestones")
    (milestone,) = make_milestones(kr, ("A", 1, False))
    services.cycle_close(cycle=setup.cycle)
    before = database_state()

    with pytest.raises(DomainError) as failure:
        check_in(fresh(setup.sales), 50, date(2026, 4, 11))
    assert failure.value.problems[0][0] == "cycle"
    with pytest.raises(DomainError):
        services.checkin_delete(checkin=checkin)
    with pytest.raises(DomainError):
        services.milestone_set_done(milestone=milestone, done=True)

    assert database_state() == before


def test_archived_objective_refuses_checkins_from_every_path(setup: Setup) -> None:
    checkin = check_in(setup.sales, 40, date(2026, 4, 10))
    kr = make_key_result(setup.objective, "sessions", "milestones")
    (milestone,) = make_milestones(kr, ("A", 1, False))
    services.objective_archive(objective=setup.objective)
    before = database_state()

    with pytest.raises(DomainError) as failure:
        check_in(fresh(setup.sales), 50, date(2026, 4, 11))
    assert failure.value.problems[0] == (
        "archived",
        "the objective is archived: restore it to change it",
    )
    with pytest.raises(DomainError):
        services.checkin_delete(checkin=checkin)
    with pytest.raises(DomainError):
        services.milestone_set_done(milestone=milestone, done=True)
    assert database_state() == before

    services.objective_restore(objective=fresh(setup.objective))
    check_in(fresh(setup.sales), 50, date(2026, 4, 11))
    assert fresh(setup.sales).current == Decimal(50)


def test_reopened_cycle_takes_checkins_again(setup: Setup) -> None:
    services.cycle_close(cycle=setup.cycle)
    services.cycle_reopen(cycle=fresh(setup.cycle))
    check_in(fresh(setup.sales), 50, date(2026, 4, 11))
    assert fresh(setup.sales).final_score is None
    assert fresh(setup.objective).score == D("0.1")  # 0.125 rounded: live again


def test_numbers_of_a_closed_cycle_do_not_move_with_an_open_followed_objective(
    setup: Setup,
) -> None:
    year = make_cycle(setup.organization, "y2026", date(2026, 1, 1), date(2026, 12, 31))
    yearly = make_objective(year, "yearly", setup.owner)
    yearly_kr = make_key_result(yearly, "yearly-kr")
    follower = make_key_result(setup.objective, "follows-yearly", "linked", linked_objective=yearly)
    check_in(yearly_kr, 50, date(2026, 4, 20))
    services.cycle_close(cycle=setup.cycle)
    frozen = (fresh(follower).progress, fresh(setup.objective).progress)

    check_in(yearly_kr, 100, date(2026, 6, 1))

    assert (fresh(follower).progress, fresh(setup.objective).progress) == frozen


# --- Status filter in the database ---------------------------------------------------------

ON = date(2026, 4, 16)
# April push (30 days): e = 0.5, so on_track from 0.4, at_risk from 0.25.
APRIL_VALUES = [
    "1",
    "0.999999999999",
    "0.7",
    "0.5",
    "0.400000000001",
    "0.4",
    "0.399999999999",
    "0.3",
    "0.25",
    "0.249999999999",
    "0.1",
    "0",
    "0.45",
    "0.35",
    "0.2",
]
# 2026 (364 days): e = 105/364, so on_track from 0.188461538461538..., at_risk from
# 0.038461538461538...; the 12-digit neighbours fall on either side.
YEAR_VALUES = [
    "1",
    "0.9",
    "0.5",
    "0.188461538462",
    "0.188461538461",
    "0.15",
    "0.1",
    "0.038461538462",
    "0.038461538461",
    "0.02",
    "0",
    "0.3",
    "0.25",
    "0.05",
    "0.01",
]


def build_objectives(
    organization: Organization, owner: User, cycles: list[Cycle], values: list[list[str]]
) -> None:
    Objective.objects.bulk_create(
        Objective(
            organization=organization,
            cycle=cycle,
            ref=f"{cycle.ref}-{index}",
            title=f"Objective {index} of {cycle.ref}",
            owner=owner,
            progress=Decimal(value),
        )
        for cycle, cycle_values in zip(cycles, values, strict=True)
        for index, value in enumerate(cycle_values)
    )


@pytest.fixture
def two_cycles() -> tuple[Organization, User, list[Cycle]]:
    organization = make_organization("Acme")
    owner = make_person(organization, "olga@acme.test")
    cycles = [
        make_cycle(organization, "apr", date(2026, 4, 1), date(2026, 5, 1)),
        make_cycle(organization, "y2026", date(2026, 1, 1), date(2026, 12, 31)),
    ]
    return organization, owner, cycles


def statuses_in_python(organization: Organization, on: date) -> dict[str, set[str]]:
    by_status: dict[str, set[str]] = {status: set() for status in STATUSES}
    for objective in Objective.objects.filter(organization=organization).select_related("cycle"):
        by_status[objective_pace(objective, on=on, bands=organization.bands).status].add(
            objective.ref
        )
    return by_status


def statuses_in_database(organization: Organization, on: date) -> dict[str, set[str]]:
    everything = Objective.objects.filter(organization=organization)
    return {
        status: set(
            filter_objectives_by_status(
                everything, status, on=on, organization=organization
            ).values_list("ref", flat=True)
        )
        for status in STATUSES
    }


def test_status_filter_agrees_with_objective_pace(two_cycles: tuple) -> None:
    organization, owner, cycles = two_cycles
    build_objectives(organization, owner, cycles, [APRIL_VALUES, YEAR_VALUES])

    expected = statuses_in_python(organization, ON)
    assert statuses_in_database(organization, ON) == expected
    assert all(expected[status] for status in STATUSES)
    assert sum(len(refs) for refs in expected.values()) == 30


def test_status_filter_boundaries(two_cycles: tuple) -> None:
    organization, owner, cycles = two_cycles
    build_objectives(organization, owner, cycles, [APRIL_VALUES, YEAR_VALUES])
    found = statuses_in_database(organization, ON)
    status_of = {ref: status for status, refs in found.items() for ref in refs}

    def april(value: str) -> str:
        return status_of[f"apr-{APRIL_VALUES.index(value)}"]

    def year(value: str) -> str:
        return status_of[f"y2026-{YEAR_VALUES.index(value)}"]

    assert (april("1"), april("0.999999999999")) == (DONE, ON_TRACK)
    assert (april("0.4"), april("0.399999999999")) == (ON_TRACK, AT_RISK)
    assert (april("0.25"), april("0.249999999999")) == (AT_RISK, OFF_TRACK)
    assert (year("0.188461538462"), year("0.188461538461")) == (ON_TRACK, AT_RISK)
    assert (year("0.038461538462"), year("0.038461538461")) == (AT_RISK, OFF_TRACK)


@pytest.mark.parametrize(
    "on", [date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1), date(2027, 1, 1)]
)
def test_status_filter_agrees_before_at_and_after_the_cycles(two_cycles: tuple, on: date) -> None:
    organization, owner, cycles = two_cycles
    build_objectives(organization, owner, cycles, [APRIL_VALUES, YEAR_VALUES])
    assert statuses_in_database(organization, on) == statuses_in_python(organization, on)


def test_status_filter_uses_the_organization_bands(two_cycles: tuple) -> None:
    organization, owner, cycles = two_cycles
    organization.at_risk_gap, organization.off_track_gap = Decimal("0.05"), Decimal("0.2")
    organization.save()
    build_objectives(organization, owner, cycles, [APRIL_VALUES, YEAR_VALUES])
    found = statuses_in_database(organization, ON)
    assert found == statuses_in_python(organization, ON)
    assert "apr-12" in found[ON_TRACK]  # 0.45: gap 0.05
    assert "apr-5" in found[AT_RISK]  # 0.4: gap 0.1


def test_status_filter_keeps_the_queryset_it_is_given(two_cycles: tuple) -> None:
    organization, owner, cycles = two_cycles
    build_objectives(organization, owner, cycles, [APRIL_VALUES, YEAR_VALUES])
    only_april = Objective.objects.filter(cycle=cycles[0])
    found = filter_objectives_by_status(only_april, ON_TRACK, on=ON, organization=organization)
    assert set(found.values_list("ref", flat=True)) == {
        "apr-1",
        "apr-2",
        "apr-3",
        "apr-4",
        "apr-5",
        "apr-12",
    }


def count_filter_queries(organization: Organization) -> int:
    with CaptureQueriesContext(connection) as queries:
        for status in STATUSES:
            list(
                filter_objectives_by_status(
                    Objective.objects.filter(organization=organization),
                    status,
                    on=ON,
                    organization=organization,
                )
            )
    return len(queries)


def test_status_filter_query_count_does_not_grow_with_objectives(two_cycles: tuple) -> None:
    organization, owner, cycles = two_cycles
    build_objectives(organization, owner, cycles, [APRIL_VALUES[:5], YEAR_VALUES[:5]])
    small = count_filter_queries(organization)

    Objective.objects.all().delete()
    build_objectives(organization, owner, cycles, [APRIL_VALUES * 4, YEAR_VALUES * 4])
    assert Objective.objects.count() == 120
    large = count_filter_queries(organization)

    assert small == large
    assert large <= 2 * len(STATUSES)  # the cycles, then the objectives


def test_checkin_rows_are_never_written_for_refused_values(setup: Setup) -> None:
    boolean = make_key_result(setup.objective, "launched", "boolean")
    with pytest.raises(DomainError, match="takes 0 or 1"):
        services.checkin_create(key_result=boolean, value=D(2), at=midnight(date(2026, 4, 10)))
    assert not CheckIn.objects.filter(key_result=boolean).exists()
