"""Writes. Each is `<thing>_<action>`, keyword-only, atomic, and keeps stored progress true.

Views, API endpoints, CLI commands and the importer call these; none writes models itself.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from pacer.accounts.models import User
from pacer.okrs import history, rollup, rules
from pacer.okrs import progress as engine
from pacer.okrs.errors import DomainError, raise_if
from pacer.okrs.models import (
    Alignment,
    CheckIn,
    Cycle,
    KeyResult,
    Milestone,
    Objective,
    Organization,
    Team,
)


def _lock_objective(objective_id: int) -> Objective:
    """Serialize writes that roll up into one objective (no lost sibling updates).

    Only the objective's row is locked (`of`); its cycle comes along for the closed check.
    """
    return (
        Objective.objects.select_for_update(of=("self",))
        .select_related("cycle")
        .get(pk=objective_id)
    )


def _ensure_open(cycle: Cycle) -> None:
    if cycle.is_closed:
        raise DomainError(f"the cycle {cycle.name} is closed; its numbers are frozen", "cycle")


@transaction.atomic
def checkin_create(
    *,
    key_result: KeyResult,
    value: Decimal | None,
    confidence: str = "",
    note: str = "",
    author: User | None = None,
    at: datetime | None = None,
) -> CheckIn:
    objective = _lock_objective(key_result.objective_id)
    ensure_writable(objective)
    now = timezone.now()
    at = at or now
    raise_if(
        rules.checkin_problems(
            type=key_result.type, value=value, confidence=confidence, at=at, now=now
        )
    )
    checkin = CheckIn.objects.create(
        key_result=key_result,
        value=value,
        confidence=confidence or "",
        note=note or "",
        author=author,
        at=at,
    )
    rollup.refresh_after_change(key_result, objective=objective)
    return checkin


@transaction.atomic
def checkin_delete(*, checkin: CheckIn) -> None:
    key_result = checkin.key_result
    objective = _lock_objective(key_result.objective_id)
    ensure_writable(objective)
    checkin.delete()
    rollup.refresh_after_change(key_result, objective=objective)


@transaction.atomic
def milestone_set_done(*, milestone: Milestone, done: bool) -> Milestone:
    key_result = milestone.key_result
    objective = _lock_objective(key_result.objective_id)
    ensure_writable(objective)
    if milestone.done != done:
        milestone.done = done
        milestone.save(update_fields=["done", "updated_at"])
        rollup.refresh_after_change(key_result, objective=objective)
    return milestone


def alignment_problems(*, child: Objective, parent: Objective) -> list[rules.Problem]:
    """Why `child` may not support `parent`: other organization, wrong cycle, or a loop."""
    if parent.organization_id != child.organization_id:
        return [("parents", f"{parent.ref} belongs to another organization")]
    if not parent.cycle.encloses(child.cycle):
        return [
            (
                "parents",
                f"{parent.ref} is in cycle {parent.cycle.ref}, which does not contain "
                f"{child.cycle.ref}",
            )
        ]

    def parents_of(objective_id: int) -> list[int]:
        return list(
            Alignment.objects.filter(child_id=objective_id).values_list("parent_id", flat=True)
        )

    if rules.closes_loop(parents_of, child.pk, parent.pk):
        return [("parents", f"aligning {child.ref} to {parent.ref} would make a loop")]
    return []


@transaction.atomic
def objective_align(*, child: Objective, parent: Objective) -> Alignment:
    raise_if(alignment_problems(child=child, parent=parent))
    alignment, created = Alignment.objects.get_or_create(child=child, parent=parent)
    if created:
        _touch(child)
    return alignment


@transaction.atomic
def objective_unalign(*, child: Objective, parent: Objective) -> None:
    deleted, _ = Alignment.objects.filter(child=child, parent=parent).delete()
    if deleted:
        _touch(child)


def _touch(objective: Objective) -> None:
    """Parents are part of an objective: changing them is a change (incremental sync)."""
    Objective.objects.filter(pk=objective.pk).update(updated_at=timezone.now())


@transaction.atomic
def cycle_close(*, cycle: Cycle) -> Cycle:
    """Freeze the cycle's numbers: each objective's and key result's score at this moment."""
    if cycle.is_closed:
        return cycle
    objectives = list(Objective.objects.select_for_update().filter(cycle=cycle).order_by("pk"))
    key_results = list(KeyResult.objects.filter(objective__cycle=cycle))
    for rows in (objectives, key_results):
        _set_final_scores(rows, [engine.score(row.progress) for row in rows])
    cycle.state = Cycle.State.CLOSED
    cycle.closed_at = timezone.now()
    cycle.save(update_fields=["state", "closed_at", "updated_at"])
    return cycle


