"""Production URLs plus `/bench/noop`: a JSON answer through the same middleware, no SQL."""

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, path

from pacer.urls import urlpatterns as production


def noop(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns: list[URLPattern | URLResolver] = [path("bench/noop", noop), *production]
