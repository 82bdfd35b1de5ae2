"""Initiatives (the work behind key results), their tasks and status updates.

Reads go through `initiatives_visible_to` (work under a private objective is private the
same way: a 404, in no list); writes through pacer.initiatives.services, whose refusals
become 403 (not allowed), 409 (a closed cycle) or 422 naming the field.
"""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Status
from ninja.errors import ValidationError

from pacer.accounts.models import User
from pacer.api.auth import caller
from pacer.api.endpoints.common import (
    NO_CONTENT,
    links,
    ok,
    resolve_cycle,
    resolve_person,
    resolve_team,
)
from pacer.api.errors import NotFound
from pacer.api.pagination import paged
from pacer.api.schemas import (
    Id,
    InitiativeIn,
    InitiativeList,
    InitiativeOut,
    InitiativePatch,
    InitiativeQuery,
    PageQuery,
    Ref,
    StatusUpdateIn,
    StatusUpdateList,
    StatusUpdateOut,
    TaskIn,
    TaskList,
    TaskOut,
    TaskPatch,
)
from pacer.initiatives import selectors, services
from pacer.initiatives.models import Initiative, StatusUpdate, Task
from pacer.okrs import progress as engine
from pacer.okrs import selectors as okr_selectors
from pacer.okrs.models import Cycle, KeyResult
from pacer.okrs.okrfile.exporter import number

router = Router(tags=["initiatives"])
CLOSED = engine.CLOSED_INITIATIVE_STATUSES
# What a new initiative links to, by its ref.
NEW_INITIATIVE = links(
    201,
    {"ref": "$response.body#/ref"},
    "initiatives.get_initiative",
    "initiatives.update_initiative",
    "initiatives.delete_initiative",
    "initiatives.list_tasks",
    "initiatives.create_task",
    "initiatives.list_status_updates",
    "initiatives.create_status_update",
)


# --- Reads -------------------------------------------------------------------------------


def initiatives(user: User) -> QuerySet[Initiative]:
    return selectors.with_work(selectors.initiatives_visible_to(user))


def initiative(user: User, ref: str) -> Initiative:
    found = initiatives(user).filter(ref=ref).first()
    if found is None:
        raise NotFound("initiative")
    return found


def task_of(work: Initiative, task_id: int) -> Task:
    found = Task.objects.filter(initiative=work, pk=task_id).select_related("assignee").first()
    if found is None:
        raise NotFound("task")
    found.initiative = work  # with its cycle, as found
    return found


def filtered(user: User, f: InitiativeQuery) -> QuerySet[Initiative]:
    cycle_id = None
    if f.cycle is not None:  # by its id, resolved first: `cycle__ref` made SQLite walk the
        # organization's initiatives in id order, testing each (large bench: 250 -> 50 ms)
        cycles = Cycle.objects.filter(organization_id=user.organization_id or 0, ref=f.cycle)
        cycle_id = cycles.values_list("pk", flat=True).first() or 0  # 0: no such cycle, no rows
    conditions: dict[str, Any] = {
        "cycle_id": cycle_id,
        "team__ref": f.team,
        "owner__email": f.owner.lower() if f.owner else None,
        "status": f.status,
        "key_results__ref": f.key_result,
    }
    rows = initiatives(user).filter(**{k: v for k, v in conditions.items() if v is not None})
    if f.overdue is not None:
        late = Q(due__lt=timezone.localdate()) & ~Q(status__in=CLOSED)
        rows = rows.filter(late if f.overdue else ~late)
    if f.updated_since is not None:  # a change to its tasks counts as a change to it
        tasks = Task.objects.filter(initiative=OuterRef("pk"), updated_at__gte=f.updated_since)
        rows = rows.filter(Q(updated_at__gte=f.updated_since) | Exists(tasks))
    return rows


# --- Output ------------------------------------------------------------------------------


def link_out(work: Initiative) -> dict[str, Any] | None:
    if not work.link_url:
        return None
    return {
        "url": work.link_url,
        "open": work.link_open,
        "closed": work.link_closed,
        "synced_at": work.synced_at,
        "sync_error": work.sync_error,
    }


def initiative_out(found: selectors.Work) -> dict[str, Any]:
    work = found.initiative
    tasks = list(work.tasks.all())
    return {
        "ref": work.ref,
        "title": work.title,
        "description": work.description,
        "cycle": work.cycle.ref,
        "owner": work.owner.email,
        "team": work.team.ref if work.team else None,
        "status": work.status,
        "start": work.start,
        "due": work.due,
        "key_results": sorted(kr.ref for kr in work.key_results.all()),
        "link": link_out(work),
        "progress": number(work.progress),
        "impact": number(found.impact),
        "overdue": found.overdue,
        "tasks": len(tasks),
        "open_tasks": found.open_tasks,
        "created_at": work.created_at,
        "updated_at": max([work.updated_at, *(t.updated_at for t in tasks)]),
    }


