"""A cycle in the database as the linter reads it (`pacer lint --cycle`): its live
objectives the viewer may see (all of them for the operator), with their key results,
whether each is stale, and the objectives of the cycles around it that could be parents.

A fixed number of queries whatever the size: objectives, parents, key results, milestone
counts, stale key results, initiatives, and the parent candidates of enclosing cycles.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any

from django.db.models import Count, QuerySet

from pacer.accounts.models import User
from pacer.coach.drafts import (
    DraftCycle,
    DraftInitiative,
    DraftKeyResult,
    DraftObjective,
    Plan,
    Where,
)
from pacer.initiatives.models import Initiative
from pacer.initiatives.selectors import initiatives_visible_to
from pacer.insights.dashboards import Scope, stale
from pacer.okrs.models import Alignment, Cycle, KeyResult, Milestone, Objective, Team
from pacer.okrs.selectors import objectives_visible_to

# What `draft` and `kr_draft` read: loading only these halves the time of a big cycle, and
# key results come as plain rows (building 10,000 model instances took 0.35 s).
DRAFTED_OBJECTIVE_FIELDS = [
    "ref",
    "title",
    "description",
    "kind",
    "cycle__ref",
    "team__ref",
    "owner__email",
    "owner__is_active",
]
DRAFTED_KEY_RESULT_FIELDS = [
    "id",
    "objective_id",
    "ref",
    "title",
    "type",
    "description",
    "unit",
    "start",
    "target",
    "threshold",
    "low",
    "high",
    "due",
]


def plan_of_cycle(cycle: Cycle, viewer: User | None, *, now: datetime, zone: tzinfo) -> Plan:
    around = enclosing_cycles(cycle)
    candidates = list(
        live_objectives_of(around, viewer)
        .select_related("owner", "team")
        .only(*DRAFTED_OBJECTIVE_FIELDS)
        .order_by("ref")
    )
    candidate_krs = key_result_rows([o.pk for o in candidates])
    return replace(
        objectives_plan(cycle, viewer, now=now, zone=zone),
        initiatives=initiative_drafts(cycle, viewer),
        cycles={c.ref: DraftCycle(c.ref, c.start, c.end) for c in [cycle, *around]},
        context=tuple(
            draft(o, (), tuple(kr_draft(o.ref, kr) for kr in candidate_krs.get(o.pk, ())))
            for o in candidates
        ),
    )


def objectives_plan(cycle: Cycle, viewer: User | None, *, now: datetime, zone: tzinfo) -> Plan:
    """The cycle's objectives with their key results, without the initiatives and the
    parent candidates around the cycle: what a plan score judges (those serve only
    initiatives' dates and `suggest-parent`, which count in no objective's score)."""
    objectives = list(
        live_objectives(cycle, viewer)
        .select_related("owner", "team")
        .only(*DRAFTED_OBJECTIVE_FIELDS)
        .order_by("ref")
    )
    parents = parent_refs([o.pk for o in objectives])
    key_results = key_results_of(objectives, cycle, now=now, zone=zone)
    return Plan(
        objectives=tuple(
            draft(o, parents.get(o.pk, ()), key_results.get(o.pk, ())) for o in objectives
        ),
        cycles={cycle.ref: DraftCycle(cycle.ref, cycle.start, cycle.end)},
        top_teams=frozenset(
            Team.objects.filter(
                organization_id=cycle.organization_id, parent__isnull=True
            ).values_list("ref", flat=True)
        ),
    )


def live_objectives(cycle: Cycle, viewer: User | None) -> QuerySet[Objective]:
    return live_objectives_of([cycle], viewer)


def live_objectives_of(cycles: list[Cycle], viewer: User | None) -> QuerySet[Objective]:
    objectives = Objective.objects if viewer is None else objectives_visible_to(viewer)
    return objectives.filter(cycle__in=cycles, archived_at__isnull=True).select_related("cycle")


def neighbours(
    cycle: Cycle,
    viewer: User,
    *,
    leaving_out: Objective | None = None,
    keep: Callable[[str, str, str], bool] | None = None,
) -> tuple[DraftObjective, ...]:
    """The cycle's live objectives `viewer` sees, with only what the rules comparing
    objectives read (title, team, owner), in one query: the editor's hints run on each
    keystroke, in cycles of thousands. `leaving_out` is the objective being edited;
    `keep(title, team, owner)` picks the ones worth a draft before any is built."""
    objectives = live_objectives(cycle, viewer)
    if leaving_out is not None:
        objectives = objectives.exclude(pk=leaving_out.pk)
    rows = objectives.order_by("ref").values_list(
        "ref", "title", "team__ref", "owner__email", "owner__is_active"
    )
    found = (
        (ref, title, team or "", email if active else "")
        for ref, title, team, email, active in rows
    )
    return tuple(
        DraftObjective(
            title=title,
            where=Where("objective", ref=ref),
            ref=ref,
            cycle=cycle.ref,
            team=team,
            owner=owner,
        )
        for ref, title, team, owner in found
        if keep is None or keep(title, team, owner)
    )


def enclosing_cycles(cycle: Cycle) -> list[Cycle]:
    """The organization's other cycles whose dates hold this one's start (a year around a
    quarter): their objectives may be parents."""
    return list(
        Cycle.objects.filter(
            organization_id=cycle.organization_id, start__lte=cycle.start, end__gte=cycle.start
        ).exclude(pk=cycle.pk)
    )


def parent_refs(objective_ids: list[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = defaultdict(list)
    links = Alignment.objects.filter(child_id__in=objective_ids).values_list(
        "child_id", "parent__ref"
    )
    for child_id, ref in links:
        found[child_id].append(ref)
    return {child: tuple(refs) for child, refs in found.items()}


def key_results_of(
    objectives: list[Objective], cycle: Cycle, *, now: datetime, zone: tzinfo
) -> dict[int, tuple[DraftKeyResult, ...]]:
    ids = [o.pk for o in objectives]
    counts = dict(
        Milestone.objects.filter(key_result__objective_id__in=ids)
        .values_list("key_result_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    stale_ids = set(
        KeyResult.objects.filter(objective_id__in=ids)
        .filter(stale(Scope(cycle), now=now, zone=zone))
        .values_list("pk", flat=True)
    )
    refs = {o.pk: o.ref for o in objectives}
    return {
        objective_id: tuple(
            kr_draft(refs[objective_id], kr, kr["id"] in stale_ids, counts.get(kr["id"], 0))
            for kr in rows
        )
        for objective_id, rows in key_result_rows(ids).items()
    }


def key_result_rows(objective_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The key results of these objectives as plain rows, in their order, by objective."""
    rows = (
        KeyResult.objects.filter(objective_id__in=objective_ids)
        .order_by("position", "id")
        .values(*DRAFTED_KEY_RESULT_FIELDS)
    )
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[row["objective_id"]].append(row)
    return found


