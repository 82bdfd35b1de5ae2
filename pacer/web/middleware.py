"""Web middleware: a busy database answers a 503 page with Retry-After (pacer/busy.py)."""

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pacer.busy import RETRY_AFTER_SECONDS, is_busy

logger = logging.getLogger(__name__)


class BusyDatabaseMiddleware:
    """A write that waited too long for another's lock gets "try again", not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_busy(exception):
            return None
        logger.warning("Database busy on %s %s: %s", request.method, request.path, exception)
        context = {"retry_after": RETRY_AFTER_SECONDS}
        response = render(request, "503.html", context, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
