"""pacer.okrs.services.cycles: create, change, delete an empty cycle, close and reopen."""

from datetime import date

import pytest

from pacer.okrs import services
from pacer.okrs.models import Cycle
from tests.factories import D, World, fresh, make_cycle, make_key_result, make_objective, refusal

pytestmark = pytest.mark.django_db


def test_a_cycle_is_created(world: World) -> None:
    cycle = services.cycle_create(
        organization=world.org,
        ref="2026-q3",
        name=" 2026 Q3 ",
        start=date(2026, 7, 1),
        end=date(2026, 9, 30),
        state="planning",
    )
    assert (cycle.name, cycle.state, cycle.organization) == ("2026 Q3", "planning", world.org)


def test_the_same_ref_may_serve_two_organizations(world: World) -> None:
    cycle = services.cycle_create(
        organization=world.other_org,
        ref="2026-q2",
        name="Q2",
        start=date(2026, 4, 1),
        end=date(2026, 6, 30),
    )
    assert cycle.state == "active"


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"ref": "2026-q2"}, {"ref"}),
        ({"name": " "}, {"name"}),
        ({"end": date(2026, 6, 1)}, {"end"}),
        ({"state": "closed"}, {"state"}),
    ],
)
def test_cycle_create_refuses(world: World, changes: dict[str, object], fields: set[str]) -> None:
    values: dict[str, object] = {
        "ref": "2026-q3",
        "name": "Q3",
        "start": date(2026, 7, 1),
        "end": date(2026, 9, 30),
        **changes,
    }
    problems = refusal(lambda: services.cycle_create(organization=world.org, **values))  # type: ignore[arg-type]
    assert set(problems) == fields


def test_cycle_update_renames_moves_and_plans(world: World) -> None:
    services.cycle_update(
        cycle=world.cycle, name="Q2 (longer)", end=date(2026, 7, 15), state="planning"
    )
    cycle = fresh(world.cycle)
    assert (cycle.name, cycle.start, cycle.end, cycle.state) == (
        "Q2 (longer)",
        date(2026, 4, 1),
        date(2026, 7, 15),
        "planning",
    )


def test_cycle_update_refuses_a_closed_cycle(world: World) -> None:
    services.cycle_close(cycle=world.cycle)
    problems = refusal(lambda: services.cycle_update(cycle=world.cycle, name="Renamed"))
    assert set(problems) == {"cycle"}


def test_cycle_update_refuses_closing(world: World) -> None:
    problems = refusal(lambda: services.cycle_update(cycle=world.cycle, state="closed"))
    assert set(problems) == {"state"}


def test_cycle_update_keeps_key_results_due_inside(world: World) -> None:
    make_key_result(world.public, "due", due=date(2026, 6, 15))
    problems = refusal(lambda: services.cycle_update(cycle=world.cycle, end=date(2026, 6, 1)))
    assert set(problems) == {"start"}
    assert "due outside" in problems["start"]


def test_cycle_update_keeps_parents_and_children_enclosing(world: World) -> None:
    year = make_cycle(world.org, "2026", date(2026, 1, 1), date(2026, 12, 31))
    company = make_objective(year, "company", world.admin)
    services.objective_align(child=world.public, parent=company)
    problems = refusal(lambda: services.cycle_update(cycle=world.cycle, end=date(2027, 1, 31)))
    assert set(problems) == {"start"}
    problems = refusal(lambda: services.cycle_update(cycle=year, end=date(2026, 5, 31)))
    assert set(problems) == {"end"}


def test_only_an_empty_cycle_is_deleted(world: World) -> None:
    problems = refusal(lambda: services.cycle_delete(cycle=world.cycle))
    assert set(problems) == {"cycle"}
    empty = make_cycle(world.org, "spare", date(2026, 7, 1), date(2026, 9, 30))
    services.cycle_delete(cycle=empty)
    assert not Cycle.objects.filter(pk=empty.pk).exists()


def test_closing_freezes_every_score_and_reopening_thaws_them(world: World) -> None:
    services.objective_set_retrospective(
        objective=world.public, score_override=D("0.9"), override_reason="r"
    )
    closed = services.cycle_close(cycle=world.cycle)
    assert closed.is_closed and closed.closed_at is not None
    assert (fresh(world.public).final_score, fresh(world.adoption).final_score) == (
        D("0.3"),
        D("0.3"),
    )
    assert fresh(world.private).final_score == 0
    first_close = fresh(world.cycle).closed_at
    services.cycle_close(cycle=fresh(world.cycle))
    assert fresh(world.cycle).closed_at == first_close  # closing twice changes nothing

    services.cycle_reopen(cycle=world.cycle, state="planning")
    cycle = fresh(world.cycle)
    assert (cycle.state, cycle.closed_at) == ("planning", None)
    assert (fresh(world.public).final_score, fresh(world.adoption).final_score) == (None, None)
    assert fresh(world.public).score_override == D("0.9")  # overrides are kept
