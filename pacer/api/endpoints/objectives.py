"""Objectives: list, read, create, change, align, copy, archive, close out."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Path, Query, Router, Status
from ninja.errors import ValidationError

from pacer.accounts.models import User
from pacer.api import queries
from pacer.api.auth import caller
from pacer.api.endpoints.common import (
    editable_objective,
    links,
    ok,
    on_date,
    resolve_cycle,
    resolve_objective,
    resolve_objectives,
    resolve_person,
    resolve_team,
)
from pacer.api.pagination import paged
from pacer.api.present import objective_out
from pacer.api.schemas import (
    AsOfQuery,
    CopyIn,
    KeyResultIn,
    ObjectiveIn,
    ObjectiveList,
    ObjectiveOut,
    ObjectivePatch,
    ObjectiveQuery,
    Ref,
    RetrospectiveIn,
)
from pacer.okrs import permissions, selectors, services
from pacer.okrs.models import Objective

router = Router(tags=["objectives"])
# What a new objective (created or copied) links to, by its ref.
NEW_OBJECTIVE = links(
    201,
    {"ref": "$response.body#/ref"},
    "objectives.get_objective",
    "objectives.update_objective",
    "objectives.archive_objective",
    "objectives.restore_objective",
    "objectives.copy_objective",
    "objectives.set_retrospective",
    "key_results.create_key_result",
)


def filtered(user: User, f: ObjectiveQuery) -> QuerySet[Objective]:
    objectives = queries.objectives(user)
    conditions: dict[str, Any] = {
        "cycle__ref": f.cycle,
        "team__ref": f.team,
        "owner__email": f.owner.lower() if f.owner else None,
        "kind": f.kind,
        "visibility": f.visibility,
        "title__icontains": f.q,
        "updated_at__gte": f.updated_since,
        "archived_at__isnull": None if f.archived is None else not f.archived,
    }
    objectives = objectives.filter(**{k: v for k, v in conditions.items() if v is not None})
    if f.status and user.organization is not None:
        objectives = selectors.filter_objectives_by_status(
            objectives, f.status, on=on_date(f.as_of), organization=user.organization
        )
    return objectives


def fresh(user: User, objective: Objective, as_of: Any = None) -> dict[str, Any]:
    return objective_out(queries.objective(user, objective.ref), on=on_date(as_of))


@router.get("/objectives", response=ok(ObjectiveList), summary="List objectives")
def list_objectives(request: HttpRequest, filters: Query[ObjectiveQuery]) -> dict[str, Any]:
    """The objectives you may see, filtered; computed numbers at `as_of` (default today)."""
    on = on_date(filters.as_of)
    return paged(
        filtered(caller(request), filters),
        cursor=filters.cursor,
        limit=filters.limit,
        present=lambda rows: [objective_out(o, on=on) for o in rows],
    )


@router.get("/objectives/{ref}", response=ok(ObjectiveOut), summary="Read an objective")
def get_objective(request: HttpRequest, ref: Path[Ref], query: Query[AsOfQuery]) -> dict[str, Any]:
    return objective_out(queries.objective(caller(request), ref), on=on_date(query.as_of))


def key_result_specs(user: User, items: list[KeyResultIn]) -> list[services.KeyResultSpec]:
    return [key_result_spec(user, item, f"key_results.{i}.") for i, item in enumerate(items)]


def key_result_spec(user: User, item: KeyResultIn, at: str = "") -> services.KeyResultSpec:
    """The spec of `item`, with its linked objective and owner found (`at`: where the item
    sits in the body, such as `key_results.2.`, for the errors)."""
    fields = item.model_dump(exclude={"linked_objective", "owner"})
    linked = resolve_objective(user, item.linked_objective, f"{at}linked_objective")
    owner = resolve_person(user, item.owner, f"{at}owner") if item.owner else None
    return services.KeyResultSpec(**fields, linked_objective=linked, owner=owner)


@router.post(
    "/objectives",
    response=ok(ObjectiveOut, 201),
    summary="Create an objective",
    openapi_extra=NEW_OBJECTIVE,
)
def create_objective(request: HttpRequest, payload: ObjectiveIn) -> Status[dict[str, Any]]:
    """With its key results and parents, all or nothing. You own it unless an admin names
    another `owner`."""
    user = caller(request)
    owner = user
    if payload.owner and payload.owner.lower() != user.email:
        owner = resolve_person(user, payload.owner, "owner")
    team = resolve_team(user, payload.team)
    if not permissions.can_create_objective_for(user, owner=owner, team=team):
        raise PermissionDenied(
            "Members create their own objectives, under a team they belong to; admins any."
        )
    objective = services.objective_create(
        cycle=resolve_cycle(user, payload.cycle),
        owner=owner,
        title=payload.title,
        ref=payload.ref or "",
        description=payload.description,
        team=team,
        kind=payload.kind,
        visibility=payload.visibility,
        parents=resolve_objectives(user, payload.parents, "parents"),
        key_results=key_result_specs(user, payload.key_results),
    )
    return Status(201, fresh(user, objective))


def chosen_parents(user: User, objective: Objective, refs: list[str] | None) -> list[Objective]:
    """The parents asked for, or the current ones when none are sent (the service keeps
    the parents `user` cannot see either way)."""
    if refs is None:
        return list(objective.parents.all())
    return resolve_objectives(user, refs, "parents")


@router.patch("/objectives/{ref}", response=ok(ObjectiveOut), summary="Change an objective")
def update_objective(
    request: HttpRequest, ref: Path[Ref], payload: ObjectivePatch
) -> dict[str, Any]:
    """Only the fields sent change. Send `version` (from a read) to refuse overwriting
    someone else's edit made since (409)."""
    user = caller(request)
    objective = editable_objective(user, ref)
    given = payload.model_fields_set
    services.objective_update(
        objective=objective,
        version=payload.version or selectors.objective_version(objective, user),
        title=payload.title if payload.title is not None else objective.title,
        description=objective.description if payload.description is None else payload.description,
        team=resolve_team(user, payload.team) if "team" in given else objective.team,
        kind=payload.kind or objective.kind,
        visibility=payload.visibility or objective.visibility,
        parents=chosen_parents(user, objective, payload.parents),
        editor=user,
        owner=new_owner(user, objective, payload.owner),
    )
    return fresh(user, objective)


