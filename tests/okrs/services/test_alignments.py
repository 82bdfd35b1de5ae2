"""pacer.okrs.services.alignments: an objective supports parents of the same or an enclosing
cycle, in its organization, without a loop."""

from datetime import date, timedelta

import pytest

from pacer.okrs import services
from pacer.okrs.models import Alignment, Cycle, Objective
from tests.factories import World, fresh, make_cycle, make_objective, refusal

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(world: World) -> Cycle:
    return make_cycle(world.org, "2026", date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def company(world: World, year: Cycle) -> Objective:
    return make_objective(year, "company", world.admin, title="Grow")


def backdate(objective: Objective) -> None:
    Objective.objects.filter(pk=objective.pk).update(
        updated_at=fresh(objective).updated_at - timedelta(days=1)
    )


def test_aligning_adds_the_parent_and_marks_the_child_changed(
    world: World, company: Objective
) -> None:
    backdate(world.public)
    before = fresh(world.public).updated_at
    alignment = services.objective_align(child=world.public, parent=company)
    assert (alignment.child, alignment.parent) == (world.public, company)
    assert fresh(world.public).updated_at > before
    assert fresh(company).children.get() == world.public


def test_aligning_twice_keeps_one_alignment_and_changes_nothing(
    world: World, company: Objective
) -> None:
    services.objective_align(child=world.public, parent=company)
    backdate(world.public)
    before = fresh(world.public).updated_at
    services.objective_align(child=world.public, parent=company)
    assert Alignment.objects.filter(child=world.public).count() == 1
    assert fresh(world.public).updated_at == before


def test_the_same_cycle_is_a_valid_parent(world: World) -> None:
    services.objective_align(child=world.private, parent=world.public)
    assert list(fresh(world.private).parents.all()) == [world.public]


def test_a_parent_in_a_cycle_that_does_not_enclose_the_childs_is_refused(
    world: World, company: Objective
) -> None:
    problems = refusal(lambda: services.objective_align(child=company, parent=world.public))
    assert problems == {
        "parents": "'delivery' is in cycle '2026-q2', which does not contain '2026'"
    }


def test_a_loop_is_refused(world: World, company: Objective) -> None:
    services.objective_align(child=world.private, parent=world.public)
    problems = refusal(lambda: services.objective_align(child=world.public, parent=world.private))
    assert problems == {"parents": "aligning 'delivery' to 'secret-merger' would make a loop"}
    problems = refusal(lambda: services.objective_align(child=world.public, parent=world.public))
    assert set(problems) == {"parents"}


def test_a_parent_of_another_organization_is_refused(world: World) -> None:
    problems = refusal(lambda: services.objective_align(child=world.public, parent=world.foreign))
    assert problems == {"parents": "globex-plan belongs to another organization"}


def test_unaligning_removes_the_parent_and_marks_the_child_changed(
    world: World, company: Objective
) -> None:
    services.objective_align(child=world.public, parent=company)
    backdate(world.public)
    before = fresh(world.public).updated_at
    services.objective_unalign(child=world.public, parent=company)
    assert not fresh(world.public).parents.exists()
    assert fresh(world.public).updated_at > before


def test_unaligning_what_is_not_aligned_changes_nothing(world: World, company: Objective) -> None:
    before = fresh(world.public).updated_at
    services.objective_unalign(child=world.public, parent=company)
    assert fresh(world.public).updated_at == before
