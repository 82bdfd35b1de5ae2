"""Objectives: create, edit, copy, archive, restore, and the close-out of one objective."""

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from pacer.accounts.models import User
from pacer.events import kinds as event_kinds
from pacer.events import record as events
from pacer.okrs import history, rollup, rules, selectors
from pacer.okrs import progress as engine
from pacer.okrs.errors import DomainError, raise_if
from pacer.okrs.models import Alignment, Cycle, KeyResult, Milestone, Objective, Team
from pacer.okrs.services.alignments import align_all
from pacer.okrs.services.key_results import (
    KeyResultSpec,
    create_from_spec,
    link_problems,
    spec_of,
    spec_problems,
)
from pacer.okrs.services.refs import new_ref
from pacer.okrs.services.writable import ensure_cycle_open, writable_objective


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
    visibility: str = engine.PUBLIC,
    parents: Sequence[Objective] = (),
    key_results: Sequence[KeyResultSpec] = (),
) -> Objective:
    """An objective with its key results and alignments, all or nothing.

    `ref` is kept as given for a public objective (refused if taken); a private objective's
    ref, chosen or made from the title, gets a random tail (services/refs.py)."""
    ensure_cycle_open(cycle)
    problems = rules.objective_problems(title=title, kind=kind, visibility=visibility)
    problems += rules.texts_problems(title=title, description=description)
    problems += rules.organization_problems(cycle.organization_id, owner=owner, team=team)
    org_id, private = cycle.organization_id, visibility == engine.PRIVATE
    for index, spec in enumerate(key_results):
        spec_found = spec_problems(spec, cycle) + rules.owner_problems(org_id, spec.owner)
        problems += [(f"key_results-{index}-{f}", m) for f, m in spec_found]
    # Used as given only for a public objective: a private one's ref gets a random tail.
    as_given = "" if private else slugify(ref)
    if as_given:
        problems += ref_problems(org_id, as_given)
    raise_if(problems)
    objective = Objective.objects.create(
        organization_id=org_id,
        cycle=cycle,
        ref=as_given or new_ref(Objective, org_id, slugify(ref) or title, private=private),
        title=title.strip(),
        description=description,
        owner=owner,
        team=team,
        kind=kind,
        visibility=visibility,
    )
    for index, spec in enumerate(key_results):
        links = link_problems(objective, spec)
        raise_if([(f"key_results-{index}-{f}", m) for f, m in links])
        kr = create_from_spec(objective, spec, index)
        if kr.type in engine.DERIVED_TYPES:  # milestones count, linked follow: derive now
            rollup.refresh_key_result(kr)
    align_all(objective, parents)
    rollup.refresh_objective(objective)
    events.objective_event(event_kinds.OBJECTIVE_CREATED, objective)
    for parent in parents:
        events.alignment_event(event_kinds.OBJECTIVE_ALIGNED, objective, parent)
    return objective


def ref_problems(organization_id: int, ref: str) -> list[rules.Problem]:
    """A chosen ref must be free. Whoever holds it, the answer is the same; and since
    private objectives hold refs with a random tail (services/refs.py), a plain ref that is
    taken names an objective created public, which the whole organization was shown."""
    if Objective.objects.filter(organization_id=organization_id, ref=ref).exists():
        return [("ref", f"{ref} is already taken in this organization")]
    return []


def owner_change_problems(objective: Objective, owner: User) -> list[rules.Problem]:
    """A new owner must be active; the current one may stay even if deactivated since."""
    if owner.pk == objective.owner_id:
        return []
    return rules.owner_problems(objective.organization_id, owner)


def parents_hidden_from(editor: User | None, objective: Objective) -> list[Objective]:
    """The objective's parents that `editor` cannot see: an edit keeps them as they are."""
    current = list(objective.parents.all())
    if editor is None:
        return []
    visible = set(
        selectors.objectives_visible_to(editor)
        .filter(pk__in=[p.pk for p in current])
        .values_list("pk", flat=True)
    )
    return [p for p in current if p.pk not in visible]


