"""Shared presentation of Pacer's numbers: progress bars, status chips, percentages."""

import contextlib
from datetime import datetime
from decimal import Decimal

from django import template
from django.template import defaultfilters
from django.utils import timezone
from django.utils.html import format_html

from pacer.okrs import progress as engine
from pacer.okrs.selectors import Pace

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


# --- A pace as pages show it: live (status, expected pace) or final (closed cycle) --------
# Every page shows a `Pace` through these tags, so "the cycle is closed: show the final
# score, its colour and success, never status or expected pace" is decided here, once, from
# `pace.final` (set by okrs.selectors from the cycle's state).


@register.simple_tag
def pace_bar(pace: Pace) -> str:
    """The progress bar; the expected-pace tick only while the cycle is live."""
    return progress_bar(pace.progress, None if pace.final else pace.expected)


@register.simple_tag
def pace_status(pace: Pace) -> str:
    """Live: the status chip. Final: met or not met (an objective), or "Final" (a KR)."""
    if not pace.final:
        return status_chip(pace.status)
    if pace.succeeded is None:
        return format_html(
            '<span class="chip final" title="{}">Final</span>', "Score frozen at close"
        )
    met = "met" if pace.succeeded else "not_met"
    return format_html(
        '<span class="chip {}" title="{}">{}</span>',
        met,
        "Success by the objective's kind, at its final score",
        "Met" if pace.succeeded else "Not met",
    )


@register.simple_tag
def pace_confidence(pace: Pace, confidence: str) -> str:
    """The reported confidence while live; none once the cycle is closed (it is history)."""
    if pace.final:
        return format_html('<span class="muted small">{}</span>', "closed")
    return confidence_chip(confidence)


DISAGREEMENTS = {
    (engine.AHEAD_OF_CONFIDENCE, "key_result"): (
        "Progress is on pace, but the owner's last check-in reported low confidence."
    ),
    (engine.BEHIND_CONFIDENCE, "key_result"): (
        "Progress is behind the expected pace, but the owner's last check-in reported on track."
    ),
    (engine.AHEAD_OF_CONFIDENCE, "objective"): (
        "Progress is on pace, but a key result's last check-in reported low confidence."
    ),
    (engine.BEHIND_CONFIDENCE, "objective"): (
        "Progress is behind the expected pace, but the last check-ins reported on track."
    ),
}


@register.simple_tag
def pace_disagreement(pace: Pace, confidence: str, subject: str = "key_result") -> str:
    """One line where the computed status and the reported confidence disagree
    (`progress.confidence_disagreement`); nothing once the cycle is closed."""
    if pace.final:
        return ""
    found = engine.confidence_disagreement(pace.status, confidence)
    if found is None:
        return ""
    return format_html(
        '<p class="disagreement small" data-testid="disagreement">{}</p>',
        DISAGREEMENTS[found, subject],
    )


@register.simple_tag
def pace_legend() -> str:
    """What the tick on a progress bar means; once per page with live bars."""
    return format_html(
        '<p class="small muted pace-legend" data-testid="pace-legend">'
        '<span class="tick-key" aria-hidden="true"></span> {}</p>',
        "The tick on a progress bar marks where progress should be today at a steady pace.",
    )
