"""What the endpoints share: response maps, the date of computed numbers, guards, lookups."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja.errors import ValidationError

from pacer.accounts.models import User
from pacer.api import queries
from pacer.api.schemas import Problem
from pacer.okrs import permissions, selectors
from pacer.okrs.models import Cycle, KeyResult, Objective, Team

ERRORS: dict[int, Any] = {code: Problem for code in (400, 401, 403, 404, 409, 422, 429, 503)}


def ok(schema: Any, status: int = 200) -> dict[int, Any]:
    """The responses of an operation: its success, and problem details for every error."""
    return {status: schema, **ERRORS}


NO_CONTENT = ok(None, 204)


def links(status: int, parameters: dict[str, str], *operations: str) -> dict[str, Any]:
    """`openapi_extra` with OpenAPI links from the `status` response to `operations`
    ("objectives.get_objective": module and function), which take `parameters` (runtime
    expressions such as "$response.body#/ref"). Clients and schemathesis's stateful tests
    follow them: create an objective, then read, change, archive it by its ref."""
    found = {
        operation.split(".")[1]: {
            "operationId": "pacer_api_endpoints_" + operation.replace(".", "_"),
            "parameters": parameters,
        }
        for operation in operations
    }
    return {"responses": {status: {"links": found}}}


def on_date(as_of: date | None) -> date:
    return as_of or timezone.localdate()


def require_admin(user: User) -> None:
    """Cycles, settings and people are the organization's admins' (pacer.okrs.permissions)."""
    if not permissions.is_admin_of(user, user.organization_id):
        raise PermissionDenied("Only organization admins may do this.")


def editable_objective(user: User, ref: str) -> Objective:
    """404 if `user` may not see it, 403 if they may see but not change it."""
    objective = queries.objective(user, ref)
    require_editor(user, objective)
    return objective


def require_editor(user: User, objective: Objective) -> None:
    if not permissions.can_edit_objective(user, objective):
        raise PermissionDenied("Only the owner, the owning team and admins change this objective.")


def require_checker(user: User, kr: KeyResult) -> None:
    """Check-ins: the objective's editors and the key result's owner (`can_check_in`)."""
    if not permissions.can_check_in(user, kr):
        raise PermissionDenied("Only the objective's editors and the key result's owner check in.")


def editable_key_result(user: User, ref: str) -> KeyResult:
    kr = queries.key_result(user, ref)
    require_editor(user, kr.objective)
    return kr


def field_loc(field: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in field.split("."))


def resolve_cycle(user: User, ref: str, field: str = "cycle") -> Cycle:
    found = queries.cycles(user).filter(ref=ref).first()
    if found is None:
        raise ValidationError(
            [{"loc": ("body", *field_loc(field)), "msg": "no cycle with this ref"}]
        )
    return found


def resolve_team(user: User, ref: str | None, field: str = "team") -> Team | None:
    if ref is None:
        return None
    found = queries.teams(user).filter(ref=ref).first()
    if found is None:
        raise ValidationError(
            [{"loc": ("body", *field_loc(field)), "msg": "no team with this ref"}]
        )
    return found


def resolve_person(user: User, email: str, field: str) -> User:
    found = User.objects.filter(
        organization_id=queries.organization_id(user), email=email.lower(), is_active=True
    ).first()
    if found is None:
        raise ValidationError(
            [{"loc": ("body", *field_loc(field)), "msg": "no active person with this email"}]
        )
    return found


def resolve_objectives(user: User, refs: Sequence[str], field: str) -> list[Objective]:
    """Visible objectives by ref, in the order given; an unknown or hidden ref is an error."""
    found = {
        o.ref: o
        for o in selectors.objectives_visible_to(user).filter(ref__in=refs).select_related("cycle")
    }
    missing = [
        {"loc": ("body", *field_loc(field), index), "msg": "no objective with this ref"}
        for index, ref in enumerate(refs)
        if ref not in found
    ]
    if missing:
        raise ValidationError(missing)
    return [found[ref] for ref in dict.fromkeys(refs)]


def resolve_objective(user: User, ref: str | None, field: str) -> Objective | None:
    if ref is None:
        return None
    found = selectors.objectives_visible_to(user).filter(ref=ref).select_related("cycle").first()
    if found is None:
        raise ValidationError(
            [{"loc": ("body", *field_loc(field)), "msg": "no objective with this ref"}]
        )
    return found