def present(rows: Sequence[Initiative]) -> list[dict[str, Any]]:
    """The rows in their order, with impact and open tasks (selectors.by_impact)."""
    found = {w.initiative.pk: w for w in selectors.by_impact(rows, timezone.localdate())}
    return [initiative_out(found[row.pk]) for row in rows]


def fresh(user: User, work: Initiative) -> dict[str, Any]:
    return present([initiative(user, work.ref)])[0]


def task_out(task: Task) -> dict[str, Any]:
    return {
        "id": task.pk,
        "title": task.title,
        "done": task.done,
        "assignee": task.assignee.email if task.assignee else None,
        "due": task.due,
        "position": task.position,
        "done_at": task.done_at,
        "updated_at": task.updated_at,
    }


def update_out(update: StatusUpdate) -> dict[str, Any]:
    return {
        "id": update.pk,
        "status": update.status,
        "note": update.note,
        "author": update.author.email if update.author else None,
        "at": update.at,
    }


# --- Input -------------------------------------------------------------------------------


def resolve_key_results(user: User, refs: Sequence[str]) -> list[KeyResult]:
    """Visible key results by ref, in the order given; an unknown or hidden one is a 422."""
    found = {kr.ref: kr for kr in okr_selectors.key_results_visible_to(user).filter(ref__in=refs)}
    missing = [
        {"loc": ("body", "key_results", i), "msg": "no key result with this ref"}
        for i, ref in enumerate(refs)
        if ref not in found
    ]
    if missing:
        raise ValidationError(missing)
    return [found[ref] for ref in dict.fromkeys(refs)]


def spec_of(user: User, payload: InitiativeIn) -> services.InitiativeSpec:
    owner = resolve_person(user, payload.owner, "owner") if payload.owner else user
    return services.InitiativeSpec(
        title=payload.title,
        owner=owner,
        description=payload.description,
        team=resolve_team(user, payload.team),
        status=payload.status,
        start=payload.start,
        due=payload.due,
        key_results=resolve_key_results(user, payload.key_results),
        link_url=payload.link,
    )


# Fields a PATCH may set to null (none); null for the others means "leave as is".
CLEARABLE = {"team", "start", "due", "link"}


def changes_of(user: User, payload: InitiativePatch) -> dict[str, Any]:
    """The spec fields a PATCH sets, with refs and emails resolved."""
    sent = payload.model_dump(exclude_unset=True)
    changes = {k: v for k, v in sent.items() if v is not None or k in CLEARABLE}
    if "owner" in changes:
        changes["owner"] = resolve_person(user, changes["owner"], "owner")
    if "team" in changes:
        changes["team"] = resolve_team(user, changes["team"])
    if "key_results" in changes:
        changes["key_results"] = resolve_key_results(user, changes["key_results"])
    if "link" in changes:
        changes["link_url"] = changes.pop("link") or ""
    return changes


# --- Initiatives -------------------------------------------------------------------------


@router.get("/initiatives", response=ok(InitiativeList), summary="List initiatives")
def list_initiatives(request: HttpRequest, filters: Query[InitiativeQuery]) -> dict[str, Any]:
    """The work you may see, filtered, in the order it was created (sort by `impact`, then
    `due`, for the order of work); `overdue` is as of today."""
    return paged(
        filtered(caller(request), filters),
        cursor=filters.cursor,
        limit=filters.limit,
        present=present,
    )


@router.get("/initiatives/{ref}", response=ok(InitiativeOut), summary="Read an initiative")
def get_initiative(request: HttpRequest, ref: Path[Ref]) -> dict[str, Any]:
    return present([initiative(caller(request), ref)])[0]


@router.post(
    "/initiatives",
    response=ok(InitiativeOut, 201),
    summary="Start an initiative",
    openapi_extra=NEW_INITIATIVE,
)
def create_initiative(request: HttpRequest, payload: InitiativeIn) -> Status[dict[str, Any]]:
    """Work that supports key results of its cycle (`key_results`, refs). Anyone may start
    work for the goals they see, owned by any active person (default: you), under a team
    they belong to (admins: any). Under a private objective its ref gets a random tail."""
    user = caller(request)
    work = services.initiative_create(
        cycle=resolve_cycle(user, payload.cycle), spec=spec_of(user, payload), by=user
    )
    return Status(201, fresh(user, work))


@router.patch("/initiatives/{ref}", response=ok(InitiativeOut), summary="Change an initiative")
def update_initiative(
    request: HttpRequest, ref: Path[Ref], payload: InitiativePatch
) -> dict[str, Any]:
    """Only the fields sent change. Its owner, its team's members, the editors of the
    objectives it supports and admins change it."""
    user = caller(request)
    work = initiative(user, ref)
    spec = services.spec_of(work, **changes_of(user, payload))
    services.initiative_update(initiative=work, spec=spec, by=user)
    return fresh(user, work)


