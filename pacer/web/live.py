"""Live pages (docs/live-pages.md): a page's live region polls its own URL with htmx every
`PACER_LIVE_SECONDS` and sends the ETag of what it shows; the view answers 304 Not Modified
until the page's version moves, and the usual fragment (or page) when it does.

`@live(version_of)` wraps a page view. `version_of(request, *args, **kwargs)` is one small
query (`web/selectors/versions.py`) read through the visibility selector; None means the
person may not see the page (the view then answers its own 404). The ETag is a keyed hash
of the person and the version, so two people never share one and it reveals nothing of the
numbers behind it. The page itself carries no ETag header (a full page holds a CSRF token
and one-off messages; no cache should revalidate it): the template writes the current one
into the region (`{% live_region %}`, templatetags/live.py) from `request.live_etag`.

Why polling and not server-sent events: every server answers from the shared database, so
more servers need no sticky sessions or pub/sub, and a sync worker is never held by an
open tab; an unchanged region costs the version query and a 304.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.http import parse_etags

from pacer.web.htmx import wants_fragment
from pacer.web.selectors.versions import Version

View = Callable[..., HttpResponse]
VersionOf = Callable[..., Version | None]


def poll_seconds() -> int:
    """How often a live region asks (0: live regions are off)."""
    return int(getattr(settings, "PACER_LIVE_SECONDS", 5))


def etag_for(person_id: int | None, version: Version) -> str:
    digest = salted_hmac("pacer.web.live", repr((person_id, version))).hexdigest()[:32]
    return f'"{digest}"'


def unchanged(request: HttpRequest, etag: str) -> bool:
    """The request's If-None-Match holds `etag` (weak comparison: a proxy that compresses
    the answer may have marked it W/)."""
    sent = parse_etags(request.headers.get("If-None-Match", ""))
    return etag in {tag.removeprefix("W/") for tag in sent}


def live(version_of: VersionOf) -> Callable[[View], View]:
    """Answer a live region's poll with 304 while `version_of` is unchanged (see module)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            version = version_of(request, *args, **kwargs)
            etag = None if version is None else etag_for(request.user.pk, version)
            polled = wants_fragment(request)
            if etag is not None and polled and unchanged(request, etag):
                return fragment_headers(HttpResponseNotModified(), etag)
            request.live_etag = etag  # type: ignore[attr-defined]
            response = view(request, *args, **kwargs)
            if polled:
                # Read before rendering: a write in between leaves the answer newer than its
                # tag, so the next poll renders once more; never an old answer with a new tag.
                fragment_headers(response, etag if response.status_code == 200 else None)
            return response

        return wrapper

    return decorate


def fragment_headers(response: HttpResponse, etag: str | None) -> HttpResponse:
    """A fragment is the person's own, revalidated every time."""
    if etag is not None:
        response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("HX-Request", "Cookie"))
    return response
