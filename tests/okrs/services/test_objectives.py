"""pacer.okrs.services.objectives: create, edit, copy, archive, restore, close-out."""

from datetime import date
from decimal import Decimal

import pytest

from pacer.okrs import selectors, services
from pacer.okrs.models import Alignment, CheckIn, Objective
from tests.factories import (
    D,
    World,
    fresh,
    make_cycle,
    make_objective,
    make_team,
    refusal,
    run_command,
)

pytestmark = pytest.mark.django_db


def metric(title: str, **fields: object) -> services.KeyResultSpec:
    values = {"start": D(0), "target": D(10), **fields}
    return services.KeyResultSpec(title=title, **values)  # type: ignore[arg-type]


# --- Create ------------------------------------------------------------------------------


def test_an_objective_is_created_with_its_key_results_and_parents(world: World) -> None:
    year = make_cycle(world.org, "2026", date(2026, 1, 1), date(2026, 12, 31))
    company = make_objective(year, "company", world.admin)
    objective = services.objective_create(
        cycle=world.cycle,
        owner=world.teammate,
        title="  Faster builds ",
        description="CI under ten minutes",
        team=world.team,
        kind="committed",
        visibility="public",
        parents=[company],
        key_results=[metric("Build minutes"), services.KeyResultSpec("Cache", type="boolean")],
    )
    objective = fresh(objective)
    assert (objective.ref, objective.title, objective.kind, objective.visibility) == (
        "faster-builds",
        "Faster builds",
        "committed",
        "public",
    )
    assert [kr.title for kr in objective.key_results.order_by("position")] == [
        "Build minutes",
        "Cache",
    ]
    assert list(objective.parents.all()) == [company]
    again = services.objective_create(cycle=world.cycle, owner=world.owner, title="Faster builds")
    assert again.ref == "faster-builds-2"


def test_derived_key_results_of_a_new_objective_store_their_derived_values(
    world: World,
) -> None:
    objective = services.objective_create(
        cycle=world.cycle,
        owner=world.owner,
        title="Goal",
        key_results=[
            services.KeyResultSpec("Plan", type="milestones"),
            services.KeyResultSpec("Merger", type="linked", linked_objective=fresh(world.public)),
        ],
    )
    plan, merger = objective.key_results.order_by("position")
    assert (plan.current, plan.progress) == (0, 0)  # no milestone done, as the engine says
    assert merger.current == fresh(world.public).progress.quantize(D("0.000001"))
    assert run_command("recompute", "--check").strip() == "all stored values are up to date"


def test_a_chosen_ref_is_kept_and_a_taken_one_refused(world: World) -> None:
    objective = services.objective_create(
        cycle=world.cycle, owner=world.owner, title="X", ref="speed"
    )
    assert objective.ref == "speed"
    problems = refusal(
        lambda: services.objective_create(
            cycle=world.cycle, owner=world.owner, title="Y", ref="delivery"
        )
    )
    assert problems == {"ref": "delivery is already taken in this organization"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"kind": "stretch"}, "kind"),
        ({"visibility": "secret"}, "visibility"),
    ],
)
def test_objective_create_checks_title_kind_and_visibility(
    world: World, fields: dict[str, str], field: str
) -> None:
    values = {"title": "Goal", **fields}
    problems = refusal(
        lambda: services.objective_create(cycle=world.cycle, owner=world.owner, **values)  # type: ignore[arg-type]
    )
    assert set(problems) == {field}


def test_objective_create_names_the_key_result_that_is_wrong(world: World) -> None:
    problems = refusal(
        lambda: services.objective_create(
            cycle=world.cycle,
            owner=world.owner,
            title="Goal",
            key_results=[metric("Fine"), metric("Flat", target=D(0))],
        )
    )
    assert set(problems) == {"key_results-1-target"}


def test_objective_create_refuses_a_parent_that_cannot_hold_it(world: World) -> None:
    q3 = make_cycle(world.org, "2026-q3", date(2026, 7, 1), date(2026, 9, 30))
    later = make_objective(q3, "later", world.owner)
    for parent in (later, world.foreign):
        problems = refusal(
            lambda parent=parent: services.objective_create(
                cycle=world.cycle, owner=world.owner, title="Goal", parents=[parent]
            )
        )
        assert set(problems) == {"parents"}


