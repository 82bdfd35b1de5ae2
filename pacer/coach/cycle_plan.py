"""A cycle in the database as the linter reads it (`pacer lint --cycle`): its live
objectives the viewer may see (all of them for the operator), with their key results,
whether each is stale, and the objectives of the cycles around it that could be parents.

A fixed number of queries whatever the size: objectives, parents, key results, milestone
counts, stale key results, initiatives, and the parent candidates of enclosing cycles.
"""

from collections import defaultdict
from datetime import datetime, tzinfo

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


def plan_of_cycle(cycle: Cycle, viewer: User | None, *, now: datetime, zone: tzinfo) -> Plan:
    objectives = list(
        live_objectives(cycle, viewer).select_related("owner", "team").order_by("ref")
    )
    around = enclosing_cycles(cycle)
    candidates = list(
        live_objectives_of(around, viewer)
        .select_related("owner", "team")
        .prefetch_related("key_results")
        .order_by("ref")
    )
    parents = parent_refs([o.pk for o in objectives])
    key_results = key_results_of(objectives, cycle, now=now, zone=zone)
    return Plan(
        objectives=tuple(
            draft(o, parents.get(o.pk, ()), key_results.get(o.pk, ())) for o in objectives
        ),
        initiatives=initiative_drafts(cycle, viewer),
        cycles={c.ref: DraftCycle(c.ref, c.start, c.end) for c in [cycle, *around]},
        top_teams=frozenset(
            Team.objects.filter(
                organization_id=cycle.organization_id, parent__isnull=True
            ).values_list("ref", flat=True)
        ),
        context=tuple(
            draft(o, (), tuple(kr_draft(o, kr, set()) for kr in o.key_results.all()))
            for o in candidates
        ),
    )


def live_objectives(cycle: Cycle, viewer: User | None) -> QuerySet[Objective]:
    return live_objectives_of([cycle], viewer)


def live_objectives_of(cycles: list[Cycle], viewer: User | None) -> QuerySet[Objective]:
    objectives = Objective.objects if viewer is None else objectives_visible_to(viewer)
    return objectives.filter(cycle__in=cycles, archived_at__isnull=True).select_related("cycle")


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
    rows = list(KeyResult.objects.filter(objective_id__in=ids).order_by("position", "id"))
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
    by_objective = {o.pk: o for o in objectives}
    found: dict[int, list[DraftKeyResult]] = defaultdict(list)
    for kr in rows:
        found[kr.objective_id].append(
            kr_draft(by_objective[kr.objective_id], kr, stale_ids, counts.get(kr.pk, 0))
        )
    return {objective_id: tuple(drafts) for objective_id, drafts in found.items()}


def kr_draft(
    objective: Objective, kr: KeyResult, stale_ids: set[int], milestones: int = 0
) -> DraftKeyResult:
    return DraftKeyResult(
        title=kr.title,
        type=kr.type,
        where=Where(f"key_results.{kr.ref}", ref=objective.ref),
        description=kr.description,
        unit=kr.unit,
        start=kr.start,
        target=kr.target,
        threshold=kr.threshold,
        low=kr.low,
        high=kr.high,
        due=kr.due,
        milestones=milestones,
        stale=kr.pk in stale_ids,
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
