"""pacer.okrs.services.milestones: a milestones key result's progress is the weight done."""

from decimal import Decimal

import pytest

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
