"""A KPI's history as a server-side SVG (pacer.web.charts' geometry and step line): the
values over time on the KPI's own scale, with the healthy band of its thresholds drawn
behind them (above the threshold, below it, or between low and high) and the threshold
lines dashed. Pure: plain dates and Decimals in, an SVG string out."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils.html import escape

from pacer.okrs import progress as engine
from pacer.okrs.display import number_text
from pacer.web.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, Point, _Scale, _steps


class ValueScale(_Scale):
    """Dates across, values up, from `bottom` to `top` (not the 0..1 of progress)."""

    def __init__(self, start: date, end: date, bottom: Decimal, top: Decimal) -> None:
        super().__init__(start, end)
        self.bottom, self.span = float(bottom), float(top - bottom) or 1.0

    def y(self, value: Decimal | float) -> str:
        share = min(max((float(value) - self.bottom) / self.span, 0.0), 1.0)
        return f"{TOP + (1 - share) * (HEIGHT - TOP - BOTTOM):.1f}"


def limits(values: Sequence[Decimal], marks: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """The value range shown: every value and threshold, with a tenth of room around."""
    seen = [*values, *marks] or [Decimal(0)]
    low, high = min(seen), max(seen)
    room = (high - low) / 10 or abs(high) / 10 or Decimal(1)
    return low - room, high + room


def band(
    scale: ValueScale, kind: str, marks: Sequence[Decimal], top: Decimal, bottom: Decimal
) -> str:
    """The healthy zone as a rectangle: presentation attributes, no inline style (CSP)."""
    if kind == engine.STAY_ABOVE:
        upper, lower = top, marks[0]
    elif kind == engine.STAY_BELOW:
        upper, lower = marks[0], bottom
    else:
        lower, upper = marks[0], marks[1]
    y_top, y_bottom = float(scale.y(upper)), float(scale.y(lower))
    return (
        f'<rect class="healthy-band" x="{LEFT}" y="{y_top:.1f}" width="{WIDTH - LEFT - RIGHT}" '
        f'height="{max(y_bottom - y_top, 0):.1f}" fill="currentColor" fill-opacity="0.12">'
        f"<title>Healthy</title></rect>"
    )


def kpi_chart(
    points: Sequence[Point],
    *,
    kind: str,
    marks: Sequence[Decimal],
    unit: str,
    title: str,
    dom_id: str,
    today: date,
) -> str:
    """`points`: (day, value), oldest first; `marks`: [threshold] or [low, high]."""
    start = points[0][0] if points else today
    end = max(today, points[-1][0]) if points else today
    bottom, top = limits([v for _, v in points], marks)
    scale = ValueScale(start, end, bottom, top)  # a one-day history spans one day
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{dom_id}-title" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{dom_id}-title">{escape(title)}</title>',
    ]
    if marks:
        parts.append(band(scale, kind, marks, top, bottom))
    parts += axes(scale, start, end, bottom, top, unit)
    for mark in marks:
        y = scale.y(mark)
        parts.append(
            f'<line class="pace threshold" x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}">'
            f"<title>Threshold {escape(number_text(mark))}</title></line>"
        )
    if points:
        parts.append(f'<polyline class="actual" points="{_steps(points, scale)}"/>')
        parts += [dot(scale, on, value, unit) for on, value in points]
    parts.append("</svg>")
    return "".join(parts)


def axes(
    scale: ValueScale, start: date, end: date, bottom: Decimal, top: Decimal, unit: str
) -> list[str]:
    lines = []
    for value in (bottom, (bottom + top) / 2, top):
        y = scale.y(value)
        label = escape(f"{float(value):.4g}")
        lines.append(f'<line class="axis" x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}"/>')
        lines.append(f'<text x="{LEFT - 4}" y="{y}" text-anchor="end" dy="4">{label}</text>')
    baseline = HEIGHT - 6
    lines.append(f'<text x="{LEFT}" y="{baseline}">{start:%d %b %Y}</text>')
    lines.append(
        f'<text x="{WIDTH - RIGHT}" y="{baseline}" text-anchor="end">{end:%d %b %Y}</text>'
    )
    return lines


def dot(scale: ValueScale, on: date, value: Decimal, unit: str) -> str:
    text = escape(f"{number_text(value)} {unit}".strip())
    return (
        f'<circle class="reading" cx="{scale.x(on)}" cy="{scale.y(value)}" r="2.5">'
        f"<title>{on:%d %b %Y}: {text}</title></circle>"
    )
