"""Progress-over-time charts, drawn on the server as SVG.

Why server-side SVG and no JavaScript chart library: the chart is a pure function from
(date, progress) points and a window to an SVG string, so it needs no vendored library,
works without scripts, is swapped by htmx like any other HTML fragment, follows the light and
dark themes through CSS classes, and is tested like any other function.

Two parts, both pure (no ORM):
* series: progress at each check-in date, recomputed with the progress engine from each
  check-in's value (`key_result_series`), and the objective's weighted line from its key
  results' series (`objective_series`);
* drawing: `progress_chart` turns a series and its window into SVG, with the expected-pace
  line (0 at the window's start to 1 at its end) dashed behind it, and the forecast (a
  dashed line from the last check-in to the forecast progress at the window's end,
  docs/forecast.md) when there is one.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise

from django.utils import timezone
from django.utils.html import escape

from pacer.okrs import progress as engine

Point = tuple[date, Decimal]

WIDTH, HEIGHT = 480, 170
LEFT, RIGHT, TOP, BOTTOM = 38, 10, 10, 24


@dataclass(frozen=True)
class Reading:
    """One dated input of a key result: a check-in's value, or a milestone becoming done."""

    on: date
    value: Decimal | None = None
    milestone_done: int | None = None  # index into the facts' milestones


def local_day(moment: datetime) -> date:
    """The day of a stored moment in the server's time zone (TIME_ZONE).

    A moment at the edge of the calendar (a check-in stored in year 1, before dates were
    checked) cannot be converted to a zone west of UTC: it keeps its UTC day instead of
    breaking the page.
    """
    try:
        return timezone.localdate(moment)
    except OverflowError:
        return moment.date()


def key_result_series(
    facts: engine.KeyResultFacts,
    readings: Iterable[Reading],
    *,
    window_start: date,
    today: date,
    current_progress: Decimal,
) -> list[Point]:
    """Progress after each reading, oldest first, from 0 at the window's start to today.

    Check-ins count by their value (metric, yes/no, health metrics); milestones count from
    the day they were marked done. A linked key result has no dated inputs of its own: its
    line is flat at 0 and ends at today's stored progress. The last point is always the
    stored progress today, so the chart ends where the page's numbers are.
    """
    ordered = sorted(readings, key=lambda r: r.on)
    no_milestones_done = tuple(replace(m, done=False) for m in facts.milestones)
    state = replace(facts, current=None, milestones=no_milestones_done)
    points: list[Point] = [(window_start, engine.key_result_progress(state))]
    for reading in ordered:
        state = _apply(state, reading, facts)
        points.append((reading.on, engine.key_result_progress(state)))
    points.append((today, current_progress))
    return _one_per_day(points)


def _apply(
    state: engine.KeyResultFacts, reading: Reading, facts: engine.KeyResultFacts
) -> engine.KeyResultFacts:
    if reading.milestone_done is not None:
        milestones = list(state.milestones)
        milestones[reading.milestone_done] = facts.milestones[reading.milestone_done]
        return replace(state, milestones=tuple(milestones))
    return replace(state, current=reading.value)


def _one_per_day(points: Sequence[Point]) -> list[Point]:
    """Keep the last point of each day (a later check-in the same day replaces earlier)."""
    by_day: dict[date, Decimal] = {}
    for on, value in points:
        by_day[on] = value
    return sorted(by_day.items())


def progress_at(series: Sequence[Point], on: date) -> Decimal:
    """The value of a step series at `on` (the latest point on or before it)."""
    value = engine.ZERO
    for day, progress in series:
        if day > on:
            break
        value = progress
    return value


def objective_series(weighted: Sequence[tuple[Decimal, Sequence[Point]]]) -> list[Point]:
    """The objective's progress at every day one of its key results moved: Σ(w·p)/Σw."""
    days = sorted({day for _, series in weighted for day, _ in series})
    return [
        (day, engine.objective_progress((w, progress_at(s, day)) for w, s in weighted))
        for day in days
    ]


# --- Drawing ----------------------------------------------------------------------------


def progress_chart(
    points: Sequence[Point],
    *,
    window_start: date,
    window_end: date,
    title: str,
    dom_id: str,
    today: date | None = None,
    pace: bool = True,
    forecast: tuple[Point, Decimal] | None = None,
) -> str:
    """An accessible SVG: actual progress (steps) against the expected-pace line.

    `pace` False (a closed cycle) leaves out the expected-pace line and today's mark.
    `forecast`: ((day of the last check-in, progress then), forecast progress at the
    window's end), drawn as a dashed line between the two."""
    scale = _Scale(window_start, window_end)
    label = escape(title)
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{dom_id}-title" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{dom_id}-title">{label}</title>',
        *_axes(scale, window_start, window_end),
    ]
    if pace:
        parts.append(
            f'<polyline class="pace" points="{scale.xy(window_start, 0)} '
            f'{scale.xy(window_end, 1)}"><title>Expected pace</title></polyline>'
        )
    if pace and today is not None and window_start <= today <= window_end:
        x = scale.x(today)
        parts.append(f'<line class="today" x1="{x}" y1="{TOP}" x2="{x}" y2="{_bottom()}"/>')
    if points:
        parts.append(f'<polyline class="actual" points="{_steps(points, scale)}"/>')
        parts += [_dot(scale, on, value) for on, value in points[1:]]
    if pace and forecast is not None:  # a closed cycle has its result, no forecast
        (since, progress), outlook = forecast
        parts.append(
            f'<polyline class="forecast" points="{scale.xy(since, progress)} '
            f'{scale.xy(window_end, outlook)}"><title>Forecast: {float(outlook):.0%} '
            f"at {window_end:%d %b %Y}</title></polyline>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _bottom() -> int:
    return HEIGHT - BOTTOM


class _Scale:
    def __init__(self, start: date, end: date) -> None:
        self.start = start
        self.days = max((end - start).days, 1)

    def x(self, on: date) -> str:
        share = min(max((on - self.start).days / self.days, 0.0), 1.0)
        return f"{LEFT + share * (WIDTH - LEFT - RIGHT):.1f}"

    def y(self, value: Decimal | float) -> str:
        share = min(max(float(value), 0.0), 1.0)
        return f"{TOP + (1 - share) * (HEIGHT - TOP - BOTTOM):.1f}"

    def xy(self, on: date, value: Decimal | float) -> str:
        return f"{self.x(on)},{self.y(value)}"


def _axes(scale: _Scale, start: date, end: date) -> list[str]:
    lines = []
    for share in (0, 0.5, 1):
        y = scale.y(share)
        lines.append(f'<line class="axis" x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}"/>')
        lines.append(f'<text x="{LEFT - 4}" y="{y}" text-anchor="end" dy="4">{share:.0%}</text>')
    baseline = HEIGHT - 6
    lines.append(f'<text x="{LEFT}" y="{baseline}">{start:%d %b}</text>')
    lines.append(f'<text x="{WIDTH - RIGHT}" y="{baseline}" text-anchor="end">{end:%d %b}</text>')
    return lines


def _steps(points: Sequence[Point], scale: _Scale) -> str:
    """A step line: progress holds until the next reading changes it."""
    coords = [scale.xy(*points[0])]
    for (_, before), (on, value) in pairwise(points):
        coords.append(scale.xy(on, before))
        coords.append(scale.xy(on, value))
    return " ".join(coords)


def _dot(scale: _Scale, on: date, value: Decimal) -> str:
    return (
        f'<circle class="reading" cx="{scale.x(on)}" cy="{scale.y(value)}" r="2.5">'
        f"<title>{on:%d %b %Y}: {float(value):.0%}</title></circle>"
    )