@transaction.atomic
def cycle_reopen(*, cycle: Cycle, state: str = Cycle.State.ACTIVE) -> Cycle:
    """Reopen a closed cycle: its numbers follow check-ins again; overrides are kept."""
    objectives = list(Objective.objects.select_for_update().filter(cycle=cycle).order_by("pk"))
    key_results = list(KeyResult.objects.filter(objective__cycle=cycle))
    for rows in (objectives, key_results):
        _set_final_scores(rows, [None] * len(rows))
    cycle.state = state
    cycle.closed_at = None
    cycle.save(update_fields=["state", "closed_at", "updated_at"])
    return cycle


def _set_final_scores(rows: Sequence[Any], scores: Sequence[Decimal | None]) -> None:
    """Store each row's frozen score in one statement, with one history entry per change."""
    changes = {}
    for row, score in zip(rows, scores, strict=True):
        if row.final_score != score:
            changes[row.pk] = {"final_score": (row.final_score, score)}
        row.final_score = score
    changed = [row for row in rows if row.pk in changes]
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["final_score"], batch_size=500)
        history.log_bulk("update", changed, changes)


# --- Objectives and key results: create, edit, move, copy, archive, close-out ------------
# Added for the web app's quick create/edit flow; every entry point may use them.


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


def unique_ref(model: type[Objective] | type[KeyResult], organization_id: int, base: str) -> str:
    """A slug from `base`, unique in the organization: `base`, `base-2`, `base-3`, ..."""
    stem = slugify(base)[:90].strip("-") or model.__name__.lower()
    taken = set(
        model.objects.filter(organization_id=organization_id, ref__startswith=stem).values_list(
            "ref", flat=True
        )
    )
    ref, n = stem, 2
    while ref in taken:
        ref, n = f"{stem}-{n}", n + 1
    return ref


