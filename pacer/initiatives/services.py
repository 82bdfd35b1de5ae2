"""Every write to initiatives, their tasks and status updates, for the web, the API, the
CLI and the importer alike.

Each write checks the rules (pacer.initiatives.rules), who may make it when a person is
named (`by`; None: the operator, for the CLI and importer), and that the cycle is open
(a closed cycle freezes its work like its numbers). It then recomputes the initiative's
progress q and rolls it up into the key results of type `initiatives` it supports, in the
same transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from pacer import trackers
from pacer.accounts.models import User
from pacer.initiatives import connections, impacts, notices, rules
from pacer.initiatives.models import Initiative, StatusUpdate, Task
from pacer.okrs import permissions, rollup
from pacer.okrs import progress as engine
from pacer.okrs import rules as okr_rules
from pacer.okrs.errors import DomainError, raise_if
from pacer.okrs.models import Cycle, KeyResult, Objective, Team
from pacer.okrs.services import refs
from pacer.okrs.services.cycles import next_cycle_of
from pacer.okrs.services.writable import ensure_cycle_open, lock_objective


@dataclass
class InitiativeSpec:
    """What a person sets on an initiative; its progress and sync state are derived."""

    title: str
    owner: User
    description: str = ""
    team: Team | None = None
    status: str = engine.PLANNED
    start: date | None = None
    due: date | None = None
    key_results: Sequence[KeyResult] = field(default_factory=list)
    link_url: str = ""


def spec_of(initiative: Initiative, **changes: object) -> InitiativeSpec:
    """The initiative as a spec, with `changes` applied (for partial updates)."""
    spec = InitiativeSpec(
        title=initiative.title,
        owner=initiative.owner,
        description=initiative.description,
        team=initiative.team,
        status=initiative.status,
        start=initiative.start,
        due=initiative.due,
        key_results=list(initiative.key_results.all()),
        link_url=initiative.link_url,
    )
    for name, value in changes.items():
        setattr(spec, name, value)
    return spec


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def spec_problems(
    organization_id: int, cycle: Cycle, spec: InitiativeSpec
) -> list[okr_rules.Problem]:
    problems = rules.initiative_problems(
        title=spec.title,
        description=spec.description,
        status=spec.status,
        start=spec.start,
        due=spec.due,
    )
    problems += okr_rules.owner_problems(organization_id, spec.owner)
    problems += okr_rules.organization_problems(organization_id, team=spec.team)
    if spec.team is not None and spec.team.archived_at is not None:
        problems.append(("team", f"{spec.team.name} is archived"))
    problems += okr_rules.organization_problems(
        organization_id, **{f"key_results[{i}]": kr for i, kr in enumerate(spec.key_results)}
    )
    cycles = dict(
        Objective.objects.filter(pk__in={kr.objective_id for kr in spec.key_results}).values_list(
            "pk", "cycle__ref"
        )
    )
    problems += rules.supported_problems(
        cycle_ref=cycle.ref,
        key_results=[(kr.ref, cycles.get(kr.objective_id, ""), kr.type) for kr in spec.key_results],
    )
    problems += link_problems(organization_id, spec.link_url)
    return problems


def link_problems(organization_id: int, url: str) -> list[okr_rules.Problem]:
    """An external link must be a tracker link Pacer knows how to read (pacer.trackers),
    through the organization's connections; the refusal lists the links it reads."""
    if not url:
        return []
    if len(url) > 2000:
        return [("link", "must be at most 2000 characters")]
    try:
        trackers.parse_link(url, connections.connections_of(organization_id))
    except trackers.LinkRefused as refused:
        text = str(refused).replace(":\n- ", ": ").replace("\n- ", "; ").replace("\n", " ")
        return [("link", text)]
    return []


def is_private(key_results: Sequence[KeyResult]) -> bool:
    private = Objective.Visibility.PRIVATE
    ids = {kr.objective_id for kr in key_results}
    return Objective.objects.filter(pk__in=ids, visibility=private).exists()


