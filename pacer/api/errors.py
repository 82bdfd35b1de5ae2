"""Every error as `application/problem+json` (RFC 9457), with the field path of each problem.

{"type": "urn:pacer:problem:validation", "title": "Invalid input", "status": 422,
 "detail": "...", "errors": [{"field": "body.items[3].value", "message": "..."}]}
"""

import logging
import math
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from pacer import busy
from pacer.okrs.errors import DomainError

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TITLES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("too-large", "Request too large"),
    422: ("validation", "Invalid input"),
    429: ("too-many-requests", "Too many requests"),
    500: ("server-error", "Server error"),
    503: ("busy", "Busy, try again"),
}
# Problems about these fields are conflicts with the stored state (a closed cycle, an
# archived objective, an edit made by someone else since), not bad input.
CONFLICT_FIELDS = {"cycle", "version", "archived"}


class NotFound(Http404):
    """A missing (or hidden: never a 403) resource, named without its content."""

    def __init__(self, what: str) -> None:
        super().__init__(f"No {what} with this reference (or it is not visible to you).")


def problem(
    status: int, detail: str, errors: Iterable[tuple[str, str]] = (), **headers: str
) -> HttpResponse:
    slug, title = TITLES.get(status, ("error", "Error"))
    body = {
        "type": f"urn:pacer:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "errors": [{"field": field, "message": message} for field, message in errors],
    }
    response = JsonResponse(body, status=status, content_type=PROBLEM_JSON)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def field_path(loc: Sequence[Any]) -> str:
    """("body", "payload", "items", 3, "value") -> "body.items[3].value"."""
    parts = list(loc)
    if len(parts) > 1 and parts[0] == "body" and parts[1] == "payload":
        del parts[1]
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def domain_field(field: str, prefix: str = "body") -> str:
    """A service's field name as a request path: "key_results-0-target" (the web forms'
    spelling) -> "body.key_results[0].target"; "items[3].value" -> "body.items[3].value"."""
    if not field:
        return prefix
    parts = field.split("-")
    if len(parts) == 3 and parts[1].isdigit():
        field = f"{parts[0]}[{parts[1]}].{parts[2]}"
    return f"{prefix}.{field}"


def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [(field_path(e.get("loc", ())), str(e.get("msg", "is invalid"))) for e in exc.errors]
    return problem(422, "; ".join(f"{field}: {message}" for field, message in errors), errors)


def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    fields = {field.split(".")[-1] for field, _ in exc.problems}
    status = 409 if fields and fields <= CONFLICT_FIELDS else 422
    errors = [(domain_field(field), message) for field, message in exc.problems]
    return problem(status, str(exc), errors)


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        detail = "Send a valid token as 'Authorization: Bearer <token>', or sign in."
        return problem(401, detail, WWW_Authenticate='Bearer realm="pacer"')
    if isinstance(exc, Throttled) and exc.wait is not None:
        return problem(429, exc.message, Retry_After=str(math.ceil(exc.wait)))
    return problem(exc.status_code, exc.message)


def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = str(exc) if isinstance(exc, NotFound) else "Not found."
    return problem(404, detail)


def on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(403, str(exc) or "You may not do this.")


def on_bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        return problem(413, "The request body is too large.")
    return problem(400, "The request could not be understood.")


def on_database_error(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """A busy database (another write held the lock too long) is a 503: nothing was written,
    send the request again (pacer/busy.py). Any other database error is a bug."""
    if not busy.is_busy(exc):
        return on_unexpected(request, exc)
    logger.warning("Database busy on %s %s: %s", request.method, request.path, exc)
    detail = "The database is busy with other writes; nothing was written. Try again shortly."
    return problem(503, detail, Retry_After=str(busy.RETRY_AFTER_SECONDS))


def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug: logged with its traceback; the client learns nothing of the internals."""
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return problem(500, "Something went wrong on our side; it has been logged.")


HANDLERS: list[tuple[type[Exception], Any]] = [
    (ValidationError, on_validation_error),
    (DomainError, on_domain_error),
    (HttpError, on_http_error),
    (Http404, on_not_found),
    (PermissionDenied, on_permission_denied),
    (SuspiciousOperation, on_bad_request),
    (OperationalError, on_database_error),
    (Exception, on_unexpected),
]


def install(api: NinjaAPI) -> None:
    for exception, handler in HANDLERS:
        api.add_exception_handler(exception, handler)


def not_found_view(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any path under /api/v1/ that names no operation."""
    return problem(404, "No such operation.")
