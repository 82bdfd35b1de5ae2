"""pacer.okrs.services.milestones: a milestones key result's progress is the weight done."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry

from pacer.okrs import services
from pacer.okrs.models import KeyResult, Milestone
from tests.factories import D, World, fresh, refusal

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world: World) -> KeyResult:
    return services.key_result_create(
        objective=world.public, spec=services.KeyResultSpec(title="Plan", type="milestones")
    )


def test_milestones_weigh_into_the_key_result_and_its_objective(
    world: World, plan: KeyResult
) -> None:
    pilot = services.milestone_create(key_result=plan, title="  Pilot ", weight=D(3), done=True)
    launch = services.milestone_create(key_result=plan, title="Launch")
    assert (pilot.title, pilot.position, launch.position) == ("Pilot", 0, 1)
    assert fresh(plan).progress == D("0.75")
    # adoption stands at 30 of 90: the objective averages 1/3 and 3/4.
    assert fresh(world.public).progress == D("0.541666666666")


@pytest.mark.parametrize(
    ("title", "weight", "field"), [(" ", Decimal(1), "title"), ("Pilot", Decimal(-1), "weight")]
)
def test_a_milestone_needs_a_title_and_a_weight_of_0_or_more(
    plan: KeyResult, title: str, weight: Decimal, field: str
) -> None:
    problems = refusal(
        lambda: services.milestone_create(key_result=plan, title=title, weight=weight)
    )
    assert set(problems) == {field}


def test_only_a_milestones_key_result_has_milestones(world: World) -> None:
    problems = refusal(lambda: services.milestone_create(key_result=world.adoption, title="X"))
    assert problems == {"key_result": "only a milestones key result has milestones"}


def test_milestone_update_changes_title_weight_and_done(plan: KeyResult) -> None:
    pilot = services.milestone_create(key_result=plan, title="Pilot", done=True)
    services.milestone_create(key_result=plan, title="Launch")
    services.milestone_update(milestone=pilot, title=" Pilot, two teams ", weight=D(3))
    assert (fresh(pilot).title, fresh(pilot).weight, fresh(pilot).done) == (
        "Pilot, two teams",
        3,
        True,
    )
    assert fresh(plan).progress == D("0.75")
    services.milestone_update(milestone=fresh(pilot), done=False)
    assert fresh(plan).progress == 0


def test_milestone_update_refuses_a_blank_title_and_a_negative_weight(plan: KeyResult) -> None:
    pilot = services.milestone_create(key_result=plan, title="Pilot")
    assert set(refusal(lambda: services.milestone_update(milestone=pilot, title=""))) == {"title"}
    problems = refusal(lambda: services.milestone_update(milestone=pilot, weight=D(-2)))
    assert set(problems) == {"weight"}


def test_milestone_set_done_moves_progress_and_is_idempotent(plan: KeyResult) -> None:
    pilot = services.milestone_create(key_result=plan, title="Pilot")
    services.milestone_create(key_result=plan, title="Launch")
    services.milestone_set_done(milestone=pilot, done=True)
    assert fresh(plan).progress == D("0.5")
    stamp = fresh(pilot).updated_at
    services.milestone_set_done(milestone=fresh(pilot), done=True)
    assert fresh(pilot).updated_at == stamp  # nothing to change, nothing written


def test_milestone_delete_recomputes_the_progress(plan: KeyResult) -> None:
    pilot = services.milestone_create(key_result=plan, title="Pilot", done=True)
    launch = services.milestone_create(key_result=plan, title="Launch")
    services.milestone_delete(milestone=launch)
    assert fresh(plan).progress == 1
    assert list(Milestone.objects.filter(key_result=plan)) == [pilot]


def titles(plan: KeyResult) -> list[str]:
    return list(plan.milestones.order_by("position", "pk").values_list("title", flat=True))


def test_milestone_move_up_and_down_keeps_the_others_in_order(plan: KeyResult) -> None:
    pilot, beta, launch = (
        services.milestone_create(key_result=plan, title=t) for t in ("Pilot", "Beta", "Launch")
    )
    services.milestone_move(milestone=launch, offset=-1)
    assert titles(plan) == ["Pilot", "Launch", "Beta"]
    services.milestone_move(milestone=fresh(pilot), offset=1)
    assert titles(plan) == ["Launch", "Pilot", "Beta"]
    positions = plan.milestones.order_by("position").values_list("position", flat=True)
    assert list(positions) == [0, 1, 2]
    assert fresh(beta).position == 2


def test_milestone_move_refuses_to_leave_the_list(plan: KeyResult) -> None:
    pilot = services.milestone_create(key_result=plan, title="Pilot")
    launch = services.milestone_create(key_result=plan, title="Launch")
    assert refusal(lambda: services.milestone_move(milestone=pilot, offset=-1)) == {
        "position": "is the first milestone already: it cannot move up"
    }
    assert set(refusal(lambda: services.milestone_move(milestone=launch, offset=1))) == {"position"}


def test_milestone_move_renumbers_shared_positions_first(plan: KeyResult) -> None:
    """Rows written before positions were kept apart may share one: the order is by id."""
    pilot, beta, launch = (
        services.milestone_create(key_result=plan, title=t) for t in ("Pilot", "Beta", "Launch")
    )
    Milestone.objects.filter(key_result=plan).update(position=5)
    services.milestone_move(milestone=launch, offset=-2)
    assert titles(plan) == ["Launch", "Pilot", "Beta"]
    assert [fresh(m).position for m in (launch, pilot, beta)] == [0, 1, 2]


def test_milestone_move_leaves_one_history_entry_and_the_progress_as_it_was(
    plan: KeyResult,
) -> None:
    pilot = services.milestone_create(key_result=plan, title="Pilot", done=True)
    launch = services.milestone_create(key_result=plan, title="Launch", weight=D(3))
    before = LogEntry.objects.count()
    services.milestone_move(milestone=launch, offset=-1)
    entries = list(LogEntry.objects.order_by("pk")[before:])
    assert [(e.object_id, e.changes_dict) for e in entries] == [
        (launch.pk, {"position": ["1", "0"]})
    ]
    assert fresh(plan).progress == D("0.25")
    assert fresh(pilot).position == 1


def test_milestone_delete_closes_the_gap_in_positions(plan: KeyResult) -> None:
    pilot, beta, _ = (
        services.milestone_create(key_result=plan, title=t) for t in ("Pilot", "Beta", "Launch")
    )
    services.milestone_delete(milestone=pilot)
    assert [m.position for m in plan.milestones.order_by("position")] == [0, 1]
    assert services.milestone_create(key_result=plan, title="Retro").position == 2
    assert fresh(beta).position == 0
