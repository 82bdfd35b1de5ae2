"""`{% live_region %}`: the attributes that make an element a live region (pacer.web.live).

The element polls its own page (static/pacer/live.js sends the ETag it holds and keeps the
region on 304), swaps its inner HTML and tells screen readers politely. `select` picks the
region's children out of a whole page, for views that answer htmx with the page itself.
Without an ETag (live regions off, or nothing to watch) the element is only polite.
"""

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from pacer.web.live import poll_seconds

register = template.Library()
POLITE = 'aria-live="polite"'  # a region that may change tells screen readers, politely


@register.simple_tag(takes_context=True)
def live_region(context: dict[str, Any], select: str = "") -> SafeString:
    request = context.get("request")
    etag = getattr(request, "live_etag", None)
    seconds = poll_seconds()
    if request is None or etag is None or seconds <= 0:
        return mark_safe(POLITE)
    attributes = format_html(
        'data-live data-live-etag="{}" hx-get="{}" hx-trigger="every {}s" hx-swap="innerHTML"'
        ' hx-disinherit="*" ' + POLITE,
        etag,
        request.path,
        seconds,
    )
    if select:
        attributes += format_html(' hx-select="{}"', select)
    return attributes