def objective_version(objective: Objective) -> str:
    """A fingerprint of what an edit form shows; a stale form carries an older one.

    Check-ins change `updated_at` (stored progress) but not this fingerprint, so someone
    checking in while another person edits the wording is not a conflict.
    """
    # .all(): a list endpoint prefetches the links, so versions cost no query per objective.
    parent_ids = sorted(link.parent_id for link in objective.parent_links.all())
    fields = (
        objective.title,
        objective.description,
        objective.team_id,
        objective.kind,
        objective.visibility,
        objective.owner_id,
        parent_ids,
    )
    text = "\x1f".join(str(value) for value in fields)  # str: enum members equal raw values
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _spec_problems(spec: KeyResultSpec, cycle: Cycle) -> list[rules.Problem]:
    problems = [] if spec.title.strip() else [("title", "is required")]
    return problems + rules.key_result_problems(
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


def _key_result_from_spec(objective: Objective, spec: KeyResultSpec, position: int) -> KeyResult:
    return KeyResult.objects.create(
        organization_id=objective.organization_id,
        objective=objective,
        ref=unique_ref(KeyResult, objective.organization_id, f"{objective.ref}-{spec.title}"),
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
        position=position,
        current=spec.start if spec.type == engine.METRIC else None,
    )


def _objective_problems(*, title: str, cycle: Cycle, kind: str, visibility: str) -> list:
    problems: list[rules.Problem] = []
    if not title.strip():
        problems.append(("title", "is required"))
    if kind not in Objective.Kind.values:
        problems.append(("kind", f"must be committed or aspirational, not {kind!r}"))
    if visibility not in Objective.Visibility.values:
        problems.append(("visibility", f"must be public or private, not {visibility!r}"))
    if cycle.is_closed:
        problems.append(("cycle", f"the cycle {cycle.name} is closed"))
    return problems


def _align_all(objective: Objective, parents: Iterable[Objective]) -> None:
    problems = [p for parent in parents for p in alignment_problems(child=objective, parent=parent)]
    raise_if(problems)
    for parent in parents:
        Alignment.objects.get_or_create(child=objective, parent=parent)


@transaction.atomic
def objective_create(
    *,
    cycle: Cycle,
    owner: User,
    title: str,
    ref: str = "",
    description: str = "",
    team: Team | None = None,
    kind: str = engine.ASPIRATIONAL,
    visibility: str = Objective.Visibility.PUBLIC,
    parents: Sequence[Objective] = (),
    key_results: Sequence[KeyResultSpec] = (),
) -> Objective:
    """An objective with its key results and alignments, all or nothing."""
    problems = _objective_problems(title=title, cycle=cycle, kind=kind, visibility=visibility)
    for index, spec in enumerate(key_results):
        problems += [(f"key_results-{index}-{f}", m) for f, m in _spec_problems(spec, cycle)]
    org_id = cycle.organization_id
    if ref and Objective.objects.filter(organization_id=org_id, ref=ref).exists():
        problems.append(("ref", f"{ref} is already taken in this organization"))
    raise_if(problems)
    objective = Objective.objects.create(
        organization_id=org_id,
        cycle=cycle,
        ref=slugify(ref) or unique_ref(Objective, org_id, title),
        title=title.strip(),
        description=description,
        owner=owner,
        team=team,
        kind=kind,
        visibility=visibility,
    )
    for position, spec in enumerate(key_results):
        kr = _key_result_from_spec(objective, spec, position)
        if kr.linked_objective_id:
            rollup.refresh_key_result(kr)
    _align_all(objective, parents)
    rollup.refresh_objective(objective)
    return objective


@transaction.atomic
def objective_update(
    *,
    objective: Objective,
    version: str,
    title: str,
    description: str = "",
    team: Team | None = None,
    kind: str = engine.ASPIRATIONAL,
    visibility: str = Objective.Visibility.PUBLIC,
    parents: Sequence[Objective] = (),
) -> Objective:
    """Change an objective's wording, team, kind, visibility and parents.

    `version` is `objective_version` as the form showed it; if the objective changed since,
    nothing is written and the DomainError says so (field `version`).
    """
    objective = _lock_objective(objective.pk)
    if version != objective_version(objective):
        raise DomainError(
            "someone else changed this objective after you opened the form; your input is "
            "kept below: compare it with the current values and save again",
            "version",
        )
    raise_if(
        _objective_problems(title=title, cycle=objective.cycle, kind=kind, visibility=visibility)
    )
    objective.title, objective.description = title.strip(), description
    objective.team, objective.kind, objective.visibility = team, kind, visibility
    objective.save()
    Alignment.objects.filter(child=objective).exclude(parent__in=parents).delete()
    _align_all(objective, parents)
    return objective


@transaction.atomic
def key_result_create(*, objective: Objective, spec: KeyResultSpec) -> KeyResult:
    objective = _lock_objective(objective.pk)
    _ensure_open(objective.cycle)
    raise_if(
        _spec_problems(spec, objective.cycle) + link_problems(objective, spec.linked_objective)
    )
    kr = _key_result_from_spec(objective, spec, objective.key_results.count())
    rollup.refresh_after_change(kr)
    return kr


@transaction.atomic
def key_result_move(*, key_result: KeyResult, objective: Objective) -> KeyResult:
    """Move a key result (with its check-ins) under another objective of the organization."""
    source = _lock_objective(key_result.objective_id)
    target = _lock_objective(objective.pk)
    for cycle in (source.cycle, target.cycle):
        _ensure_open(cycle)
    if target.organization_id != source.organization_id:
        raise DomainError("belongs to another organization", "objective")
    if key_result.linked_objective_id == target.pk:
        raise DomainError("a key result cannot follow its own objective", "objective")
    raise_if(
        rules.key_result_problems(
            type=key_result.type,
            start=key_result.start,
            target=key_result.target,
            threshold=key_result.threshold,
            low=key_result.low,
            high=key_result.high,
            weight=key_result.weight,
            due=key_result.due,
            cycle_start=target.cycle.start,
            cycle_end=target.cycle.end,
            has_linked_objective=key_result.linked_objective_id is not None,
        )
    )
    key_result.objective = target
    key_result.position = target.key_results.count()
    key_result.save(update_fields=["objective", "position", "updated_at"])
    rollup.refresh_objective(source)
    rollup.refresh_after_change(key_result)
    return key_result


@transaction.atomic
def objective_copy(
    *,
    objective: Objective,
    cycle: Cycle,
    key_results: Sequence[KeyResult],
    owner: User | None = None,
) -> Objective:
    """A fresh copy in `cycle` with all its properties and the chosen key results.

    Copies start over: no check-ins, milestones not done, no scores or retrospective.
    Alignments come along where the parent's cycle still encloses the new one.
    """
    if any(kr.objective_id != objective.pk for kr in key_results):
        raise DomainError("only key results of the copied objective can come along", "key_results")
    specs = [_spec_of(kr) for kr in key_results]
    parents = [p for p in objective.parents.select_related("cycle") if p.cycle.encloses(cycle)]
    copy = objective_create(
        cycle=cycle,
        owner=owner or objective.owner,
        title=objective.title,
        description=objective.description,
        team=objective.team,
        kind=objective.kind,
        visibility=objective.visibility,
        parents=parents,
        key_results=specs,
    )
    new_krs = list(copy.key_results.order_by("position"))
    for old, new in zip(key_results, new_krs, strict=True):
        history.log_created(
            Milestone.objects.bulk_create(
                Milestone(key_result=new, title=m.title, weight=m.weight, position=m.position)
                for m in old.milestones.all()
            )
        )
    return copy


def _spec_of(kr: KeyResult) -> KeyResultSpec:
    return KeyResultSpec(
        title=kr.title,
        type=kr.type,
        unit=kr.unit,
        start=kr.start,
        target=kr.target,
        threshold=kr.threshold,
        low=kr.low,
        high=kr.high,
        weight=kr.weight,
        due=None,  # a due date of the old cycle would lie outside the new one
        linked_objective=kr.linked_objective,
        description=kr.description,
    )


@transaction.atomic
def objective_archive(*, objective: Objective) -> Objective:
    objective = _lock_objective(objective.pk)
    _ensure_open(objective.cycle)
    if objective.archived_at is None:
        objective.archived_at = timezone.now()
        objective.save(update_fields=["archived_at", "updated_at"])
    return objective


@transaction.atomic
def objective_restore(*, objective: Objective) -> Objective:
    objective = _lock_objective(objective.pk)
    _ensure_open(objective.cycle)
    if objective.archived_at is not None:
        objective.archived_at = None
        objective.save(update_fields=["archived_at", "updated_at"])
    return objective


def override_problems(*, score_override: Decimal | None, reason: str) -> list[rules.Problem]:
    if score_override is None:
        return []
    problems: list[rules.Problem] = []
    if not 0 <= score_override <= 1:
        problems.append(("score_override", f"must lie between 0.0 and 1.0, not {score_override}"))
    if not reason.strip():
        problems.append(
            (
                "override_reason",
                "a final score different from the computed one needs a written reason",
            )
        )
    return problems


@transaction.atomic
def objective_set_retrospective(
    *,
    objective: Objective,
    score_override: Decimal | None,
    override_reason: str = "",
    went_well: str = "",
    went_wrong: str = "",
    learned: str = "",
) -> Objective:
    """The close-out of one objective: an optional final score with its reason, and notes.

    Allowed while the cycle is open (preparing the close) and after it is closed.
    """
    objective = _lock_objective(objective.pk)
    raise_if(override_problems(score_override=score_override, reason=override_reason))
    objective.score_override = score_override
    objective.override_reason = override_reason.strip() if score_override is not None else ""
    objective.went_well, objective.went_wrong, objective.learned = went_well, went_wrong, learned
    objective.save(
        update_fields=[
            "score_override",
            "override_reason",
            "went_well",
            "went_wrong",
            "learned",
            "updated_at",
        ]
    )
    return objective


# --- Added for the REST API (pacer/api); every entry point may use them. -----------------


def link_problems(objective: Objective, linked: Objective | None) -> list[rules.Problem]:
    """A linked key result of `objective` may not follow `linked` if that closes a loop of
    objectives following each other (progress would never settle)."""
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

    if rules.closes_loop(followed_by, objective.pk, linked.pk):
        return [("linked_objective", f"following {linked.ref} would make a loop of links")]
    return []


def read_only_problem(objective: Objective) -> rules.Problem | None:
    """Why an objective cannot change now, or None: a closed cycle, or archived."""
    if objective.cycle.is_closed:
        return ("cycle", f"the cycle {objective.cycle.name} is closed; its numbers are frozen")
    if objective.archived_at is not None:
        return ("archived", "the objective is archived: restore it to change it")
    return None


def ensure_writable(objective: Objective) -> None:
    """Closed cycles and archived objectives are read-only (restore first)."""
    problem = read_only_problem(objective)
    if problem is not None:
        raise DomainError([problem])


@transaction.atomic
def organization_update(
    *,
    organization: Organization,
    at_risk_gap: Decimal | None = None,
    off_track_gap: Decimal | None = None,
) -> Organization:
    """Change the status bands; a missing value keeps the current one."""
    at_risk = organization.at_risk_gap if at_risk_gap is None else at_risk_gap
    off_track = organization.off_track_gap if off_track_gap is None else off_track_gap
    raise_if(rules.bands_problems(at_risk_gap=at_risk, off_track_gap=off_track))
    organization.at_risk_gap, organization.off_track_gap = at_risk, off_track
    organization.save(update_fields=["at_risk_gap", "off_track_gap", "updated_at"])
    return organization


OPEN_STATES = (Cycle.State.PLANNING, Cycle.State.ACTIVE)


def _cycle_problems(
    *, start: date, end: date, state: str, cycle: Cycle | None = None
) -> list[rules.Problem]:
    problems = rules.cycle_problems(start=start, end=end)
    if state not in OPEN_STATES:
        problems.append(("state", "must be planning or active (close a cycle with close)"))
    if cycle is None or problems:
        return problems
    dues = KeyResult.objects.filter(objective__cycle=cycle, due__isnull=False)
    if dues.exclude(due__gte=start, due__lte=end).exists():
        problems.append(("start", "a key result of this cycle is due outside the new dates"))
    parents = Objective.objects.filter(child_links__child__cycle=cycle).exclude(cycle=cycle)
    if parents.exclude(cycle__start__lte=start, cycle__end__gte=end).exists():
        problems.append(("start", "an aligned parent's cycle would no longer contain this one"))
    children = Objective.objects.filter(parent_links__parent__cycle=cycle).exclude(cycle=cycle)
    if children.exclude(cycle__start__gte=start, cycle__end__lte=end).exists():
        problems.append(("end", "this cycle would no longer contain an aligned child's cycle"))
    return problems


@transaction.atomic
def cycle_create(
    *,
    organization: Organization,
    ref: str,
    name: str,
    start: date,
    end: date,
    state: str = Cycle.State.ACTIVE,
) -> Cycle:
    problems = _cycle_problems(start=start, end=end, state=state)
    if not name.strip():
        problems.append(("name", "is required"))
    if Cycle.objects.filter(organization=organization, ref=ref).exists():
        problems.append(("ref", f"{ref} is already taken in this organization"))
    raise_if(problems)
    return Cycle.objects.create(
        organization=organization, ref=ref, name=name.strip(), start=start, end=end, state=state
    )


@transaction.atomic
def cycle_update(
    *,
    cycle: Cycle,
    name: str | None = None,
    start: date | None = None,
    end: date | None = None,
    state: str | None = None,
) -> Cycle:
    """Rename, move or plan/activate an open cycle; closing goes through `cycle_close`."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _ensure_open(cycle)
    name = cycle.name if name is None else name
    start, end = start or cycle.start, end or cycle.end
    state = state or cycle.state
    problems = _cycle_problems(start=start, end=end, state=state, cycle=cycle)
    if not name.strip():
        problems.append(("name", "is required"))
    raise_if(problems)
    cycle.name, cycle.start, cycle.end, cycle.state = name.strip(), start, end, state
    cycle.save()
    return cycle


@transaction.atomic
def cycle_delete(*, cycle: Cycle) -> None:
    """Only an empty cycle goes; objectives keep theirs (archive them instead)."""
    if Objective.objects.filter(cycle=cycle).exists():
        raise DomainError("the cycle still has objectives; only an empty cycle is deleted", "cycle")
    cycle.delete()


def _stored_checkin_problems(key_result: KeyResult, new_type: str) -> list[rules.Problem]:
    """A new type must suit the key result's stored check-ins (as the importer demands)."""
    if new_type == key_result.type:
        return []
    stored = key_result.checkins.values_list("at", "value")
    return rules.type_change_problems(new_type=new_type, stored=stored, now=timezone.now())


@transaction.atomic
def key_result_update(*, key_result: KeyResult, spec: KeyResultSpec) -> KeyResult:
    """Change a key result's definition (all its fields, as `spec` gives them)."""
    objective = _lock_objective(key_result.objective_id)
    ensure_writable(objective)
    key_result = KeyResult.objects.get(pk=key_result.pk)
    problems = _spec_problems(spec, objective.cycle) + link_problems(
        objective, spec.linked_objective
    )
    raise_if(problems + _stored_checkin_problems(key_result, spec.type))
    for name in (
        "type", "unit", "start", "target", "threshold", "low", "high", "weight", "due",
        "linked_objective", "description",
    ):  # fmt: skip
        setattr(key_result, name, getattr(spec, name))
    key_result.title = spec.title.strip()
    key_result.save()
    rollup.refresh_after_change(key_result)
    return key_result


def key_result_spec(kr: KeyResult, **changes: object) -> KeyResultSpec:
    """The key result's current definition, with `changes` applied (for partial updates)."""
    current = _spec_of(kr)
    return KeyResultSpec(**{**current.__dict__, "due": kr.due, **changes})


@transaction.atomic
def key_result_delete(*, key_result: KeyResult) -> None:
    objective = _lock_objective(key_result.objective_id)
    ensure_writable(objective)
    key_result.delete()
    rollup.refresh_objective(objective)


def _milestone_problems(key_result: KeyResult, title: str, weight: Decimal) -> list[rules.Problem]:
    problems: list[rules.Problem] = []
    if key_result.type != engine.MILESTONES:
        problems.append(("key_result", "only a milestones key result has milestones"))
    if not title.strip():
        problems.append(("title", "is required"))
    if weight < 0:
        problems.append(("weight", f"must be 0 or more, not {weight}"))
    return problems


@transaction.atomic
def milestone_create(
    *, key_result: KeyResult, title: str, weight: Decimal = Decimal(1), done: bool = False
) -> Milestone:
    ensure_writable(_lock_objective(key_result.objective_id))
    raise_if(_milestone_problems(key_result, title, weight))
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
    ensure_writable(_lock_objective(key_result.objective_id))
    title = milestone.title if title is None else title
    weight = milestone.weight if weight is None else weight
    raise_if(_milestone_problems(key_result, title, weight))
    milestone.title, milestone.weight = title.strip(), weight
    milestone.done = milestone.done if done is None else done
    milestone.save()
    rollup.refresh_after_change(key_result)
    return milestone


@transaction.atomic
def milestone_delete(*, milestone: Milestone) -> None:
    key_result = milestone.key_result
    ensure_writable(_lock_objective(key_result.objective_id))
    milestone.delete()
    rollup.refresh_after_change(key_result)


@dataclass(frozen=True)
class CheckInInput:
    """One check-in of a bulk request."""

    key_result: KeyResult
    value: Decimal | None
    confidence: str = ""
    note: str = ""
    at: datetime | None = None


@transaction.atomic
def checkin_create_many(*, items: Sequence[CheckInInput], author: User | None) -> list[CheckIn]:
    """All the check-ins or none: a problem with any item (named `items[i].<field>`) writes
    nothing. Every item is checked, so the error lists all problems at once."""
    created: list[CheckIn] = []
    problems: list[rules.Problem] = []
    for index, item in enumerate(items):
        try:
            ensure_writable(item.key_result.objective)
            created.append(
                checkin_create(
                    key_result=item.key_result,
                    value=item.value,
                    confidence=item.confidence,
                    note=item.note,
                    author=author,
                    at=item.at,
                )
            )
        except DomainError as error:
            problems += [
                (f"items[{index}].{field or 'key_result'}", m) for field, m in error.problems
            ]
    raise_if(problems)
    return created