@router.delete("/initiatives/{ref}", response=NO_CONTENT, summary="Delete an initiative")
def delete_initiative(request: HttpRequest, ref: Path[Ref]) -> Status[None]:
    """With its tasks and status updates; it appears in `/deletions`."""
    user = caller(request)
    services.initiative_delete(initiative=initiative(user, ref), by=user)
    return Status(204, None)


# --- Status updates ----------------------------------------------------------------------


@router.get(
    "/initiatives/{ref}/updates",
    response=ok(StatusUpdateList),
    summary="List an initiative's status updates",
)
def list_status_updates(
    request: HttpRequest, ref: Path[Ref], query: Query[PageQuery]
) -> dict[str, Any]:
    """Oldest first (the last page holds the latest)."""
    work = initiative(caller(request), ref)
    return paged(
        work.updates.select_related("author"),
        cursor=query.cursor,
        limit=query.limit,
        present=lambda rows: [update_out(u) for u in rows],
    )


@router.post(
    "/initiatives/{ref}/updates",
    response=ok(StatusUpdateOut, 201),
    summary="Post a status update",
)
def create_status_update(
    request: HttpRequest, ref: Path[Ref], payload: StatusUpdateIn
) -> Status[dict[str, Any]]:
    """The initiative's new status and a note, like a check-in for work."""
    user = caller(request)
    update = services.initiative_set_status(
        initiative=initiative(user, ref), status=payload.status, note=payload.note, by=user
    )
    return Status(201, update_out(update))


# --- Tasks -------------------------------------------------------------------------------


@router.get("/initiatives/{ref}/tasks", response=ok(TaskList), summary="List an initiative's tasks")
def list_tasks(request: HttpRequest, ref: Path[Ref], query: Query[PageQuery]) -> dict[str, Any]:
    """In the order they were added; `position` is their place in the checklist."""
    work = initiative(caller(request), ref)
    return paged(
        work.tasks.select_related("assignee"),
        cursor=query.cursor,
        limit=query.limit,
        present=lambda rows: [task_out(t) for t in rows],
    )


@router.post(
    "/initiatives/{ref}/tasks",
    response=ok(TaskOut, 201),
    summary="Add a task",
    openapi_extra=links(
        201,
        {"ref": "$request.path.ref", "task_id": "$response.body#/id"},
        "initiatives.update_task",
        "initiatives.delete_task",
    ),
)
def create_task(request: HttpRequest, ref: Path[Ref], payload: TaskIn) -> Status[dict[str, Any]]:
    """At the end of the checklist; the initiative's progress (and its key results') follow."""
    user = caller(request)
    task = services.task_create(
        initiative=initiative(user, ref),
        title=payload.title,
        assignee=resolve_person(user, payload.assignee, "assignee") if payload.assignee else None,
        due=payload.due,
        done=payload.done,
        by=user,
    )
    return Status(201, task_out(task))


def task_changes(user: User, task: Task, payload: TaskPatch) -> dict[str, Any]:
    """What task_update takes, from a PATCH: the fields sent, the others as they are."""
    sent = payload.model_fields_set
    assignee = task.assignee
    if "assignee" in sent:
        email = payload.assignee
        assignee = resolve_person(user, email, "assignee") if email else None
    return {
        "title": payload.title if payload.title is not None else task.title,
        "assignee": assignee,
        "due": payload.due if "due" in sent else task.due,
    }


@router.patch(
    "/initiatives/{ref}/tasks/{task_id}",
    response=ok(TaskOut),
    summary="Change, tick or move a task",
)
def update_task(
    request: HttpRequest, ref: Path[Ref], task_id: Path[Id], payload: TaskPatch
) -> dict[str, Any]:
    """Only the fields sent change, all or nothing. Its assignee may tick it (`done`);
    the rest is for whoever may change the initiative."""
    user = caller(request)
    task = task_of(initiative(user, ref), task_id)
    sent = payload.model_fields_set - {"done", "position"}
    with transaction.atomic():
        if sent:
            task = services.task_update(task=task, **task_changes(user, task, payload), by=user)
        if payload.position is not None and payload.position != task.position:
            offset = payload.position - task.position
            task = services.task_move(task=task, offset=offset, by=user)
        if payload.done is not None:
            task = services.task_set_done(task=task, done=payload.done, by=user)
    task.refresh_from_db()
    return task_out(task)


@router.delete("/initiatives/{ref}/tasks/{task_id}", response=NO_CONTENT, summary="Delete a task")
def delete_task(request: HttpRequest, ref: Path[Ref], task_id: Path[Id]) -> Status[None]:
    user = caller(request)
    services.task_delete(task=task_of(initiative(user, ref), task_id), by=user)
    return Status(204, None)
