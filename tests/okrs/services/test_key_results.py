"""pacer.okrs.services.key_results: create, change, move and delete key results."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from pacer.okrs import progress as engine
from pacer.okrs import services
from pacer.okrs.models import CheckIn, KeyResult
from tests.factories import (
    D,
    World,
    check_in,
    fresh,
    make_cycle,
    make_key_result,
    make_objective,
    refusal,
)

pytestmark = pytest.mark.django_db


def spec(title: str = "Latency", **fields: Any) -> services.KeyResultSpec:
    return services.KeyResultSpec(title=title, **fields)


def metric(title: str = "Latency", **fields: Any) -> services.KeyResultSpec:
    return spec(title, **{"start": D(0), "target": D(10), **fields})


# --- Create ------------------------------------------------------------------------------


def test_a_new_key_result_gets_a_ref_a_position_and_its_start_as_current(world: World) -> None:
    kr = services.key_result_create(
        objective=world.public, spec=metric("  P95 latency ", start=D(4), target=D(2), unit="s")
    )
    assert (kr.ref, kr.title, kr.position, kr.current, kr.progress) == (
        "delivery-p95-latency",
        "P95 latency",
        1,
        4,
        0,
    )
    again = services.key_result_create(objective=world.public, spec=metric("P95 latency"))
    assert again.ref == "delivery-p95-latency-2"
    # adoption (1/3) and two key results at 0: the objective averages them.
    assert fresh(world.public).progress == D("0.111111111111")


@pytest.mark.parametrize(
    ("fields", "problem_fields"),
    [
        ({"type": "metric"}, {"start", "target"}),
        ({"type": "metric", "start": D(5), "target": D(5)}, {"target"}),
        ({"type": "stay_above"}, {"threshold"}),
        ({"type": "stay_below"}, {"threshold"}),
        ({"type": "range"}, {"low", "high"}),
        ({"type": "range", "low": D(5), "high": D(5)}, {"high"}),
        ({"type": "linked"}, {"objective"}),
        ({"type": "dial"}, {"type"}),
        ({"type": "boolean", "weight": D(-1)}, {"weight"}),
        ({"type": "boolean", "due": date(2026, 7, 1)}, {"due"}),
        ({"type": "boolean", "title": " "}, {"title"}),
    ],
)
def test_each_type_needs_its_fields(
    world: World, fields: dict[str, Any], problem_fields: set[str]
) -> None:
    title = fields.pop("title", "Latency")
    problems = refusal(
        lambda: services.key_result_create(objective=world.public, spec=spec(title, **fields))
    )
    assert set(problems) == problem_fields


def test_every_type_is_created_with_its_fields(world: World) -> None:
    specs = [
        metric(),
        spec("Shipped", type="boolean"),
        spec("Plan", type="milestones"),
        spec("Uptime", type="stay_above", threshold=D("99.9")),
        spec("Errors", type="stay_below", threshold=D(1)),
        spec("Latency band", type="range", low=D(1), high=D(2)),
        spec("Follows", type="linked", linked_objective=world.private),
        spec("Projects", type="initiatives"),  # nothing to give: its work moves it
        spec("Due", type="boolean", due=date(2026, 6, 30), weight=D(0)),
    ]
    assert {s.type for s in specs} == set(engine.KR_TYPES)
    for s in specs:
        kr = services.key_result_create(objective=world.public, spec=s)
        assert (kr.type, kr.title) == (s.type, s.title)
    assert fresh(world.public).key_results.count() == 1 + len(specs)


def test_a_linked_key_result_follows_its_objectives_progress(world: World) -> None:
    check_in(world.secret_kr, 50, date(2026, 4, 21))
    merger = spec("Merger", type="linked", linked_objective=fresh(world.private))
    linked = services.key_result_create(objective=world.public, spec=merger)
    assert fresh(linked).progress == D("0.5")
    check_in(world.secret_kr, 100, date(2026, 4, 22))
    assert fresh(linked).progress == 1


def test_a_linked_key_result_takes_the_stored_progress_of_what_it_follows(world: World) -> None:
    stale = fresh(world.private)
    check_in(world.secret_kr, 50, date(2026, 4, 21))
    merger = spec("Merger", type="linked", linked_objective=stale)
    linked = services.key_result_create(objective=world.public, spec=merger)
    assert fresh(linked).progress == D("0.5")


def test_a_link_to_another_organization_is_refused(world: World) -> None:
    link = spec("Globex", type="linked", linked_objective=world.foreign)
    problems = refusal(lambda: services.key_result_create(objective=world.public, spec=link))
    assert problems == {"linked_objective": "belongs to another organization"}


def test_a_key_result_cannot_follow_its_own_objective(world: World) -> None:
    link = spec("Self", type="linked", linked_objective=world.public)
    problems = refusal(lambda: services.key_result_create(objective=world.public, spec=link))
    assert set(problems) == {"linked_objective"}


def test_links_may_not_make_a_loop(world: World) -> None:
    services.key_result_create(
        objective=world.public, spec=spec("Merger", type="linked", linked_objective=world.private)
    )
    back = spec("Back", type="linked", linked_objective=world.public)
    problems = refusal(lambda: services.key_result_create(objective=world.private, spec=back))
    assert set(problems) == {"linked_objective"}
    assert "loop" in problems["linked_objective"]


def test_only_a_linked_key_result_follows_an_objective(world: World) -> None:
    wrong = metric(linked_objective=world.private)
    problems = refusal(lambda: services.key_result_create(objective=world.public, spec=wrong))
    assert set(problems) == {"linked_objective"}


# --- Update ------------------------------------------------------------------------------


def test_key_result_update_changes_the_definition_and_the_progress(world: World) -> None:
    changed = services.key_result_spec(world.adoption, title=" Adoption ", target=D(60))
    kr = services.key_result_update(key_result=world.adoption, spec=changed)
    assert (kr.title, kr.target, kr.current) == ("Adoption", 60, 30)
    assert fresh(world.adoption).progress == D("0.5")
    assert fresh(world.public).progress == D("0.5")


def test_key_result_update_checks_the_new_definition(world: World) -> None:
    same = services.key_result_spec(world.adoption, target=D(0))
    problems = refusal(lambda: services.key_result_update(key_result=world.adoption, spec=same))
    assert set(problems) == {"target"}


def test_a_type_change_must_suit_the_stored_checkins(world: World) -> None:
    boolean = services.key_result_spec(world.adoption, type="boolean")
    problems = refusal(lambda: services.key_result_update(key_result=world.adoption, spec=boolean))
    assert set(problems) == {"type"}
    assert "2026-04-20" in problems["type"]
    above = services.key_result_spec(world.adoption, type="stay_above", threshold=D(20))
    assert services.key_result_update(key_result=world.adoption, spec=above).type == "stay_above"


# --- Move --------------------------------------------------------------------------------


def test_a_key_result_moves_with_its_checkins_and_both_objectives_roll_up(world: World) -> None:
    services.key_result_move(key_result=world.adoption, objective=world.private)
    adoption = fresh(world.adoption)
    assert (adoption.objective, adoption.position) == (world.private, 1)
    assert CheckIn.objects.get(key_result=adoption).value == 30
    assert fresh(world.public).progress == 0
    assert fresh(world.private).progress == D("0.166666666666")


def test_a_key_result_moves_to_another_cycle_of_the_organization(world: World) -> None:
    year = make_cycle(world.org, "2026", date(2026, 1, 1), date(2026, 12, 31))
    company = make_objective(year, "company", world.admin)
    services.key_result_move(key_result=world.adoption, objective=company)
    assert fresh(world.adoption).objective == company


def test_a_key_result_does_not_move_to_another_organization(world: World) -> None:
    problems = refusal(
        lambda: services.key_result_move(key_result=world.adoption, objective=world.foreign)
    )
    assert problems == {"objective": "belongs to another organization"}


def test_a_key_result_due_outside_the_target_cycle_does_not_move(world: World) -> None:
    due = make_key_result(world.public, "due", due=date(2026, 6, 1))
    q3 = make_cycle(world.org, "2026-q3", date(2026, 7, 1), date(2026, 9, 30))
    later = make_objective(q3, "later", world.owner)
    problems = refusal(lambda: services.key_result_move(key_result=due, objective=later))
    assert set(problems) == {"due"}


def test_a_linked_key_result_does_not_move_under_the_objective_it_follows(world: World) -> None:
    linked = services.key_result_create(
        objective=world.public, spec=spec("Merger", type="linked", linked_objective=world.private)
    )
    problems = refusal(lambda: services.key_result_move(key_result=linked, objective=world.private))
    assert set(problems) == {"objective"}


# --- Delete ------------------------------------------------------------------------------


def test_key_result_delete_takes_its_checkins_and_rolls_up(world: World) -> None:
    services.key_result_create(objective=world.public, spec=spec("Shipped", type="boolean"))
    assert fresh(world.public).progress == D("0.166666666666")
    services.key_result_delete(key_result=world.adoption)
    assert not KeyResult.objects.filter(pk=world.adoption.pk).exists()
    assert not CheckIn.objects.filter(key_result_id=world.adoption.pk).exists()
    assert fresh(world.public).progress == 0


def test_weight_zero_key_results_count_for_nothing(world: World) -> None:
    services.key_result_create(
        objective=world.public, spec=spec("Shipped", type="boolean", weight=Decimal(0))
    )
    assert fresh(world.public).progress == fresh(world.adoption).progress
