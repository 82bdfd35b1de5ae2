"""The one htmx convention: a view answers with the whole page, or for an htmx request with
a fragment from `partials/`.

A history restore (`HX-History-Restore-Request`, htmx re-fetching a page that fell out of
its cache) gets the whole page. Every answer varies on `HX-Request`, so a cache never hands
a fragment to a plain visit or the page to htmx.
"""

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request for part of a page (a history restore needs the whole page)."""
    htmx = cast(HtmxHttpRequest, request).htmx
    return bool(htmx) and not htmx.history_restore_request


def render_page_or_fragment(
    request: HttpRequest,
    page: str,
    fragment: str,
    context: dict[str, Any],
    *,
    page_status: int = 200,
) -> HttpResponse:
    """The fragment for htmx, else the page with `page_status` (a form's errors: 400).

    A fragment always answers 200: htmx swaps only successful answers into the page, and a
    fragment with a form's errors is meant to replace the form.
    """
    if wants_fragment(request):
        response = render(request, fragment, context)
    else:
        response = render(request, page, context, status=page_status)
    patch_vary_headers(response, ("HX-Request",))
    return response