@transaction.atomic
def objective_update(
    *,
    objective: Objective,
    version: str,
    title: str,
    description: str = "",
    team: Team | None = None,
    kind: str = engine.ASPIRATIONAL,
    visibility: str = engine.PUBLIC,
    parents: Sequence[Objective] = (),
    editor: User | None = None,
    owner: User | None = None,
) -> Objective:
    """Change an objective's wording, team, kind, visibility, parents and (if `owner` is
    given) owner: an active person of the organization.

    `parents` are the ones `editor` chose among those they may see; parents hidden from the
    editor stay. `version` is `selectors.objective_version` as the form showed it to
    `editor`; if the objective changed since, nothing is written and the DomainError says so
    (field `version`).
    """
    objective = writable_objective(objective.pk)
    if version != selectors.objective_version(objective, editor):
        raise DomainError(
            "someone else changed this objective after you opened the form; your input is "
            "kept below: compare it with the current values and save again",
            "version",
        )
    raise_if(
        rules.objective_problems(title=title, kind=kind, visibility=visibility)
        + rules.texts_problems(title=title, description=description)
        + rules.organization_problems(objective.organization_id, team=team)
        + (owner_change_problems(objective, owner) if owner else [])
    )
    objective.title, objective.description = title.strip(), description
    objective.owner = owner or objective.owner
    objective.team, objective.kind, objective.visibility = team, kind, visibility
    objective.save()
    parents = [*parents, *parents_hidden_from(editor, objective)]
    lost = Alignment.objects.filter(child=objective).exclude(parent__in=parents)
    lost_parents = [alignment.parent for alignment in lost.select_related("parent")]
    lost.delete()
    kept = set(Alignment.objects.filter(child=objective).values_list("parent_id", flat=True))
    align_all(objective, parents)
    events.objective_event(event_kinds.OBJECTIVE_UPDATED, objective, actor=editor)
    for parent in lost_parents:
        events.alignment_event(event_kinds.OBJECTIVE_UNALIGNED, objective, parent, actor=editor)
    for parent in parents:
        if parent.pk not in kept:
            events.alignment_event(event_kinds.OBJECTIVE_ALIGNED, objective, parent, actor=editor)
    return objective


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
    Alignments come along where the parent's cycle still encloses the new one. The source
    may be closed or archived: carrying an objective over to the next cycle is the point.
    """
    raise_if(rules.organization_problems(objective.organization_id, cycle=cycle))
    if any(kr.objective_id != objective.pk for kr in key_results):
        raise DomainError("only key results of the copied objective can come along", "key_results")
    # A due date of the old cycle would lie outside the new one.
    # A deactivated key result owner does not come along (a new key result's is active).
    specs = [replace(spec_of(kr), due=None, owner=active_or_none(kr.owner)) for kr in key_results]
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


def active_or_none(person: User | None) -> User | None:
    return person if person is not None and person.is_active else None


@transaction.atomic
def objective_archive(*, objective: Objective) -> Objective:
    objective = writable_objective(objective.pk, allow_archived=True)
    if objective.archived_at is None:
        objective.archived_at = timezone.now()
        objective.save(update_fields=["archived_at", "updated_at"])
    return objective


@transaction.atomic
def objective_restore(*, objective: Objective) -> Objective:
    objective = writable_objective(objective.pk, allow_archived=True)
    if objective.archived_at is not None:
        objective.archived_at = None
        objective.save(update_fields=["archived_at", "updated_at"])
    return objective


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

    Allowed while the cycle is open (preparing the close) and after it is closed; an
    archived objective is restored first.
    """
    objective = writable_objective(objective.pk, allow_closed=True)
    raise_if(
        rules.override_problems(score_override=score_override, reason=override_reason)
        + rules.texts_problems(
            override_reason=override_reason,
            went_well=went_well,
            went_wrong=went_wrong,
            learned=learned,
        )
    )
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
