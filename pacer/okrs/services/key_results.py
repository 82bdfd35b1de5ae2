"""Key results: create, change, move and delete, each under a writable objective."""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Min, QuerySet
from django.utils import timezone

from pacer.accounts.models import User
from pacer.initiatives import impacts
from pacer.okrs import progress as engine
from pacer.okrs import rollup, rules
from pacer.okrs.errors import DomainError, raise_if
from pacer.okrs.models import Cycle, KeyResult, Objective
from pacer.okrs.services.refs import new_ref
from pacer.okrs.services.writable import writable_objective

DEFINITION_FIELDS = (
    "type", "unit", "start", "target", "threshold", "low", "high", "weight", "due",
    "linked_objective", "description", "owner",
)  # fmt: skip


@dataclass(frozen=True)
class KeyResultSpec:
    """The fields of a key result as a form or file gives them (no derived values)."""

    title: str
    type: str = engine.METRIC
    unit: str = ""
    start: Decimal | None = None
    target: Decimal | None = None
    threshold: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    weight: Decimal = Decimal(1)
    due: date | None = None
    linked_objective: Objective | None = None
    description: str = ""
    owner: User | None = None


def spec_of(kr: KeyResult) -> KeyResultSpec:
    """A key result's definition, as a spec."""
    return KeyResultSpec(title=kr.title, **{name: getattr(kr, name) for name in DEFINITION_FIELDS})


def key_result_spec(kr: KeyResult, **changes: object) -> KeyResultSpec:
    """The key result's current definition, with `changes` applied (for partial updates)."""
    return replace(spec_of(kr), **changes)  # type: ignore[arg-type]


def spec_problems(spec: KeyResultSpec, cycle: Cycle) -> list[rules.Problem]:
    texts = rules.texts_problems(title=spec.title, unit=spec.unit, description=spec.description)
    return (
        rules.text_required("title", spec.title)
        + texts
        + rules.key_result_problems(
            type=spec.type,
            start=spec.start,
            target=spec.target,
            threshold=spec.threshold,
            low=spec.low,
            high=spec.high,
            weight=spec.weight,
            due=spec.due,
            cycle_start=cycle.start,
            cycle_end=cycle.end,
            has_linked_objective=spec.linked_objective is not None,
        )
    )


def link_problems(
    objective: Objective, spec: KeyResultSpec, *, stored: KeyResult | None = None
) -> list[rules.Problem]:
    """A linked key result of `objective` may not follow an objective of another
    organization, nor close a loop of objectives following each other, nor (a new or changed
    link: not the one `stored` already has) make a chain longer than rules.MAX_LINK_DEPTH."""
    linked = spec.linked_objective
    if linked is None:
        return []
    if linked.organization_id != objective.organization_id:
        return [("linked_objective", "belongs to another organization")]

    def followed_by(objective_id: int) -> list[int]:
        return list(
            KeyResult.objects.filter(
                objective_id=objective_id, linked_objective__isnull=False
            ).values_list("linked_objective_id", flat=True)
        )

    problems = rules.link_problems(
        type=spec.type,
        objective_ref=objective.ref,
        linked_ref=linked.ref,
        closes_a_loop=rules.closes_loop(followed_by, objective.pk, linked.pk),
    )
    kept = stored is not None and (stored.objective_id, stored.linked_objective_id) == (
        objective.pk,
        linked.pk,
    )
    return problems or ([] if kept else link_depth_problems(objective, linked))


def link_depth_problems(objective: Objective, linked: Objective) -> list[rules.Problem]:
    """How long the chain through `objective` following `linked` would be: one query per
    level, at most rules.MAX_LINK_DEPTH + 1 levels each way."""

    def followers(ids: frozenset[int]) -> QuerySet[KeyResult, int]:
        return KeyResult.objects.filter(linked_objective_id__in=ids).values_list(
            "objective_id", flat=True
        )

    def followed(ids: frozenset[int]) -> QuerySet[KeyResult, int]:
        return KeyResult.objects.filter(
            objective_id__in=ids, linked_objective__isnull=False
        ).values_list("linked_objective_id", flat=True)

    limit = rules.MAX_LINK_DEPTH
    return rules.link_depth_problems(
        linked_ref=linked.ref,
        above=rules.chain_length(followers, objective.pk, limit=limit),
        below=rules.chain_length(followed, linked.pk, limit=limit),
    )


def create_from_spec(objective: Objective, spec: KeyResultSpec, position: int) -> KeyResult:
    """Insert the key result; the caller has checked `spec` and refreshes the roll-up."""
    return KeyResult.objects.create(
        organization_id=objective.organization_id,
        objective=objective,
        ref=new_ref(
            KeyResult,
            objective.organization_id,
            f"{objective.ref}-{spec.title}",
            private=objective.visibility == engine.PRIVATE,
        ),
        title=spec.title.strip(),
        description=spec.description,
        type=spec.type,
        unit=spec.unit,
        start=spec.start,
        target=spec.target,
        threshold=spec.threshold,
        low=spec.low,
        high=spec.high,
        weight=spec.weight,
        due=spec.due,
        linked_objective=spec.linked_objective,
        owner=spec.owner,
        position=position,
        current=spec.start if spec.type == engine.METRIC else None,
        # Without check-ins progress is 0 and there is no forecast: it stands at progress.
        forecast_progress=engine.ZERO,
    )