def new_owner(user: User, objective: Objective, email: str | None) -> User | None:
    """The owner named in a change (None: unchanged); admins name anyone, members themselves."""
    if email is None:
        return None
    owner = resolve_person(user, email, "owner")
    if not permissions.can_assign_owner(user, owner, current=objective.owner):
        raise PermissionDenied("Only admins name another person an objective's owner.")
    return owner


@router.post("/objectives/{ref}/archive", response=ok(ObjectiveOut), summary="Archive")
def archive_objective(request: HttpRequest, ref: Path[Ref]) -> dict[str, Any]:
    """An archived objective takes no check-ins or changes until restored."""
    user = caller(request)
    objective = services.objective_archive(objective=editable_objective(user, ref))
    return fresh(user, objective)


@router.post("/objectives/{ref}/restore", response=ok(ObjectiveOut), summary="Restore")
def restore_objective(request: HttpRequest, ref: Path[Ref]) -> dict[str, Any]:
    user = caller(request)
    objective = services.objective_restore(objective=editable_objective(user, ref))
    return fresh(user, objective)


@router.post(
    "/objectives/{ref}/parents/{parent_ref}",
    response=ok(ObjectiveOut),
    summary="Align to a parent",
)
def align_objective(request: HttpRequest, ref: Path[Ref], parent_ref: Path[Ref]) -> dict[str, Any]:
    """The objective supports `parent_ref` too (same or enclosing cycle; never a loop)."""
    user = caller(request)
    child = editable_objective(user, ref)
    parent = queries.objective(user, parent_ref)
    services.objective_align(child=child, parent=parent)
    return fresh(user, child)


@router.delete(
    "/objectives/{ref}/parents/{parent_ref}",
    response=ok(ObjectiveOut),
    summary="Unalign from a parent",
)
def unalign_objective(
    request: HttpRequest, ref: Path[Ref], parent_ref: Path[Ref]
) -> dict[str, Any]:
    user = caller(request)
    child = editable_objective(user, ref)
    parent = queries.objective(user, parent_ref)
    services.objective_unalign(child=child, parent=parent)
    return fresh(user, child)


@router.post(
    "/objectives/{ref}/copy",
    response=ok(ObjectiveOut, 201),
    summary="Copy",
    openapi_extra=NEW_OBJECTIVE,
)
def copy_objective(request: HttpRequest, ref: Path[Ref], payload: CopyIn) -> Status[dict[str, Any]]:
    """A fresh copy in another cycle with the chosen key results (default: all); you own
    the copy."""
    user = caller(request)
    objective = editable_objective(user, ref)
    key_results = list(objective.key_results.order_by("position", "id"))
    if payload.key_results is not None:
        key_results = chosen(key_results, payload.key_results)
    copy = services.objective_copy(
        objective=objective,
        cycle=resolve_cycle(user, payload.cycle),
        key_results=key_results,
        owner=user,
    )
    return Status(201, fresh(user, copy))


def chosen(key_results: list[Any], refs: list[str]) -> list[Any]:
    by_ref = {kr.ref: kr for kr in key_results}
    missing = [
        {"loc": ("body", "key_results", i), "msg": "not a key result of this objective"}
        for i, ref in enumerate(refs)
        if ref not in by_ref
    ]
    if missing:
        raise ValidationError(missing)
    wanted = set(refs)
    return [kr for kr in key_results if kr.ref in wanted]


@router.put(
    "/objectives/{ref}/retrospective",
    response=ok(ObjectiveOut),
    summary="Set the close-out: final score override and retrospective",
)
def set_retrospective(
    request: HttpRequest, ref: Path[Ref], payload: RetrospectiveIn
) -> dict[str, Any]:
    """A final score different from the computed one needs `override_reason`; both are
    kept (`final_score` is the computed one, `score` shows the override)."""
    user = caller(request)
    objective = editable_objective(user, ref)
    services.objective_set_retrospective(objective=objective, **payload.model_dump())
    return fresh(user, objective)
