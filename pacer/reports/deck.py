"""The PPTX report: an executive deck of one cycle (python-pptx).

A title slide, a summary slide (objectives by status, mean score, key results), then one
slide per team with its objectives (progress, score, status) and a bar chart of their
progress; a team with more than PER_SLIDE objectives continues on further slides, so no
objective is left out. Objectives without a team come last, under "No team". The numbers
are the report's rows (`pacer.reports.rows`), the same as the XLSX and the JSON export.
"""

from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from itertools import groupby
from typing import IO, Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE
from pptx.opc.packuri import PackURI
from pptx.presentation import Presentation as Deck
from pptx.util import Emu, Inches, Pt

from pacer.okrs import progress as engine
from pacer.reports import rows

Progress = Callable[[int], None]
PER_SLIDE = 10  # objectives on one team slide (a table row each, and a bar each)
TITLE_WIDTH = 60  # characters of an objective's title shown in a cell or a bar's label

STATUS_LABELS = {
    engine.DONE: "Done",
    engine.ON_TRACK: "On track",
    engine.AT_RISK: "At risk",
    engine.OFF_TRACK: "Off track",
}
# Light fills with dark text, as in the XLSX.
FILLS = {
    engine.DONE: RGBColor(0xC6, 0xEF, 0xCE),
    engine.ON_TRACK: RGBColor(0xC6, 0xEF, 0xCE),
    engine.AT_RISK: RGBColor(0xFF, 0xEB, 0x9C),
    engine.OFF_TRACK: RGBColor(0xFF, 0xC7, 0xCE),
    "met": RGBColor(0xC6, 0xEF, 0xCE),
    "missed": RGBColor(0xFF, 0xC7, 0xCE),
}
BAR = RGBColor(0x2F, 0x6F, 0xB3)
NO_TEAM = "No team"

# Slide layouts of python-pptx's default template.
TITLE_LAYOUT, TITLE_ONLY_LAYOUT = 0, 5


def write(
    scope: rows.Scope,
    out: str | IO[bytes],
    on_progress: Progress | None = None,
    *,
    viewer_label: str = "",
) -> None:
    """Write the deck of `scope` to `out` (a path or a binary file)."""
    deck = Presentation()
    remember_partnames(deck)
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    title_slide(deck, scope, viewer_label)
    tally = Tally(closed=scope.cycle.is_closed)
    written = 0
    for team, team_rows in groupby(rows.objective_rows(scope), key=lambda row: row["team"]):
        objectives = list(team_rows)
        tally.add(objectives)
        for page, chunk in enumerate(chunks(objectives, PER_SLIDE)):
            team_slide(deck, team or NO_TEAM, chunk, page, closed=scope.cycle.is_closed)
        written += len(objectives)
        if on_progress is not None:
            on_progress(written)
    tally.key_results = rows.count(scope)[1]
    summary_slide(deck, scope, tally)
    move_last_slide_to(deck, 1)  # the summary right after the title
    deck.save(out)


class Tally:
    """What the summary slide says, added up while the team slides are made."""

    def __init__(self, *, closed: bool) -> None:
        self.closed = closed
        self.objectives = 0
        self.key_results = 0
        self.teams = 0
        self.scores = Decimal(0)
        self.by_status: Counter[str] = Counter()
        self.met = 0

    def add(self, objectives: list[dict[str, Any]]) -> None:
        self.teams += 1
        for row in objectives:
            self.objectives += 1
            self.scores += Decimal(str(row["score"]))
            self.by_status[row["status"]] += 1
            self.met += bool(row["succeeded"])

    @property
    def mean_score(self) -> Decimal | None:
        if not self.objectives:
            return None
        return engine.score(self.scores / self.objectives)


def chunks(items: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def short(text: str, width: int = TITLE_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def title_slide(deck: Deck, scope: rows.Scope, viewer_label: str) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_LAYOUT])
    cycle = scope.cycle
    heading = f"{cycle.name} OKRs"
    if scope.team is not None:
        heading += f": {scope.team.name}"
    slide.shapes.title.text = heading
    widen_title(deck, slide)
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.width = Inches(0.4), deck.slide_width - Inches(0.8)
    lines = [
        scope.organization.name,
        f"{cycle.start:%d %b %Y} to {cycle.end:%d %b %Y} · {cycle.get_state_display()}",
        f"Status as of {scope.on:%d %b %Y}"
        + (f" · as seen by {viewer_label}" if viewer_label else ""),
    ]
    slide.placeholders[1].text = "\n".join(lines)