@transaction.atomic
def initiative_create(*, cycle: Cycle, spec: InitiativeSpec, by: User | None = None) -> Initiative:
    """A new initiative in `cycle`. Its ref gets a random tail when it supports a private
    objective (so taking a name tells nothing about private work)."""
    if by is not None:
        require(
            permissions.can_create_initiative(by, owner=spec.owner, team=spec.team),
            "You may not start work under this team.",
        )
    ensure_cycle_open(cycle)
    raise_if(spec_problems(cycle.organization_id, cycle, spec))
    initiative = Initiative.objects.create(
        organization_id=cycle.organization_id,
        cycle=cycle,
        ref=refs.new_ref(
            Initiative,  # type: ignore[arg-type]
            cycle.organization_id,
            spec.title,
            private=is_private(spec.key_results),
        ),
        title=spec.title.strip(),
        description=spec.description,
        owner=spec.owner,
        team=spec.team,
        status=spec.status,
        start=spec.start,
        due=spec.due,
        link_url=spec.link_url,
    )
    initiative.key_results.set(spec.key_results)
    refresh(initiative, touched=spec.key_results)
    return initiative


@transaction.atomic
def initiative_update(
    *, initiative: Initiative, spec: InitiativeSpec, by: User | None = None
) -> Initiative:
    if by is not None:
        require(permissions.can_change_initiative(by, initiative), "You may not change this work.")
    ensure_cycle_open(initiative.cycle)
    raise_if(spec_problems(initiative.organization_id, initiative.cycle, spec))
    before = list(initiative.key_results.all())
    became_blocked = spec.status == engine.BLOCKED != initiative.status
    if spec.link_url != initiative.link_url:  # another link: what was synced no longer holds
        initiative.link_open = initiative.link_closed = initiative.synced_at = None
        initiative.sync_error, initiative.sync_failed_at, initiative.sync_failures = "", None, 0
        initiative.sync_next_at = None  # the worker syncs the new link at once
    initiative.title, initiative.description = spec.title.strip(), spec.description
    initiative.owner, initiative.team, initiative.status = spec.owner, spec.team, spec.status
    initiative.start, initiative.due, initiative.link_url = spec.start, spec.due, spec.link_url
    initiative.save()
    initiative.key_results.set(spec.key_results)
    if became_blocked:
        notices.initiative_blocked(initiative, by)
    refresh(initiative, touched=[*before, *spec.key_results])
    return initiative


@transaction.atomic
def initiative_delete(*, initiative: Initiative, by: User | None = None) -> None:
    if by is not None:
        require(permissions.can_change_initiative(by, initiative), "You may not change this work.")
    ensure_cycle_open(initiative.cycle)
    supported = list(initiative.key_results.all())
    initiative.delete()
    roll_up(supported)


@transaction.atomic
def initiative_set_status(
    *, initiative: Initiative, status: str, note: str = "", by: User | None = None
) -> StatusUpdate:
    """A status update: the new status and a note, like a check-in for work."""
    if by is not None:
        require(permissions.can_change_initiative(by, initiative), "You may not change this work.")
    ensure_cycle_open(initiative.cycle)
    problems = rules.initiative_problems(
        title=initiative.title,
        description="",
        status=status,
        start=initiative.start,
        due=initiative.due,
    )
    raise_if(problems + okr_rules.texts_problems(note=note))
    was, initiative.status = initiative.status, status
    initiative.save(update_fields=["status", "updated_at"])
    update = StatusUpdate.objects.create(
        initiative=initiative, author=by, status=status, note=note, at=timezone.now()
    )
    if status == engine.BLOCKED and was != engine.BLOCKED:
        notices.initiative_blocked(initiative, by)
    refresh(initiative, touched=list(initiative.key_results.all()))
    return update


# --- Tasks ------------------------------------------------------------------------------


def changeable(initiative: Initiative, by: User | None) -> None:
    if by is not None:
        require(permissions.can_change_initiative(by, initiative), "You may not change this work.")
    ensure_cycle_open(initiative.cycle)


def assignee_problems(initiative: Initiative, assignee: User | None) -> list[okr_rules.Problem]:
    return [
        ("assignee" if f == "owner" else f, m)
        for f, m in okr_rules.owner_problems(initiative.organization_id, assignee)
    ]


