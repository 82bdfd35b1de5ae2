"""Milestones of a `milestones` key result: its progress is the weight of those done."""

from decimal import Decimal

from django.db import transaction

from pacer.okrs import rollup, rules
from pacer.okrs.errors import raise_if
from pacer.okrs.models import KeyResult, Milestone
from pacer.okrs.services.writable import writable_objective


def _problems(key_result: KeyResult, title: str, weight: Decimal) -> list[rules.Problem]:
    problems = rules.milestone_problems(key_result_type=key_result.type, title=title, weight=weight)
    problems += rules.texts_problems(title=title)
    # The API names the key result the milestone belongs to; the file names its `milestones`.
    return [("key_result" if f == "milestones" else f, m) for f, m in problems]


@transaction.atomic
def milestone_create(
    *, key_result: KeyResult, title: str, weight: Decimal = Decimal(1), done: bool = False
) -> Milestone:
    writable_objective(key_result.objective_id)
    raise_if(_problems(key_result, title, weight))
    milestone = Milestone.objects.create(
        key_result=key_result,
        title=title.strip(),
        weight=weight,
        done=done,
        position=key_result.milestones.count(),
    )
    rollup.refresh_after_change(key_result)
    return milestone


@transaction.atomic
def milestone_update(
    *,
    milestone: Milestone,
    title: str | None = None,
    weight: Decimal | None = None,
    done: bool | None = None,
) -> Milestone:
    key_result = milestone.key_result
    writable_objective(key_result.objective_id)
    title = milestone.title if title is None else title
    weight = milestone.weight if weight is None else weight
    raise_if(_problems(key_result, title, weight))
    milestone.title, milestone.weight = title.strip(), weight
    milestone.done = milestone.done if done is None else done
    milestone.save()
    rollup.refresh_after_change(key_result)
    return milestone


@transaction.atomic
def milestone_set_done(*, milestone: Milestone, done: bool) -> Milestone:
    key_result = milestone.key_result
    objective = writable_objective(key_result.objective_id)
    if milestone.done != done:
        milestone.done = done
        milestone.save(update_fields=["done", "updated_at"])
        rollup.refresh_after_change(key_result, objective=objective)
    return milestone


@transaction.atomic
def milestone_delete(*, milestone: Milestone) -> None:
    key_result = milestone.key_result
    writable_objective(key_result.objective_id)
    milestone.delete()
    close_position_gaps(key_result)
    rollup.refresh_after_change(key_result)


@transaction.atomic
def milestone_move(*, milestone: Milestone, offset: int) -> Milestone:
    """Move a milestone `offset` places in its key result's order (-1: up one, 1: down one).
    The history records the moved milestone's position; the others keep their order."""
    key_result = milestone.key_result
    writable_objective(key_result.objective_id)
    order = close_position_gaps(key_result)
    place = order.index(milestone.pk)
    raise_if(rules.milestone_move_problems(place=place, offset=offset, count=len(order)))
    moved = list(order)
    moved.insert(place + offset, moved.pop(place))
    for position, (pk, was) in enumerate(zip(moved, order, strict=True)):
        if pk != was and pk != milestone.pk:
            Milestone.objects.filter(pk=pk).update(position=position)
    milestone.position = place + offset
    milestone.save(update_fields=["position", "updated_at"])
    return milestone


def close_position_gaps(key_result: KeyResult) -> list[int]:
    """Number the key result's milestones 0, 1, 2... again (after one left; rows of old
    could share a position) and return their ids in order. The order stays as it was, so
    this leaves no history entry."""
    ordered = list(key_result.milestones.order_by("position", "pk").values_list("pk", "position"))
    for position, (pk, was) in enumerate(ordered):
        if was != position:
            Milestone.objects.filter(pk=pk).update(position=position)
    return [pk for pk, _ in ordered]
