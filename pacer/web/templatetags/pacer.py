"""Shared presentation of Pacer's numbers: progress bars, status chips, percentages."""

import contextlib
from datetime import datetime
from decimal import Decimal

from django import template
from django.template import defaultfilters
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()

STATUS_LABELS = {
    "done": "Done",
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
}


@register.filter
def percent(value: Decimal | float | None) -> str:
    """0.456 -> '46%'."""
    if value is None:
        return "-"
    return f"{Decimal(value) * 100:.0f}%"


@register.filter(expects_localtime=False)
def moment(value: datetime | None, format: str | None = None) -> str:
    """A stored moment like Django's `date` filter, in the server's time zone.

    A moment at the edge of the calendar (a check-in stored in year 1, before dates were
    checked) cannot be converted to a zone west of UTC: it is shown in UTC instead of
    breaking the page.
    """
    if value is None or value == "":
        return ""
    with contextlib.suppress(OverflowError):
        value = timezone.localtime(value)
    return str(defaultfilters.date(value, format))


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


@register.simple_tag
def status_chip(status: str) -> str:
    return format_html('<span class="chip {}">{}</span>', status, status_label(status))


@register.simple_tag
def confidence_chip(confidence: str) -> str:
    if not confidence:
        return format_html('<span class="muted small">{}</span>', "no confidence yet")
    return format_html(
        '<span class="chip confidence {}" title="Reported confidence">{}</span>',
        confidence,
        status_label(confidence),
    )


@register.simple_tag
def progress_bar(progress: Decimal, expected: Decimal | None = None) -> str:
    """A bar of `progress` with a tick where the linear pace expects it to be."""
    fill = f"{min(Decimal(progress), Decimal(1)) * 100:.1f}"
    label = f"Progress {percent(progress)}"
    tick = ""
    if expected is not None:
        label += f", expected {percent(expected)}"
        tick = format_html(
            '<span class="expected" style="left: {}%"></span>', f"{Decimal(expected) * 100:.1f}"
        )
    return format_html(
        '<div class="bar" role="img" aria-label="{}"><span class="fill" style="width: {}%">'
        "</span>{}</div>",
        label,
        fill,
        tick,
    )


@register.simple_tag
def score(value: Decimal, color: str) -> str:
    return format_html('<span class="score {}">{}</span>', color, f"{value:.1f}")
