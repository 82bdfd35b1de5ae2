"""The quarterly review's and calibration's charts, drawn on the server as SVG in the style
of `web/charts.py` (pure functions from plain numbers to an accessible SVG string, themed
by the same CSS classes: `axis`, `pace` for a reference line, `actual`, `reading`).
Every chart has a table beside it with the same numbers, for screen readers and copying.
"""

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from django.utils.html import escape

WIDTH, HEIGHT = 480, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 28


def _open(title: str, dom_id: str, height: int = HEIGHT) -> list[str]:
    return [
        f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{dom_id}-title" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{dom_id}-title">{escape(title)}</title>',
    ]


def _x(share: float) -> float:
    return LEFT + min(max(share, 0.0), 1.0) * (WIDTH - LEFT - RIGHT)


def _y(share: float, height: int = HEIGHT) -> float:
    return TOP + (1 - min(max(share, 0.0), 1.0)) * (height - TOP - BOTTOM)


def _percent(value: Fraction | float) -> str:
    return f"{float(value):.0%}"


def reliability_chart(
    bins: Sequence[tuple[Fraction, int, Fraction | None]], *, title: str, dom_id: str
) -> str:
    """Observed share of successes (y) against the reported probability (x), one dot per
    probability used, on the diagonal of perfect calibration."""
    parts = _open(title, dom_id)
    for share in (0, 0.5, 1):
        y = f"{_y(share):.1f}"
        parts.append(f'<line class="axis" x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y}" text-anchor="end" dy="4">{share:.0%}</text>')
    for share in (0, 0.5, 1):
        anchor = "start" if share == 0 else "end" if share == 1 else "middle"
        parts.append(
            f'<text x="{_x(share):.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}">{share:.0%}</text>'
        )
    parts.append(
        f'<polyline class="pace" points="{_x(0):.1f},{_y(0):.1f} {_x(1):.1f},{_y(1):.1f}">'
        "<title>Perfect calibration</title></polyline>"
    )
    dots = [(p, n, seen) for p, n, seen in bins if seen is not None]
    if len(dots) > 1:
        line = " ".join(f"{_x(float(p)):.1f},{_y(float(seen)):.1f}" for p, _, seen in dots)
        parts.append(f'<polyline class="actual" points="{line}"/>')
    for probability, count, seen in dots:
        label = f"reported {_percent(probability)}: {_percent(seen)} came true ({count})"
        parts.append(
            f'<circle class="reading" cx="{_x(float(probability)):.1f}" '
            f'cy="{_y(float(seen)):.1f}" r="4"><title>{label}</title></circle>'
        )
    parts.append("</svg>")
    return "".join(parts)


def distribution_chart(counts: Sequence[tuple[Decimal, int]], *, title: str, dom_id: str) -> str:
    """One bar per score 0.0 ... 1.0, its height the number of objectives scoring it."""
    parts = _open(title, dom_id)
    top = max((n for _, n in counts), default=0) or 1
    slot = (WIDTH - LEFT - RIGHT) / max(len(counts), 1)
    base = _y(0)
    parts.append(
        f'<line class="axis" x1="{LEFT}" y1="{base:.1f}" x2="{WIDTH - RIGHT}" y2="{base:.1f}"/>'
    )
    for index, (score, count) in enumerate(counts):
        x = LEFT + index * slot
        y = _y(count / top)
        middle = x + slot / 2
        if count:
            parts.append(
                f'<rect class="reading" x="{x + slot * 0.15:.1f}" y="{y:.1f}" '
                f'width="{slot * 0.7:.1f}" height="{base - y:.1f}">'
                f"<title>{score}: {count}</title></rect>"
            )
            parts.append(
                f'<text x="{middle:.1f}" y="{y - 3:.1f}" text-anchor="middle">{count}</text>'
            )
        parts.append(f'<text x="{middle:.1f}" y="{HEIGHT - 8}" text-anchor="middle">{score}</text>')
    parts.append("</svg>")
    return "".join(parts)


def averages_chart(
    rows: Sequence[tuple[str, Fraction | None]], *, target: Decimal, title: str, dom_id: str
) -> str:
    """A horizontal bar per row (a team's aspirational average, 0..1), with the target
    marked by a dashed line."""
    bar = 18
    height = TOP + BOTTOM + bar * max(len(rows), 1)
    left = 150
    span = WIDTH - left - RIGHT
    parts = _open(title, dom_id, height)
    for index, (name, average) in enumerate(rows):
        y = TOP + index * bar
        label = escape(name if len(name) <= 24 else name[:23] + "…")
        parts.append(f'<text x="{left - 6}" y="{y + bar - 6}" text-anchor="end">{label}</text>')
        if average is None:
            parts.append(f'<text x="{left + 4}" y="{y + bar - 6}">none</text>')
            continue
        width = span * min(max(float(average), 0.0), 1.0)
        parts.append(
            f'<rect class="reading" x="{left}" y="{y + 3}" width="{width:.1f}" height="{bar - 6}">'
            f"<title>{escape(name)}: {float(average):.2f}</title></rect>"
        )
    x = left + span * float(target)
    parts.append(
        f'<line class="pace" x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{height - BOTTOM + 4}">'
        f"<title>Target {target}</title></line>"
    )
    parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">target {target}</text>')
    parts.append("</svg>")
    return "".join(parts)
