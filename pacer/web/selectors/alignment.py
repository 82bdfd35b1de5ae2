"""Alignment map: reads for the pages (pacer.web.selectors)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Count,
    F,
    QuerySet,
)

from pacer.accounts.models import User
from pacer.okrs import progress as engine
from pacer.okrs.models import (
    Alignment,
    Cycle,
    Objective,
)
from pacer.okrs.selectors import (
    filter_objectives_by_status,
    objective_pace,
)
from pacer.web.selectors.cycles import filter_objectives
from pacer.web.selectors.rows import ObjectiveFilters, ObjectiveRow, live_objectives


def enclosing_cycles(cycle: Cycle) -> QuerySet[Cycle]:
    """The cycle itself and every cycle of its organization that contains it."""
    return Cycle.objects.filter(
        organization_id=cycle.organization_id, start__lte=cycle.start, end__gte=cycle.end
    )


def map_objectives(
    person: User, cycle: Cycle, filters: ObjectiveFilters, *, on: date
) -> QuerySet[Objective]:
    """What the map shows: visible objectives of the cycle and enclosing ones, filtered."""
    objectives = live_objectives(person).filter(cycle__in=enclosing_cycles(cycle))
    objectives = filter_objectives(objectives, filters)
    if filters.status and not cycle.is_closed:  # a closed cycle shows no status
        objectives = filter_objectives_by_status(
            objectives, filters.status, on=on, organization=cycle.organization
        )
    return objectives


def map_roots(in_view: QuerySet[Objective]) -> QuerySet[Objective]:
    """Objectives in view without a parent in view; wider cycles first.

    Worked out in Python from two plain queries: as one query with a correlated EXISTS the
    visibility conditions ran again for every row (0.3 s at 25,000 objectives).
    """
    view_ids = set(in_view.order_by().values_list("pk", flat=True))
    links = Alignment.objects.filter(child_id__in=in_view.order_by().values("pk"))
    with_parent = {
        child for child, parent in links.values_list("child_id", "parent_id") if parent in view_ids
    }
    return in_view.filter(pk__in=sorted(view_ids - with_parent)).order_by(
        "cycle__start", "-cycle__end", F("team__name").asc(nulls_last=True), "title", "pk"
    )


def map_children(in_view: QuerySet[Objective], parent: Objective) -> QuerySet[Objective]:
    return in_view.filter(parent_links__parent=parent).order_by(
        F("team__name").asc(nulls_last=True), "title", "pk"
    )


def child_counts(in_view: QuerySet[Objective], parent_ids: Sequence[int]) -> dict[int, int]:
    """For each parent, how many of its children are in view (one query)."""
    rows = (
        Alignment.objects.filter(
            parent_id__in=parent_ids, child__in=in_view.order_by().values("pk")
        )
        .values("parent_id")
        .annotate(n=Count("pk"))
    )
    return {row["parent_id"]: row["n"] for row in rows}


def other_parents(
    in_view: QuerySet[Objective], child_ids: Sequence[int], shown_under: Objective | None
) -> dict[int, list[Objective]]:
    """Each child's parents in view other than the one it is shown under (one query)."""
    links = (
        Alignment.objects.filter(
            child_id__in=child_ids, parent_id__in=in_view.order_by().values("pk")
        )
        .select_related("parent")
        .order_by("parent__title")
    )
    found: dict[int, list[Objective]] = defaultdict(list)
    for link in links:
        if shown_under is None or link.parent_id != shown_under.pk:
            found[link.child_id].append(link.parent)
    return found


@dataclass(frozen=True)
class MapNode:
    row: ObjectiveRow
    child_count: int
    also_aligned_to: list[Objective]


def map_nodes(
    in_view: QuerySet[Objective],
    objectives: Sequence[Objective],
    *,
    shown_under: Objective | None,
    on: date,
    bands: engine.Bands,
) -> list[MapNode]:
    ids = [o.pk for o in objectives]
    counts = child_counts(in_view, ids)
    others = other_parents(in_view, ids, shown_under) if shown_under is not None else {}
    return [
        MapNode(
            row=ObjectiveRow(o, objective_pace(o, on=on, bands=bands)),
            child_count=counts.get(o.pk, 0),
            also_aligned_to=others.get(o.pk, []),
        )
        for o in objectives
    ]
