"""The API at /api/v1/: django-ninja with Pacer's auth, problem details and ETags."""

import hashlib
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from ninja import NinjaAPI, Swagger
from ninja.openapi.schema import OpenAPISchema

from pacer.api import errors
from pacer.api.auth import AUTH
from pacer.api.endpoints import (
    checkins,
    comments,
    cycles,
    initiatives,
    key_results,
    objectives,
    organization,
)
from pacer.api.endpoints import kpis as kpi_endpoints
from pacer.api.endpoints import notifications as notification_endpoints
from pacer.api.endpoints import sources as source_endpoints
from pacer.api.throttling import THROTTLES
from pacer.messaging.api import router as messaging_router
from pacer.webhooks.api import router as webhooks_router


class PacerSwagger(Swagger):
    """Swagger UI from ninja's static files, in a page that says its language (lang="en")."""

    template = "api/swagger.html"


DESCRIPTION = """\
Everything Pacer's web app does, over REST. Authenticate with a personal token
(`Authorization: Bearer pacer_...`, created with `pacer token create`) or a browser session
(writes then need the `X-CSRFToken` header). Lists are cursor-paginated
(`limit`, `cursor` → `next_cursor`) and take `updated_since` for incremental sync; deletions
are listed at `/deletions`. Errors are `application/problem+json` (RFC 9457).
See docs/api.md.
"""
READS = ("GET", "HEAD")


class PacerAPI(NinjaAPI):
    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        if request.method in READS and response.status_code == 200:
            return with_etag(request, response)
        return response

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        for path in schema["paths"].values():
            for operation in path.values():
                problems_as_problem_json(operation)
        return schema


def with_etag(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A strong ETag from the body; If-None-Match with it gets an empty 304."""
    etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    asked = request.headers.get("If-None-Match", "")
    if etag in [tag.strip().removeprefix("W/") for tag in asked.split(",")] or asked == "*":
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        return not_modified
    response["ETag"] = etag
    return response


def problems_as_problem_json(operation: dict[str, Any]) -> None:
    for code, response in operation.get("responses", {}).items():
        content = response.get("content", {})
        if int(code) >= 400 and "application/json" in content:
            response["content"] = {errors.PROBLEM_JSON: content["application/json"]}


api = PacerAPI(
    title="Pacer API",
    version="1",
    description=DESCRIPTION,
    auth=AUTH,
    throttle=THROTTLES,  # settings.PACER_API_RATES; 429 problem with Retry-After
    urls_namespace="api-v1",
    # Swagger UI from Pacer's static files ("ninja" is installed); no validator badge, which
    # would load an image from validator.swagger.io (the CSP allows 'self' only).
    docs=PacerSwagger(settings={"validatorUrl": None}),
)
errors.install(api)
for module in (organization, cycles, objectives, key_results, checkins, comments, initiatives):
    api.add_router("", module.router)
api.add_router("", messaging_router)  # a team's Slack and Teams channels
api.add_router("", notification_endpoints.router)  # the caller's notifications
api.add_router("", webhooks_router)  # signed webhooks out (admins)
api.add_router("", source_endpoints.router)  # metric key results fed by data sources
api.add_router("", kpi_endpoints.router)  # KPIs: health metrics outside cycles
