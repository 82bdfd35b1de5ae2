"""Key results and their milestones."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from pacer.accounts.models import User
from pacer.api import queries
from pacer.api.auth import caller
from pacer.api.endpoints.common import (
    NO_CONTENT,
    editable_key_result,
    editable_objective,
    links,
    ok,
    on_date,
    require_editor,
    resolve_objective,
    resolve_person,
)
from pacer.api.endpoints.objectives import key_result_spec
from pacer.api.pagination import paged
from pacer.api.present import key_result_out, milestone_out
from pacer.api.schemas import (
    AsOfQuery,
    Id,
    KeyResultIn,
    KeyResultList,
    KeyResultOut,
    KeyResultPatch,
    KeyResultQuery,
    MilestoneIn,
    MilestoneList,
    MilestoneOut,
    MilestonePatch,
    MoveIn,
    PageQuery,
    Ref,
)
from pacer.okrs import services
from pacer.okrs.models import KeyResult

router = Router(tags=["key results"])
# Fields a PATCH may set to null; null for the others means "leave as is".
CLEARABLE = {"start", "target", "threshold", "low", "high", "due"}


def filtered(user: User, f: KeyResultQuery) -> QuerySet[KeyResult]:
    conditions: dict[str, Any] = {
        "objective__ref": f.objective,
        "objective__cycle__ref": f.cycle,
        "type": f.type,
        "updated_at__gte": f.updated_since,
    }
    return queries.key_results(user).filter(
        **{k: v for k, v in conditions.items() if v is not None}
    )


def present(rows: list[KeyResult], on: Any) -> list[dict[str, Any]]:
    return [key_result_out(kr, on=on) for kr in rows]


def fresh(user: User, kr: KeyResult, as_of: Any = None) -> dict[str, Any]:
    return present([queries.key_result(user, kr.ref)], on_date(as_of))[0]


@router.get("/key-results", response=ok(KeyResultList), summary="List key results")
def list_key_results(request: HttpRequest, filters: Query[KeyResultQuery]) -> dict[str, Any]:
    user, on = caller(request), on_date(filters.as_of)
    return paged(
        filtered(user, filters),
        cursor=filters.cursor,
        limit=filters.limit,
        present=lambda rows: present(list(rows), on),
    )


@router.get("/key-results/{ref}", response=ok(KeyResultOut), summary="Read a key result")
def get_key_result(request: HttpRequest, ref: Path[Ref], query: Query[AsOfQuery]) -> dict[str, Any]:
    user = caller(request)
    return present([queries.key_result(user, ref)], on_date(query.as_of))[0]


@router.post(
    "/objectives/{ref}/key-results",
    response=ok(KeyResultOut, 201),
    summary="Add a key result to an objective",
    openapi_extra=links(
        201,
        {"ref": "$response.body#/ref"},
        "key_results.get_key_result",
        "key_results.update_key_result",
        "key_results.delete_key_result",
        "key_results.move_key_result",
        "key_results.list_milestones",
        "key_results.create_milestone",
        "checkins.list_key_result_checkins",
        "checkins.create_checkin",
    ),
)
def create_key_result(
    request: HttpRequest, ref: Path[Ref], payload: KeyResultIn
) -> Status[dict[str, Any]]:
    user = caller(request)
    objective = editable_objective(user, ref)
    spec = key_result_spec(user, payload)
    kr = services.key_result_create(objective=objective, spec=spec)
    return Status(201, fresh(user, kr))


@router.patch("/key-results/{ref}", response=ok(KeyResultOut), summary="Change a key result")
def update_key_result(
    request: HttpRequest, ref: Path[Ref], payload: KeyResultPatch
) -> dict[str, Any]:
    """Only the fields sent change; a type change must suit the stored check-ins."""
    user = caller(request)
    kr = editable_key_result(user, ref)
    changes = {
        name: value
        for name, value in payload.model_dump(exclude_unset=True).items()
        if value is not None or name in CLEARABLE
    }
    changes.pop("linked_objective", None)
    if "linked_objective" in payload.model_fields_set:
        changes["linked_objective"] = resolve_objective(
            user, payload.linked_objective, "linked_objective"
        )
    changes.pop("owner", None)
    if "owner" in payload.model_fields_set:  # null: no owner
        changes["owner"] = resolve_person(user, payload.owner, "owner") if payload.owner else None
    kr = services.key_result_update(key_result=kr, spec=services.key_result_spec(kr, **changes))
    return fresh(user, kr)


@router.delete("/key-results/{ref}", response=NO_CONTENT, summary="Delete a key result")
def delete_key_result(request: HttpRequest, ref: Path[Ref]) -> Status[None]:
    """With its check-ins and milestones (they appear in `/deletions`)."""
    services.key_result_delete(key_result=editable_key_result(caller(request), ref))
    return Status(204, None)


@router.post(
    "/key-results/{ref}/move", response=ok(KeyResultOut), summary="Move to another objective"
)
def move_key_result(request: HttpRequest, ref: Path[Ref], payload: MoveIn) -> dict[str, Any]:
    """With its check-ins; you must be allowed to change both objectives."""
    user = caller(request)
    kr = editable_key_result(user, ref)
    target = resolve_objective(user, payload.objective, "objective")
    assert target is not None
    require_editor(user, target)
    kr = services.key_result_move(key_result=kr, objective=target)
    return fresh(user, kr)


# --- Milestones --------------------------------------------------------------------------


@router.get("/key-results/{ref}/milestones", response=ok(MilestoneList), summary="List milestones")
def list_milestones(
    request: HttpRequest, ref: Path[Ref], query: Query[PageQuery]
) -> dict[str, Any]:
    kr = queries.key_result(caller(request), ref)
    return paged(
        kr.milestones.all(),
        cursor=query.cursor,
        limit=query.limit,
        present=lambda rows: [milestone_out(m) for m in rows],
    )


@router.post(
    "/key-results/{ref}/milestones",
    response=ok(MilestoneOut, 201),
    summary="Add a milestone",
    openapi_extra=links(
        201,
        {"ref": "$request.path.ref", "milestone_id": "$response.body#/id"},
        "key_results.update_milestone",
        "key_results.delete_milestone",
    ),
)
def create_milestone(
    request: HttpRequest, ref: Path[Ref], payload: MilestoneIn
) -> Status[dict[str, Any]]:
    kr = editable_key_result(caller(request), ref)
    milestone = services.milestone_create(key_result=kr, **payload.model_dump())
    return Status(201, milestone_out(milestone))


@router.patch(
    "/key-results/{ref}/milestones/{milestone_id}",
    response=ok(MilestoneOut),
    summary="Change a milestone (or mark it done)",
)
def update_milestone(
    request: HttpRequest, ref: Path[Ref], milestone_id: Path[Id], payload: MilestonePatch
) -> dict[str, Any]:
    kr = editable_key_result(caller(request), ref)
    milestone = queries.milestone(kr, milestone_id)
    milestone = services.milestone_update(
        milestone=milestone, **payload.model_dump(exclude_unset=True)
    )
    return milestone_out(milestone)


@router.delete(
    "/key-results/{ref}/milestones/{milestone_id}",
    response=NO_CONTENT,
    summary="Delete a milestone",
)
def delete_milestone(request: HttpRequest, ref: Path[Ref], milestone_id: Path[Id]) -> Status[None]:
    kr = editable_key_result(caller(request), ref)
    services.milestone_delete(milestone=queries.milestone(kr, milestone_id))
    return Status(204, None)