def test_objective_create_refuses_a_closed_cycle(world: World) -> None:
    services.cycle_close(cycle=world.cycle)
    problems = refusal(
        lambda: services.objective_create(cycle=world.cycle, owner=world.owner, title="Late")
    )
    assert problems == {"cycle": "the cycle 2026-Q2 is closed; its numbers are frozen"}


# --- Update ------------------------------------------------------------------------------


def edit(world: World, objective: Objective, **changes: object) -> Objective:
    objective = fresh(objective)
    editor = changes.get("editor", world.owner)
    values: dict[str, object] = {
        # The version of the form as the editor saw it (only the parents they may see).
        "version": selectors.objective_version(objective, editor),  # type: ignore[arg-type]
        "title": objective.title,
        "description": objective.description,
        "team": objective.team,
        "kind": objective.kind,
        "visibility": objective.visibility,
        "parents": list(objective.parents.all()),
        "editor": editor,
    }
    values.update(changes)
    return services.objective_update(objective=objective, **values)  # type: ignore[arg-type]


def test_objective_update_changes_wording_team_kind_and_visibility(world: World) -> None:
    edit(world, world.public, title=" Ship ", description="d", team=None, kind="committed")
    public = fresh(world.public)
    assert (public.title, public.description, public.team, public.kind) == (
        "Ship",
        "d",
        None,
        "committed",
    )


def test_a_stale_version_is_refused(world: World) -> None:
    version = selectors.objective_version(world.public, world.owner)
    edit(world, world.public, title="First")
    problems = refusal(lambda: edit(world, world.public, title="Second", version=version))
    assert set(problems) == {"version"}
    assert fresh(world.public).title == "First"


def test_objective_update_refuses_a_blank_title(world: World) -> None:
    assert set(refusal(lambda: edit(world, world.public, title=""))) == {"title"}


def test_an_edit_keeps_the_parents_the_editor_cannot_see(world: World) -> None:
    year = make_cycle(world.org, "2026", date(2026, 1, 1), date(2026, 12, 31))
    hidden = make_objective(year, "hidden", world.admin, visibility="private")
    shown = make_objective(year, "shown", world.admin)
    services.objective_align(child=world.public, parent=hidden)
    services.objective_align(child=world.public, parent=shown)
    # The owner sees only `shown`, and removes it: `hidden` stays.
    edit(world, world.public, parents=[], editor=world.owner)
    assert list(fresh(world.public).parents.all()) == [hidden]
    # The admin sees both: an edit without parents removes them all.
    edit(world, world.public, parents=[], editor=world.admin)
    assert not fresh(world.public).parents.exists()


# --- Copy --------------------------------------------------------------------------------


def test_a_copy_starts_over_in_the_new_cycle(world: World) -> None:
    plan = services.key_result_create(
        objective=world.public,
        spec=services.KeyResultSpec("Plan", type="milestones", due=date(2026, 6, 1)),
    )
    services.milestone_create(key_result=plan, title="Pilot", weight=D(2), done=True)
    services.objective_set_retrospective(
        objective=world.public, score_override=D("0.5"), override_reason="r", went_well="w"
    )
    q3 = make_cycle(world.org, "2026-q3", date(2026, 7, 1), date(2026, 9, 30))
    copy = services.objective_copy(
        objective=world.public, cycle=q3, key_results=[world.adoption, plan], owner=world.teammate
    )
    copy = fresh(copy)
    assert (copy.cycle, copy.owner, copy.title, copy.team) == (
        q3,
        world.teammate,
        "Deliver faster",
        world.team,
    )
    assert (copy.score_override, copy.went_well, copy.progress) == (None, "", 0)
    adoption, new_plan = copy.key_results.order_by("position")
    assert (adoption.target, adoption.current) == (90, 0)
    assert not CheckIn.objects.filter(key_result__objective=copy).exists()
    assert new_plan.due is None
    assert [(m.title, m.weight, m.done) for m in new_plan.milestones.all()] == [("Pilot", 2, False)]