@transaction.atomic
def task_create(
    *,
    initiative: Initiative,
    title: str,
    assignee: User | None = None,
    due: date | None = None,
    done: bool = False,
    by: User | None = None,
) -> Task:
    changeable(initiative, by)
    count = initiative.tasks.count()
    raise_if(
        rules.task_problems(title=title, count=count) + assignee_problems(initiative, assignee)
    )
    task = Task.objects.create(
        initiative=initiative,
        title=title.strip(),
        assignee=assignee,
        due=due,
        done=done,
        done_at=timezone.now() if done else None,
        position=count,
    )
    notices.task_assigned(task, by)
    refresh(initiative)
    return task


@transaction.atomic
def task_update(
    *,
    task: Task,
    title: str,
    assignee: User | None,
    due: date | None,
    by: User | None = None,
) -> Task:
    changeable(task.initiative, by)
    raise_if(rules.task_problems(title=title) + assignee_problems(task.initiative, assignee))
    reassigned = assignee is not None and assignee.pk != task.assignee_id
    task.title, task.assignee, task.due = title.strip(), assignee, due
    task.save()
    touch(task.initiative)
    if reassigned:
        notices.task_assigned(task, by)
    return task


@transaction.atomic
def task_set_done(*, task: Task, done: bool, by: User | None = None) -> Task:
    """Tick or untick a task: its assignee may, besides whoever may change the initiative."""
    if by is not None:
        require(permissions.can_tick_task(by, task), "You may not change this task.")
    ensure_cycle_open(task.initiative.cycle)
    if task.done != done:
        task.done, task.done_at = done, timezone.now() if done else None
        task.save(update_fields=["done", "done_at", "updated_at"])
        refresh(task.initiative)
    return task


@transaction.atomic
def task_delete(*, task: Task, by: User | None = None) -> None:
    initiative = task.initiative
    changeable(initiative, by)
    task.delete()
    renumber(initiative)
    refresh(initiative)


@transaction.atomic
def task_move(*, task: Task, offset: int, by: User | None = None) -> Task:
    """Move a task `offset` places in its initiative's order (-1: up one, 1: down one)."""
    changeable(task.initiative, by)
    order = renumber(task.initiative)
    place = order.index(task.pk)
    if not 0 <= place + offset < len(order):
        raise DomainError("the task cannot move further", "position")
    order.insert(place + offset, order.pop(place))
    for position, pk in enumerate(order):
        Task.objects.filter(pk=pk).update(position=position)
    task.position = place + offset
    touch(task.initiative)
    return task


def touch(initiative: Initiative) -> None:
    """Mark the initiative changed (a task of it was edited or moved)."""
    initiative.updated_at = timezone.now()
    Initiative.objects.filter(pk=initiative.pk).update(updated_at=initiative.updated_at)


def renumber(initiative: Initiative) -> list[int]:
    """Number the tasks 0, 1, 2... again, keeping their order; their ids in order."""
    ordered = list(initiative.tasks.order_by("position", "pk").values_list("pk", "position"))
    for position, (pk, was) in enumerate(ordered):
        if was != position:
            Task.objects.filter(pk=pk).update(position=position)
    return [pk for pk, _ in ordered]


# --- Carrying work over -----------------------------------------------------------------


@transaction.atomic
def initiative_carry_over(*, initiative: Initiative, by: User | None = None) -> Initiative:
    """Copy unfinished work into the cycle after its own (planned first, on the close page):
    its open tasks, its link, its status if it was under way; it supports the key results
    of the next cycle that carry the same titles under an objective of the same title
    (the copies `cycle_plan_next` made), and nothing else until someone links them."""
    if by is not None:
        require(permissions.can_change_initiative(by, initiative), "You may not change this work.")
    following = next_cycle_of(initiative.cycle)
    problems = carry_problems(initiative, following)
    raise_if(problems)
    assert following is not None and following.pk is not None
    ensure_cycle_open(following)
    spec = spec_of(
        initiative,
        status=engine.PLANNED if initiative.status == engine.DONE else initiative.status,
        key_results=same_key_results(initiative, following),
        start=None,
        due=None,
    )
    copy = initiative_create(cycle=following, spec=spec)
    Initiative.objects.filter(pk=copy.pk).update(carried_from=initiative)
    for task in initiative.tasks.filter(done=False).select_related("assignee"):
        assignee = task.assignee if task.assignee and task.assignee.is_active else None
        task_create(initiative=copy, title=task.title, assignee=assignee)
    copy.carried_from = initiative
    return copy