def kr_draft(
    objective_ref: str, kr: dict[str, Any], stale: bool = False, milestones: int = 0
) -> DraftKeyResult:
    return DraftKeyResult(
        title=kr["title"],
        type=kr["type"],
        where=Where(f"key_results.{kr['ref']}", ref=objective_ref),
        description=kr["description"],
        unit=kr["unit"],
        start=kr["start"],
        target=kr["target"],
        threshold=kr["threshold"],
        low=kr["low"],
        high=kr["high"],
        due=kr["due"],
        milestones=milestones,
        stale=stale,
    )


def draft(
    objective: Objective, parents: tuple[str, ...], key_results: tuple[DraftKeyResult, ...]
) -> DraftObjective:
    owner = objective.owner
    return DraftObjective(
        title=objective.title,
        where=Where("objective", ref=objective.ref),
        ref=objective.ref,
        description=objective.description,
        cycle=objective.cycle.ref,
        team=objective.team.ref if objective.team else "",
        owner=owner.email if owner is not None and owner.is_active else "",
        kind=objective.kind,
        parents=parents,
        key_results=key_results,
    )


def initiative_drafts(cycle: Cycle, viewer: User | None) -> tuple[DraftInitiative, ...]:
    work = Initiative.objects if viewer is None else initiatives_visible_to(viewer)
    rows = work.filter(cycle=cycle).order_by("ref").values_list("ref", "title", "start", "due")
    return tuple(
        DraftInitiative(title, Where("initiative", ref=ref), cycle.ref, start, due)
        for ref, title, start, due in rows
    )
