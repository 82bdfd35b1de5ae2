"""Planning the next cycle (services.cycle_plan_next, next_cycle_of) and the cycle's ref.

The shared world's 2026-Q2 (1 April to 30 June, active) holds "Deliver faster" (metric
`adoption` 0 -> 90 %, one check-in of 30) and the private "Buy Initech".
"""

from datetime import date
from decimal import Decimal

import pytest

from pacer.okrs import rules, services
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Objective
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


def second_kr(world: World) -> KeyResult:
    return make_key_result(world.public, "speed", title="Ship weekly", target=10)


# --- The next cycle ----------------------------------------------------------------------


def test_the_next_cycle_of_a_quarter_is_the_next_quarter_not_yet_saved(world: World) -> None:
    following = services.next_cycle_of(world.cycle)
    assert following is not None and following.pk is None
    assert (following.ref, following.name, following.state) == ("2026-q3", "2026 Q3", "planning")
    assert (following.start, following.end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert following.organization_id == world.org.pk


def test_the_next_cycle_is_picked_when_it_exists(world: World) -> None:
    q3 = make_cycle(world.org, "third", date(2026, 7, 1), date(2026, 9, 30), state="planning")
    make_cycle(world.other_org, "globex-q3", date(2026, 7, 1), date(2026, 9, 30))
    assert services.next_cycle_of(world.cycle) == q3


def test_a_new_next_cycle_gets_a_free_ref(world: World) -> None:
    make_cycle(world.org, "2026-q3", date(2026, 7, 1), date(2026, 8, 31))
    make_cycle(world.org, "2026-q3-2", date(2026, 7, 1), date(2026, 7, 31))
    following = services.next_cycle_of(world.cycle)
    assert following is not None and following.ref == "2026-q3-3"


# --- cycle_plan_next ---------------------------------------------------------------------


def test_planning_creates_the_next_quarter_and_copies_the_chosen_key_results(
    world: World,
) -> None:
    speed = second_kr(world)
    check_in(speed, 4, date(2026, 4, 22))
    planned = services.cycle_plan_next(cycle=world.cycle, carry=[(world.public, [speed])])

    assert planned.created
    q3 = fresh(planned.cycle)
    assert (q3.ref, q3.name, q3.state) == ("2026-q3", "2026 Q3", "planning")
    (copy,) = planned.copies
    assert (copy.cycle, copy.title, copy.owner, copy.team) == (
        q3,
        "Deliver faster",
        world.owner,
        world.team,
    )
    assert [kr.title for kr in copy.key_results.all()] == ["Ship weekly"]
    assert not CheckIn.objects.filter(key_result__objective=copy).exists()
    assert fresh(copy).progress == 0
    # The source is left as it was.
    assert fresh(world.public).cycle == world.cycle
    assert world.public.key_results.count() == 2


def test_planning_twice_picks_the_same_next_cycle(world: World) -> None:
    first = services.cycle_plan_next(cycle=world.cycle)
    again = services.cycle_plan_next(cycle=world.cycle, carry=[(world.public, [])])
    assert first.created and not again.created
    assert again.cycle == first.cycle
    assert Cycle.objects.filter(organization=world.org, start=date(2026, 7, 1)).count() == 1
    assert [o.title for o in Objective.objects.filter(cycle=first.cycle)] == ["Deliver faster"]


def test_planning_from_a_closed_cycle_carries_over_what_scored_below_one(world: World) -> None:
    services.cycle_close(cycle=world.cycle)
    planned = services.cycle_plan_next(cycle=world.cycle, carry=[(world.private, [])])
    assert [o.title for o in planned.copies] == ["Buy Initech"]
    assert planned.copies[0].visibility == "private"


def test_planning_picks_an_active_next_cycle(world: World) -> None:
    q3 = make_cycle(world.org, "q3", date(2026, 7, 1), date(2026, 9, 30))
    planned = services.cycle_plan_next(cycle=world.cycle, carry=[(world.public, [])])
    assert planned.cycle == q3 and not planned.created
    assert fresh(q3).state == "active"


def test_planning_refuses_a_cycle_in_planning(world: World) -> None:
    draft = make_cycle(world.org, "2026-q3", date(2026, 7, 1), date(2026, 9, 30), state="planning")
    problems = refusal(lambda: services.cycle_plan_next(cycle=draft))
    assert problems == {
        "cycle": "2026-Q3 is still in planning: plan the next cycle from an active or closed one"
    }


def test_planning_refuses_a_done_objective_and_creates_no_cycle(world: World) -> None:
    check_in(world.adoption, 90, date(2026, 5, 2))
    problems = refusal(
        lambda: services.cycle_plan_next(cycle=world.cycle, carry=[(world.public, [])])
    )
    assert problems == {
        "objectives": "“Deliver faster” is done: only unfinished objectives carry over"
    }


def test_planning_refuses_an_objective_scored_one_at_close(world: World) -> None:
    services.objective_set_retrospective(
        objective=world.public, score_override=D("1.0"), override_reason="Signed late"
    )
    services.cycle_close(cycle=world.cycle)
    problems = refusal(
        lambda: services.cycle_plan_next(cycle=world.cycle, carry=[(world.public, [])])
    )
    assert set(problems) == {"objectives"}


def test_planning_refuses_an_objective_of_another_cycle(world: World) -> None:
    year = make_cycle(world.org, "2026", date(2026, 1, 1), date(2026, 12, 31))
    elsewhere = make_objective(year, "yearly", world.owner, title="Yearly goal")
    problems = refusal(lambda: services.cycle_plan_next(cycle=world.cycle, carry=[(elsewhere, [])]))
    assert problems == {"objectives": "“Yearly goal” is not an objective of 2026-Q2"}


def test_planning_refuses_an_archived_objective(world: World) -> None:
    services.objective_archive(objective=world.public)
    problems = refusal(
        lambda: services.cycle_plan_next(cycle=world.cycle, carry=[(world.public, [])])
    )
    assert set(problems) == {"archived"}


def test_planning_refuses_key_results_of_another_objective_all_or_nothing(
    world: World,
) -> None:
    problems = refusal(
        lambda: services.cycle_plan_next(
            cycle=world.cycle,
            carry=[(world.private, []), (world.public, [world.secret_kr])],
        )
    )
    assert set(problems) == {"key_results"}  # the new cycle and the first copy are undone


def test_planning_refuses_a_closed_next_cycle(world: World) -> None:
    q3 = make_cycle(world.org, "q3", date(2026, 7, 1), date(2026, 9, 30))
    services.cycle_close(cycle=q3)
    problems = refusal(lambda: services.cycle_plan_next(cycle=world.cycle))
    assert set(problems) == {"cycle"}


def dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@pytest.mark.parametrize(
    ("progress", "override", "final", "unfinished"),
    [
        ("0.5", None, None, True),
        ("0.96", None, None, True),  # its score rounds to 1.0, but it is not done
        ("1", None, None, False),
        ("1", None, "1.0", False),
        ("0.4", None, "0.4", True),
        ("1", "0.8", "1.0", True),  # overridden to 0.8
        ("0.4", "1.0", "0.4", False),
    ],
)
def test_carries_over(
    progress: str, override: str | None, final: str | None, unfinished: bool
) -> None:
    carries = rules.carries_over(
        progress=Decimal(progress), score_override=dec(override), final_score=dec(final)
    )
    assert carries is unfinished


# --- The cycle's ref ---------------------------------------------------------------------


def create(world: World, **fields: object) -> Cycle:
    values: dict[str, object] = {
        "ref": "",
        "name": "2026 Q3",
        "start": date(2026, 7, 1),
        "end": date(2026, 9, 30),
        **fields,
    }
    return services.cycle_create(organization=world.org, **values)  # type: ignore[arg-type]


def test_an_empty_ref_is_made_from_the_name(world: World) -> None:
    assert create(world).ref == "2026-q3"


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("new", "new is reserved; choose another"),
        ("Q3", "use lower-case letters and digits joined by - or _, such as 2026-q3"),
        ("q3--x", "use lower-case letters and digits joined by - or _, such as 2026-q3"),
        ("x" * 101, "at most 100 characters"),
        ("2026-q2", "2026-q2 is already taken in this organization"),
    ],
)
def test_a_bad_ref_is_refused(world: World, ref: str, message: str) -> None:
    assert refusal(lambda: create(world, ref=ref)) == {"ref": message}


def test_a_name_without_letters_needs_a_ref(world: World) -> None:
    assert refusal(lambda: create(world, name="***")) == {"ref": "is required"}