def summary_slide(deck: Deck, scope: rows.Scope, tally: Tally) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY_LAYOUT])
    slide.shapes.title.text = "Summary"
    widen_title(deck, slide)
    mean = tally.mean_score
    facts = [
        ("Objectives", str(tally.objectives)),
        ("Key results", str(tally.key_results)),
        ("Teams", str(tally.teams)),
        ("Mean objective score", "none" if mean is None else f"{mean:.1f}"),
    ]
    if tally.closed:
        facts.append(("Objectives met", f"{tally.met} of {tally.objectives}"))
    else:
        facts += [(STATUS_LABELS[s], str(tally.by_status[s])) for s in engine.STATUSES]
    table = slide.shapes.add_table(
        len(facts), 2, Inches(0.6), Inches(1.6), Inches(5.4), Inches(0.45) * len(facts)
    ).table
    for index, (label, value) in enumerate(facts):
        set_cell(table.cell(index, 0), label)
        set_cell(table.cell(index, 1), value, bold=True)
    if tally.objectives and not tally.closed:
        data = CategoryChartData()
        data.categories = [STATUS_LABELS[s] for s in engine.STATUSES]
        data.add_series("Objectives", [tally.by_status[s] for s in engine.STATUSES])
        chart = slide.shapes.add_chart(
            XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(6.6), Inches(1.6), Inches(6.2), Inches(5.2), data
        ).chart
        chart.has_legend = False
        chart.plots[0].has_data_labels = True
        fill_series(chart, BAR)


def team_slide(
    deck: Deck, team: str, objectives: list[dict[str, Any]], page: int, *, closed: bool
) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY_LAYOUT])
    team = ILLEGAL_CHARACTERS_RE.sub("", team)
    slide.shapes.title.text = team if page == 0 else f"{team} (continued)"
    widen_title(deck, slide)
    headers = ["Objective", "Owner", "Progress", "Score", "Met" if closed else "Status"]
    widths = [Inches(3.9), Inches(1.5), Inches(0.95), Inches(0.75), Inches(1.0)]
    shape = slide.shapes.add_table(
        len(objectives) + 1,
        len(headers),
        Inches(0.4),
        Inches(1.4),
        Emu(sum(widths)),
        Inches(0.4) * (len(objectives) + 1),
    )
    table = shape.table
    for index, width in enumerate(widths):
        table.columns[index].width = width
    for index, header in enumerate(headers):
        set_cell(table.cell(0, index), header, bold=True)
    for index, row in enumerate(objectives, start=1):
        set_cell(table.cell(index, 0), short(row["title"]))
        set_cell(table.cell(index, 1), short(row["owner"], 24))
        set_cell(table.cell(index, 2), f"{Decimal(str(row['progress'])):.0%}")
        set_cell(table.cell(index, 3), f"{Decimal(str(row['score'])):.1f}")
        if closed:
            key = "met" if row["succeeded"] else "missed"
            label = "Met" if row["succeeded"] else "Missed"
        else:
            key, label = row["status"], STATUS_LABELS[row["status"]]
        status = table.cell(index, 4)
        set_cell(status, label)
        status.fill.solid()
        status.fill.fore_color.rgb = FILLS[key]
    data = CategoryChartData(number_format="0%")
    data.categories = [short(row["title"], 32) for row in objectives]
    data.add_series("Progress", [float(row["progress"]) for row in objectives])
    chart = slide.shapes.add_chart(
        XL_CHART_TYPE.BAR_CLUSTERED, Inches(8.7), Inches(1.4), Inches(4.3), Inches(5.6), data
    ).chart
    chart.has_legend = False
    chart.value_axis.maximum_scale = 1.0
    chart.value_axis.minimum_scale = 0.0
    chart.value_axis.tick_labels.number_format = "0%"
    chart.value_axis.tick_labels.number_format_is_linked = False
    chart.category_axis.reverse_order = True  # the first objective on top, as in the table
    chart.category_axis.tick_labels.font.size = Pt(9)
    fill_series(chart, BAR)


def remember_partnames(deck: Deck) -> None:
    """Name new parts (slides, charts, their workbooks) from a set kept up to date, where
    python-pptx walks every part of the package for each new one: quadratic, three
    quarters of a 600-slide deck's time. Same names: the lowest free number."""
    package = deck.part.package
    taken: set[str] = {str(part.partname) for part in package.iter_parts()}

    def next_partname(tmpl: str) -> PackURI:
        n = 1
        while tmpl % n in taken:
            n += 1
        taken.add(tmpl % n)
        return PackURI(tmpl % n)

    package.next_partname = next_partname  # type: ignore[method-assign]


def widen_title(deck: Deck, slide: Any) -> None:
    """The default template's placeholders are laid out for 4:3; span the 16:9 width."""
    title = slide.shapes.title
    title.left, title.width = Inches(0.4), deck.slide_width - Inches(0.8)


def set_cell(cell: Any, text: str, *, bold: bool = False) -> None:
    cell.text = ILLEGAL_CHARACTERS_RE.sub("", text)  # XML cannot hold them
    for paragraph in cell.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(12)
            run.font.bold = bold


def fill_series(chart: Any, color: RGBColor) -> None:
    fill = chart.plots[0].series[0].format.fill
    fill.solid()
    fill.fore_color.rgb = color


def move_last_slide_to(deck: Deck, position: int) -> None:
    """python-pptx appends slides; the order is the slide id list's, which may be moved."""
    ids = deck.slides._sldIdLst
    last = ids[-1]
    ids.remove(last)
    ids.insert(position, last)