def carry_problems(initiative: Initiative, following: Cycle | None) -> list[okr_rules.Problem]:
    if initiative.status == engine.CANCELLED:
        return [("status", "cancelled work is not carried over")]
    if following is None or following.pk is None:
        return [("cycle", f"plan the cycle after {initiative.cycle.name} first")]
    if Initiative.objects.filter(carried_from=initiative, cycle=following).exists():
        return [("cycle", f"“{initiative.title}” is already carried over to {following.name}")]
    return []


def same_key_results(initiative: Initiative, cycle: Cycle) -> list[KeyResult]:
    """The key results of `cycle` named like the ones the initiative supports, under an
    objective named like theirs (carried-over copies keep both titles)."""
    names = {
        (kr.objective.title, kr.title) for kr in initiative.key_results.select_related("objective")
    }
    candidates = KeyResult.objects.filter(
        objective__cycle=cycle, title__in={title for _, title in names}
    ).select_related("objective")
    return [kr for kr in candidates if (kr.objective.title, kr.title) in names]


# --- Syncs (the worker) ------------------------------------------------------------------


@transaction.atomic
def sync_succeeded(*, initiative: Initiative, open_count: int, closed_count: int) -> None:
    """Record what the linked tracker counts now; the progress follows."""
    initiative.link_open, initiative.link_closed = open_count, closed_count
    initiative.synced_at, initiative.sync_error = timezone.now(), ""
    initiative.sync_failed_at, initiative.sync_failures = None, 0
    initiative.save()
    refresh(initiative)


@transaction.atomic
def sync_failed(*, initiative: Initiative, error: str) -> None:
    """Record why a sync failed; the counts of the last good one stay (and so does q)."""
    failures = initiative.sync_failures + 1
    Initiative.objects.filter(pk=initiative.pk).update(
        sync_error=error[:1000], sync_failed_at=timezone.now(), sync_failures=failures
    )
    notices.sync_failing(initiative, failures, error)


# --- Progress ----------------------------------------------------------------------------


def facts_of(initiative: Initiative) -> engine.InitiativeFacts:
    counts = initiative.tasks.aggregate(total=Count("pk"), done=Count("pk", filter=Q(done=True)))
    return engine.InitiativeFacts(
        status=initiative.status,
        tasks_done=counts["done"],
        tasks_total=counts["total"],
        has_link=bool(initiative.link_url),
        synced=initiative.synced,
    )


def refresh(initiative: Initiative, *, touched: Sequence[KeyResult] = ()) -> None:
    """Recompute q and roll it up into the key results it supports (and those in `touched`,
    which it may just have left)."""
    fresh = engine.quantize_progress(engine.initiative_progress(facts_of(initiative)))
    changed = fresh != initiative.progress
    # Its tasks are part of it: any write under it is a change for incremental sync.
    initiative.progress, initiative.updated_at = fresh, timezone.now()
    Initiative.objects.filter(pk=initiative.pk).update(
        progress=fresh, updated_at=initiative.updated_at
    )
    supported = list(initiative.key_results.all()) if changed or touched else []
    roll_up([*supported, *touched])
    impacts.refresh_ids([initiative.pk])  # its status or key results may have changed


def roll_up(key_results: Sequence[KeyResult]) -> None:
    """Refresh each key result of type `initiatives` among these, its objective locked."""
    unique = {kr.pk: kr for kr in key_results if kr.type == engine.INITIATIVES}
    for kr in unique.values():
        objective = lock_objective(kr.objective_id)
        if not objective.cycle.is_closed:  # a closed cycle keeps the numbers it closed with
            rollup.refresh_after_change(KeyResult.objects.get(pk=kr.pk), objective=objective)


def progress_of(initiative: Initiative) -> Decimal:
    """q as it should be stored (for `pacer recompute --check`)."""
    return engine.quantize_progress(engine.initiative_progress(facts_of(initiative)))
