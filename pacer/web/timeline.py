"""A cycle's initiatives on a timeline, drawn on the server as SVG (like pacer.web.charts).

Pure: bars and a window in, an SVG string out (no ORM, no URL). Each bar runs from the
initiative's start to its due date across the cycle; a missing start begins at the cycle's
start and a missing due ends at its end, drawn dashed and lighter. Colours come from CSS
classes named after the status (the chips' colours), so the light and dark themes follow.
User text (titles) is escaped here.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import escape

WIDTH = 720
LEFT, RIGHT, TOP = 10, 10, 22
ROW = 30  # a row: the title above its bar
BAR = 10
LEGEND = 34
LABEL_CHARS = 70


@dataclass(frozen=True)
class Bar:
    title: str
    status: str
    status_label: str
    start: date  # within the window
    end: date
    open_start: bool  # no start date: begins at the cycle's start
    open_end: bool  # no due date: ends at the cycle's end

    @property
    def open(self) -> bool:
        return self.open_start or self.open_end


def timeline_chart(
    bars: Sequence[Bar],
    *,
    window_start: date,
    window_end: date,
    today: date,
    statuses: Sequence[tuple[str, str]],
    title: str,
    dom_id: str,
) -> str:
    """An accessible SVG (role img, title and description) of `bars` across the window."""
    scale = _Scale(window_start, window_end)
    height = TOP + ROW * max(len(bars), 1) + LEGEND
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{dom_id}-title {dom_id}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMinYMin meet">',
        f'<title id="{dom_id}-title">{escape(title)}</title>',
        f'<desc id="{dom_id}-desc">{_description(bars, window_start, window_end)}</desc>',
        *_months(scale, window_start, window_end, height - LEGEND),
    ]
    parts += [_bar(scale, bar, TOP + index * ROW) for index, bar in enumerate(bars)]
    if window_start <= today <= window_end:
        x = scale.x(today)
        parts.append(
            f'<line class="today" x1="{x}" y1="{TOP - 6}" x2="{x}" y2="{height - LEGEND}"/>'
            f'<text class="today-label" x="{x}" y="{TOP - 10}" text-anchor="middle">Today</text>'
        )
    parts += _legend(statuses, height - LEGEND + 22)
    parts.append("</svg>")
    return "".join(parts)


def _description(bars: Sequence[Bar], start: date, end: date) -> str:
    return escape(
        f"{len(bars)} initiatives from {start:%d %b %Y} to {end:%d %b %Y}; "
        "the table below lists each with its dates."
    )


class _Scale:
    def __init__(self, start: date, end: date) -> None:
        self.start = start
        self.days = max((end - start).days, 1)

    def share(self, on: date) -> float:
        return min(max((on - self.start).days / self.days, 0.0), 1.0)

    def x(self, on: date) -> str:
        return f"{LEFT + self.share(on) * (WIDTH - LEFT - RIGHT):.1f}"


def _months(scale: _Scale, start: date, end: date, bottom: int) -> list[str]:
    """A faint line and a label at the first day of each month in the window."""
    ticks = []
    month = date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            x = scale.x(month)
            ticks.append(
                f'<line class="axis" x1="{x}" y1="{TOP - 4}" x2="{x}" y2="{bottom}"/>'
                f'<text x="{float(x) + 3:.1f}" y="{TOP - 10}">{month:%b %Y}</text>'
            )
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return ticks


def _bar(scale: _Scale, bar: Bar, top: int) -> str:
    x1, x2 = float(scale.x(bar.start)), float(scale.x(bar.end))
    width = max(x2 - x1, 3.0)
    label = bar.title if len(bar.title) <= LABEL_CHARS else bar.title[: LABEL_CHARS - 1] + "…"
    # A label that would run off the right edge ends at its bar's end instead.
    right = x1 > WIDTH * 0.55
    anchor = f'x="{x1 + width:.1f}" text-anchor="end"' if right else f'x="{x1:.1f}"'
    kind = f"tl-bar {bar.status}" + (" open" if bar.open else "")
    return (
        f'<g class="tl-row"><title>{escape(bar.title)}: {escape(bar.status_label)}, '
        f"{bar.start:%d %b} to {bar.end:%d %b}</title>"
        f'<text class="tl-label" {anchor} y="{top + 10}">{escape(label)}</text>'
        f'<rect class="{kind}" x="{x1:.1f}" y="{top + 14}" width="{width:.1f}" height="{BAR}" '
        f'rx="3"/></g>'
    )


def _legend(statuses: Sequence[tuple[str, str]], y: int) -> list[str]:
    items, x = [], LEFT
    for value, label in [*statuses, ("planned open", "No start or due date")]:
        items.append(
            f'<rect class="tl-bar {value}" x="{x}" y="{y - 9}" width="14" height="{BAR}" rx="2"/>'
            f'<text x="{x + 18}" y="{y}">{escape(label)}</text>'
        )
        x += 26 + 7 * len(label)
    return items
