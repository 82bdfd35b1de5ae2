"""Who may see which initiatives, and the lists of work ordered by impact.

An initiative is seen by whoever may see every objective it supports: work under a private
objective is private the same way (okr-semantics.md, "Initiatives"). One function answers
it, `initiatives_visible_to`; every page, endpoint and export asks it.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Sum,
)
from django.db.models.functions import Lower

from pacer.accounts.models import User
from pacer.initiatives.models import Initiative, Task
from pacer.okrs import progress as engine
from pacer.okrs.models import KeyResult
from pacer.okrs.selectors import objectives_hidden_from


def initiatives_visible_to(person: User) -> QuerySet[Initiative]:
    if not person.is_authenticated or person.organization_id is None:
        return Initiative.objects.none()
    in_org = Initiative.objects.filter(organization_id=person.organization_id)
    if person.is_org_admin:
        return in_org
    through = Initiative.key_results.through
    hidden = through.objects.filter(
        initiative_id=OuterRef("pk"), keyresult__objective__in=objectives_hidden_from(person)
    )
    return in_org.filter(~Exists(hidden))


@dataclass(frozen=True)
class Work:
    """An initiative as lists show it: with its impact and open task count."""

    initiative: Initiative
    impact: Decimal
    open_tasks: int
    overdue: bool


def objective_weights(key_results: Iterable[KeyResult]) -> dict[int, Decimal]:
    """W_k: the sum of the weights of each objective's key results (one query)."""
    objective_ids = {kr.objective_id for kr in key_results}
    rows = (
        KeyResult.objects.filter(objective_id__in=objective_ids)
        .values("objective_id")
        .annotate(total=Sum("weight"))
    )
    return {row["objective_id"]: row["total"] or engine.ZERO for row in rows}


def impact_of(initiative: Initiative, weights: dict[int, Decimal]) -> Decimal:
    supported = [
        engine.Supported(kr.weight, weights.get(kr.objective_id, engine.ZERO), kr.progress)
        for kr in initiative.key_results.all()
    ]
    return engine.impact(initiative.status, supported)


def is_overdue(initiative: Initiative, today: date) -> bool:
    open_ = initiative.status not in engine.CLOSED_INITIATIVE_STATUSES
    return open_ and initiative.due is not None and initiative.due < today


def with_work(initiatives: QuerySet[Initiative]) -> QuerySet[Initiative]:
    """What a list of work shows, in a fixed number of queries."""
    return initiatives.select_related("owner", "team", "cycle").prefetch_related(
        Prefetch("key_results", queryset=KeyResult.objects.select_related("objective")),
        Prefetch("tasks", queryset=Task.objects.select_related("assignee")),
    )


def with_work_counted(initiatives: QuerySet[Initiative]) -> QuerySet[Initiative]:
    """`with_work` for long lists that show no task: the key results with only what impact
    and permissions read, no tasks (their open count comes from `open_task_counts`) and
    no cycle (the list is of one cycle, which the page has).
    The Work page of a large cycle has about 10,000 initiatives and 50,000 tasks: building
    every task, its assignee and every key result's objective took most of its time."""
    lean = KeyResult.objects.only("id", "objective_id", "weight", "progress")
    return initiatives.select_related("owner", "team").prefetch_related(
        Prefetch("key_results", queryset=lean)
    )


def open_task_counts(initiatives: QuerySet[Initiative]) -> dict[int, int]:
    """How many open tasks each of these initiatives has (one query; none: absent)."""
    rows = (
        Task.objects.filter(initiative__in=initiatives.values("pk"), done=False)
        .values_list("initiative_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def by_impact(
    initiatives: Sequence[Initiative], today: date, *, open_tasks: Mapping[int, int] | None = None
) -> list[Work]:
    """The initiatives as Work, ordered by impact, then due, then title (the contract).
    Open tasks are counted from the prefetched tasks, or read from `open_tasks`
    (open_task_counts) for lists loaded without them (with_work_counted)."""
    weights = objective_weights(kr for i in initiatives for kr in i.key_results.all())
    found = [
        Work(
            initiative=i,
            impact=impact_of(i, weights),
            open_tasks=sum(1 for t in i.tasks.all() if not t.done)
            if open_tasks is None
            else open_tasks.get(i.pk, 0),
            overdue=is_overdue(i, today),
        )
        for i in initiatives
    ]
    return sorted(
        found, key=lambda w: engine.work_order(w.impact, w.initiative.due, w.initiative.title)
    )


# --- The contract's order, sorted by the database ---------------------------------------------


def in_work_order(initiatives: QuerySet[Initiative]) -> QuerySet[Initiative]:
    """`initiatives` in the contract's order, sorted by the database: the stored impact
    (pacer.initiatives.impacts, rounded as engine.work_order rounds it), then due (none
    last), then title, then id."""
    return initiatives.order_by(
        F("impact").desc(), F("due").asc(nulls_last=True), Lower("title"), "pk"
    )