@transaction.atomic
def key_result_create(*, objective: Objective, spec: KeyResultSpec) -> KeyResult:
    objective = writable_objective(objective.pk)
    problems = spec_problems(spec, objective.cycle) + link_problems(objective, spec)
    raise_if(problems + rules.owner_problems(objective.organization_id, spec.owner))
    kr = create_from_spec(objective, spec, objective.key_results.count())
    rollup.refresh_after_change(kr)
    return kr


def _stored_checkin_problems(key_result: KeyResult, new_type: str) -> list[rules.Problem]:
    """A new type must suit the key result's stored check-ins (as the importer demands)."""
    if new_type == key_result.type:
        return []
    stored = key_result.checkins.values_list("at", "value")
    return rules.type_change_problems(new_type=new_type, stored=stored, now=timezone.now())


@transaction.atomic
def key_result_update(*, key_result: KeyResult, spec: KeyResultSpec) -> KeyResult:
    """Change a key result's definition (all its fields, as `spec` gives them)."""
    objective = writable_objective(key_result.objective_id)
    key_result = KeyResult.objects.get(pk=key_result.pk)
    problems = spec_problems(spec, objective.cycle)
    problems += link_problems(objective, spec, stored=key_result)
    if (
        spec.owner.pk if spec.owner else None
    ) != key_result.owner_id:  # a deactivated owner may stay; a new one is active
        problems += rules.owner_problems(objective.organization_id, spec.owner)
    raise_if(problems + _stored_checkin_problems(key_result, spec.type))
    for name in DEFINITION_FIELDS:
        setattr(key_result, name, getattr(spec, name))
    key_result.title = spec.title.strip()
    key_result.save()
    rollup.refresh_after_change(key_result)
    return key_result


@transaction.atomic
def key_result_move(*, key_result: KeyResult, objective: Objective) -> KeyResult:
    """Move a key result (with its check-ins) under another objective of the organization."""
    source = writable_objective(key_result.objective_id)
    target = writable_objective(objective.pk)
    if target.organization_id != source.organization_id:
        raise DomainError("belongs to another organization", "objective")
    spec = spec_of(key_result)
    problems = spec_problems(spec, target.cycle) + link_problems(target, spec)
    earliest = key_result.checkins.aggregate(first=Min("at"))["first"]
    problems += rules.earliest_checkin_problems("objective", earliest, target.cycle.start)
    raise_if([("objective" if f == "linked_objective" else f, m) for f, m in problems])
    key_result.objective = target
    key_result.position = target.key_results.count()
    key_result.save(update_fields=["objective", "position", "updated_at"])
    close_position_gaps(source)
    rollup.refresh_objective(source)
    rollup.refresh_after_change(key_result)
    return key_result


@transaction.atomic
def key_result_delete(*, key_result: KeyResult) -> None:
    objective = writable_objective(key_result.objective_id)
    supporting = impacts.supporting_ids(key_result)
    key_result.delete()
    close_position_gaps(objective)
    rollup.refresh_objective(objective)
    impacts.refresh_ids(supporting)  # the work that supported it: one goal fewer to move


@transaction.atomic
def key_result_set_miss_reason(
    *, key_result: KeyResult, miss_reason: str, miss_note: str = ""
) -> KeyResult:
    """Why a missed key result was missed (docs/review.md), set while its cycle closes
    (active) or after it closed: one of `KeyResult.MissReason`, a note required for
    "other"; only for a key result scoring below 0.7. An empty reason clears both."""
    objective = writable_objective(key_result.objective_id, allow_closed=True)
    key_result = KeyResult.objects.get(pk=key_result.pk)
    problems = rules.miss_reason_problems(
        reason=miss_reason,
        note=miss_note,
        score=key_result.score,
        reasons=KeyResult.MissReason.values,
    )
    if objective.cycle.state == Cycle.State.PLANNING:
        problems.insert(0, ("miss_reason", f"{objective.cycle.name} is still in planning"))
    raise_if(problems)
    key_result.miss_reason = miss_reason
    key_result.miss_note = miss_note.strip() if miss_reason else ""
    key_result.save(update_fields=["miss_reason", "miss_note", "updated_at"])
    return key_result


def close_position_gaps(objective: Objective) -> None:
    """Number the objective's key results 0, 1, 2... again after one left, as a file
    lists them: otherwise importing the objective's own export would renumber them. The
    order stays as it was, so this leaves no history entry (the move or delete has one)."""
    ordered = objective.key_results.order_by("position", "pk").values_list("pk", "position")
    for position, (pk, was) in enumerate(list(ordered)):
        if was != position:
            KeyResult.objects.filter(pk=pk).update(position=position)
