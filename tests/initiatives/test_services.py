"""The initiatives services: rules by field with nothing written, who may change what,
visibility, and the roll-up into key results of type `initiatives`."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from pacer.initiatives import selectors, services
from pacer.initiatives.models import Initiative, Task
from pacer.initiatives.services import InitiativeSpec
from pacer.okrs import services as okr_services
from pacer.okrs.models import KeyResult
from tests.factories import World, fresh, make_key_result, make_world, refusal

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> World:
    return make_world()


def work_kr(world: World) -> KeyResult:
    """A key result of type `initiatives` beside `adoption` (weight 1 each)."""
    return make_key_result(world.public, "work", type="initiatives", title="Ship the projects")


def start(world: World, title: str = "Migrate billing", **fields: Any) -> Initiative:
    spec = InitiativeSpec(title=title, owner=fields.pop("owner", world.owner), **fields)
    return services.initiative_create(cycle=world.cycle, spec=spec, by=fields.get("by"))


def test_tasks_move_the_initiative_and_the_key_result_and_its_objective(world: World) -> None:
    kr = work_kr(world)
    billing = start(world, key_results=[kr, world.adoption])
    tasks = [services.task_create(initiative=billing, title=f"Step {n}") for n in range(4)]
    services.task_set_done(task=tasks[0], done=True)
    assert fresh(billing).progress == Decimal("0.25")
    assert fresh(kr).progress == Decimal("0.25")
    services.task_set_done(task=tasks[1], done=True)
    other = start(world, "Retire the old API", key_results=[kr], status="done")
    # mean of 0.5 and 1 (no tasks, done); adoption stays at its own 30/90
    assert fresh(kr).progress == Decimal("0.75")
    assert fresh(world.public).progress == (
        ((Decimal(30) / 90).quantize(Decimal("1e-12")) + Decimal("0.75")) / 2
    ).quantize(Decimal("1e-12"))
    services.initiative_set_status(initiative=other, status="cancelled", note="Dropped")
    assert fresh(kr).progress == Decimal("0.5")
    services.initiative_delete(initiative=billing)
    assert fresh(kr).progress == 0  # only a cancelled one is left
    assert fresh(kr).current == 0


def test_bad_input_names_the_field_and_writes_nothing(world: World) -> None:
    problems = refusal(
        lambda: start(world, " ", status="stalled", start=date(2026, 5, 2), due=date(2026, 5, 1))
    )
    assert set(problems) == {"title", "status", "due"}
    assert not Initiative.objects.exists()
    foreign_kr = make_key_result(world.foreign, "globex-kr")
    assert "key_results[0]" in refusal(lambda: start(world, key_results=[foreign_kr]))
    assert "owner" in refusal(lambda: start(world, owner=world.stranger))
    billing = start(world)
    problems = refusal(lambda: services.task_create(initiative=billing, title="\x00"))
    assert set(problems) == {"title"}
    assert "assignee" in refusal(
        lambda: services.task_create(initiative=billing, title="Ok", assignee=world.stranger)
    )


def test_a_closed_cycle_freezes_its_work(world: World) -> None:
    billing = start(world)
    task = services.task_create(initiative=billing, title="Step")
    okr_services.cycle_close(cycle=world.cycle)
    billing, task = fresh(billing), fresh(task)
    for call in (
        lambda: services.task_set_done(task=task, done=True),
        lambda: services.task_create(initiative=billing, title="More"),
        lambda: services.initiative_set_status(initiative=billing, status="done"),
        lambda: services.initiative_delete(initiative=billing),
    ):
        assert set(refusal(call)) == {"cycle"}


def test_work_under_a_private_objective_is_private_the_same_way(world: World) -> None:
    secret = start(world, "Due diligence", key_results=[world.secret_kr])
    open_work = start(world, "Public work", key_results=[world.adoption])
    loose = start(world, "Not tied to a goal yet")
    for person, expected in (
        (world.outsider, {open_work, loose}),
        (world.teammate, {open_work, loose, secret}),
        (world.admin, {open_work, loose, secret}),
        (world.stranger, set()),
    ):
        assert set(selectors.initiatives_visible_to(person)) == expected, person
    assert secret.ref.startswith("due-diligence-") and secret.ref != "due-diligence"
    assert open_work.ref == "public-work"


def test_who_may_change_work(world: World) -> None:
    billing = start(world, key_results=[world.adoption], owner=world.outsider)
    task = services.task_create(initiative=billing, title="Step", assignee=world.teammate)
    with pytest.raises(PermissionDenied):
        services.task_create(initiative=billing, title="x", by=world.stranger)
    # the owner, an editor of a supported objective (teammate), admins: yes
    for person in (world.outsider, world.teammate, world.admin):
        services.initiative_set_status(initiative=billing, status="in_progress", by=person)
    loose = start(world, "Loose", owner=world.admin)
    with pytest.raises(PermissionDenied):
        services.initiative_set_status(initiative=loose, status="done", by=world.outsider)
    # the assignee ticks their task, even where they may not change the initiative
    lonely = services.task_create(initiative=loose, title="Mine", assignee=world.outsider)
    services.task_set_done(task=lonely, done=True, by=world.outsider)
    assert fresh(lonely).done and fresh(task).done is False


def test_tasks_keep_their_order_when_moved_and_deleted(world: World) -> None:
    billing = start(world)
    a, b, c = (services.task_create(initiative=billing, title=t) for t in "abc")
    services.task_move(task=c, offset=-2)
    assert [t.title for t in billing.tasks.all()] == ["c", "a", "b"]
    services.task_delete(task=a)
    assert list(Task.objects.values_list("title", "position")) == [("c", 0), ("b", 1)]
    assert "position" in refusal(lambda: services.task_move(task=fresh(b), offset=1))


def test_the_work_list_is_ordered_by_impact(world: World) -> None:
    kr = work_kr(world)  # adoption (1/2 weight, at 1/3) and work (1/2, at 0 then more)
    a = start(world, "Adoption push", key_results=[world.adoption], due=date(2026, 6, 1))
    b = start(world, "Both", key_results=[world.adoption, kr])
    c = start(world, "Done already", key_results=[kr], status="done")
    listed = selectors.by_impact(
        list(selectors.with_work(Initiative.objects.all())), date(2026, 6, 2)
    )
    assert [w.initiative.title for w in listed] == ["Both", "Adoption push", "Done already"]
    assert listed[1].overdue and not listed[0].overdue
    assert listed[2].impact == 0
    assert {w.initiative for w in listed} == {a, b, c}


def test_unfinished_work_is_carried_over_to_the_next_cycle_once(world: World) -> None:
    kr = work_kr(world)
    billing = start(world, key_results=[kr, world.adoption], status="in_progress")
    done_task = services.task_create(initiative=billing, title="Plan", assignee=world.teammate)
    services.task_set_done(task=done_task, done=True)
    services.task_create(initiative=billing, title="Move invoices", assignee=world.teammate)
    cancelled = start(world, "Dropped", status="cancelled")
    assert "cycle" in refusal(lambda: services.initiative_carry_over(initiative=billing))
    okr_services.cycle_close(cycle=world.cycle)
    planned = okr_services.cycle_plan_next(
        cycle=world.cycle, carry=[(world.public, [world.adoption])]
    )
    copy = services.initiative_carry_over(initiative=fresh(billing), by=world.owner)
    assert copy.cycle == planned.cycle and copy.carried_from == billing
    assert (copy.status, copy.title) == ("in_progress", "Migrate billing")
    assert [(t.title, t.assignee, t.done) for t in copy.tasks.all()] == [
        ("Move invoices", world.teammate, False)
    ]
    # the copied objective's adoption key result; `work` was not carried, so it is not there
    assert [k.objective for k in copy.key_results.all()] == [planned.copies[0]]
    assert fresh(billing).progress == Decimal("0.5")  # the original is as it was closed
    assert "cycle" in refusal(lambda: services.initiative_carry_over(initiative=fresh(billing)))
    assert "status" in refusal(lambda: services.initiative_carry_over(initiative=cancelled))


def test_the_database_orders_work_as_the_engine_does(world: World) -> None:
    """in_work_order (the Work page's order, sorted by the database on the stored impact)
    equals by_impact (the engine in Python) on work with ties that exact arithmetic makes
    and floating point would not (0.1 + 0.2 against 0.3), weights of 0, progress over 1,
    closed work, and missing due dates; and the stored impact is the engine's, rounded to
    the places it orders by."""
    import random

    from pacer.okrs import progress as engine
    from tests.factories import make_objective

    rng = random.Random(13)
    key_results = []
    for n in range(6):
        objective = make_objective(world.cycle, f"goal-{n}", world.owner, title=f"Goal {n}")
        for m in range(rng.randint(1, 3)):
            kr = make_key_result(objective, f"kr-{n}-{m}", weight=Decimal(rng.choice("01123")))
            progress = Decimal(rng.choice(["0", "0.1", "0.2", "0.3", "0.7", "0.9", "1", "1.2"]))
            KeyResult.objects.filter(pk=kr.pk).update(progress=progress)
            key_results.append(kr)
    for n in range(40):
        start(
            world,
            f"Work {n:02d}",
            status=rng.choice(engine.INITIATIVE_STATUSES),
            due=rng.choice([None, date(2026, 5, 1), date(2026, 6, 1)]),
            key_results=rng.sample(key_results, rng.randint(0, 3)),
        )
    listed = selectors.by_impact(list(selectors.with_work(Initiative.objects.all())), date.today())
    ranked = selectors.in_work_order(Initiative.objects.all())
    assert list(ranked.values_list("pk", flat=True)) == [w.initiative.pk for w in listed]
    stored = dict(ranked.values_list("pk", "impact"))
    for work in listed:
        assert stored[work.initiative.pk] == engine.impact_rank(work.impact)
    ties = {w.impact.quantize(Decimal("1e-9")) for w in listed if w.impact}
    assert len(ties) < len([w for w in listed if w.impact])  # the data has ties to order


def stored_and_computed(*initiatives: Initiative) -> list[tuple[Decimal, Decimal]]:
    """Each initiative's stored impact beside the engine's (rounded as lists order)."""
    from pacer.okrs import progress as engine

    rows = selectors.with_work(Initiative.objects.filter(pk__in=[i.pk for i in initiatives]))
    listed = {w.initiative.pk: w for w in selectors.by_impact(list(rows), date.today())}
    return [(fresh(i).impact, engine.impact_rank(listed[i.pk].impact)) for i in initiatives]


def test_the_stored_impact_follows_every_input(world: World) -> None:
    """Whatever write moves an input of the impact (a check-in, a key result's weight, a key
    result added or deleted, the initiative's status or key results), the stored impact is
    the engine's afterwards."""
    from datetime import UTC, datetime

    from pacer.okrs.services.key_results import key_result_spec

    second = make_key_result(world.public, "second", title="Second")
    billing = start(world, key_results=[world.adoption])
    other = start(world, "Retire the old API", key_results=[world.adoption, second])

    def agrees() -> None:
        pairs = stored_and_computed(billing, other)
        assert all(stored == computed for stored, computed in pairs), pairs

    agrees()
    assert fresh(billing).impact > 0
    at = datetime(2026, 5, 1, 9, tzinfo=UTC)
    okr_services.checkin_create(key_result=world.adoption, value=Decimal(60), at=at)
    agrees()
    extra = make_key_result(world.public, "extra", title="Extra")  # W_k grows
    agrees()
    okr_services.key_result_update(key_result=extra, spec=key_result_spec(extra, weight=Decimal(3)))
    agrees()
    services.initiative_set_status(initiative=billing, status="done", note="Shipped")
    agrees()
    assert fresh(billing).impact == 0
    okr_services.key_result_delete(key_result=fresh(world.adoption))
    agrees()
    services.initiative_update(
        initiative=fresh(other), spec=services.spec_of(fresh(other), key_results=[extra])
    )
    agrees()


def test_recompute_reports_and_fixes_a_stale_impact(world: World) -> None:
    from django.core.management.base import CommandError

    from tests.factories import run_command

    billing = start(world, key_results=[world.adoption])
    right = fresh(billing).impact
    Initiative.objects.filter(pk=billing.pk).update(impact=Decimal("0.5"))
    with pytest.raises(CommandError):
        run_command("recompute", "--check")
    assert f"initiative {billing.ref}: impact is 0.500000000, computed {right}" in run_command(
        "recompute"
    )
    assert fresh(billing).impact == right
    assert "all stored values are up to date" in run_command("recompute", "--check")