def test_a_copy_keeps_only_parents_whose_cycle_encloses_the_new_one(world: World) -> None:
    year = make_cycle(world.org, "2026", date(2026, 1, 1), date(2026, 12, 31))
    company = make_objective(year, "company", world.admin)
    sibling = make_objective(world.cycle, "sibling", world.admin)
    services.objective_align(child=world.public, parent=company)
    services.objective_align(child=world.public, parent=sibling)
    q3 = make_cycle(world.org, "2026-q3", date(2026, 7, 1), date(2026, 9, 30))
    copy = services.objective_copy(objective=world.public, cycle=q3, key_results=[])
    assert list(copy.parents.all()) == [company]


def test_a_copy_stays_in_its_organization(world: World) -> None:
    problems = refusal(
        lambda: services.objective_copy(objective=world.foreign, cycle=world.cycle, key_results=[])
    )
    assert set(problems) == {"cycle"}


def test_a_team_of_another_organization_is_refused(world: World) -> None:
    globex_team = make_team(world.other_org, "globex-team")
    problems = refusal(lambda: edit(world, world.public, team=globex_team))
    assert set(problems) == {"team"}


def test_a_copy_takes_only_key_results_of_the_copied_objective(world: World) -> None:
    problems = refusal(
        lambda: services.objective_copy(
            objective=world.public, cycle=world.cycle, key_results=[world.secret_kr]
        )
    )
    assert set(problems) == {"key_results"}


# --- Archive, restore --------------------------------------------------------------------


def test_archive_and_restore(world: World) -> None:
    services.objective_archive(objective=world.public)
    archived_at = fresh(world.public).archived_at
    assert archived_at is not None
    services.objective_archive(objective=world.public)
    assert fresh(world.public).archived_at == archived_at  # idempotent
    services.objective_restore(objective=world.public)
    assert fresh(world.public).archived_at is None
    services.objective_restore(objective=world.public)
    assert fresh(world.public).archived_at is None


# --- Close-out ---------------------------------------------------------------------------


def test_the_close_out_may_be_prepared_while_the_cycle_is_open(world: World) -> None:
    services.objective_set_retrospective(
        objective=world.public,
        score_override=D("0.7"),
        override_reason=" Late pilot ",
        went_well="a",
        went_wrong="b",
        learned="c",
    )
    public = fresh(world.public)
    assert (public.score_override, public.override_reason, public.score) == (
        D("0.7"),
        "Late pilot",
        D("0.7"),
    )
    assert (public.went_well, public.went_wrong, public.learned) == ("a", "b", "c")


def test_the_close_out_is_written_after_the_cycle_is_closed(world: World) -> None:
    services.cycle_close(cycle=world.cycle)
    services.objective_set_retrospective(
        objective=world.public, score_override=D("0.4"), override_reason="r"
    )
    public = fresh(world.public)
    assert (public.final_score, public.score_override, public.score) == (
        D("0.3"),
        D("0.4"),
        D("0.4"),
    )


def test_removing_the_override_drops_its_reason(world: World) -> None:
    services.objective_set_retrospective(
        objective=world.public, score_override=D("0.7"), override_reason="r"
    )
    services.objective_set_retrospective(
        objective=world.public, score_override=None, override_reason="ignored"
    )
    assert (fresh(world.public).score_override, fresh(world.public).override_reason) == (None, "")


@pytest.mark.parametrize(
    ("score", "reason", "fields"),
    [
        (Decimal("0.7"), " ", {"override_reason"}),
        (Decimal("1.1"), "r", {"score_override"}),
        (Decimal("-0.1"), "", {"score_override", "override_reason"}),
    ],
)
def test_an_override_lies_in_0_to_1_and_needs_a_reason(
    world: World, score: Decimal, reason: str, fields: set[str]
) -> None:
    problems = refusal(
        lambda: services.objective_set_retrospective(
            objective=world.public, score_override=score, override_reason=reason
        )
    )
    assert set(problems) == fields


def test_alignments_survive_archiving(world: World) -> None:
    year = make_cycle(world.org, "2026", date(2026, 1, 1), date(2026, 12, 31))
    company = make_objective(year, "company", world.admin)
    services.objective_align(child=world.public, parent=company)
    services.objective_archive(objective=world.public)
    services.objective_restore(objective=world.public)
    assert Alignment.objects.filter(child=world.public, parent=company).exists()
