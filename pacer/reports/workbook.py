"""The XLSX report: a sheet of objectives and a sheet of key results (openpyxl, write-only).

Write-only mode streams each row to the file as it is appended, so memory stays flat
however many rows a cycle holds. Numbers are numbers (progress and expected as
percentages, scores with one decimal), dates are dates, the status and colour cells are
filled with their colour, the header row is frozen and filtered.
"""

from collections.abc import Callable, Iterable, Iterator
from copy import copy
from datetime import UTC, datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from pacer.reports import rows

Progress = Callable[[int], None]  # told how many rows were written so far
PROGRESS_EVERY = 500  # rows between two progress reports

# Header, width and number format of each column (General when no format).
PERCENT, SCORE, DATE, MOMENT = "0.0%", "0.0", "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
OBJECTIVE_SHEET: dict[str, tuple[str, int, str]] = {
    "ref": ("Ref", 18, ""),
    "title": ("Objective", 48, ""),
    "team": ("Team", 24, ""),
    "owner": ("Owner", 22, ""),
    "kind": ("Kind", 13, ""),
    "visibility": ("Visibility", 11, ""),
    "key_results": ("Key results", 11, "0"),
    "progress": ("Progress", 10, PERCENT),
    "expected": ("Expected", 10, PERCENT),
    "status": ("Status", 11, ""),
    "score": ("Score", 8, SCORE),
    "color": ("Colour", 9, ""),
    "final_score": ("Final score", 11, SCORE),
    "succeeded": ("Met", 7, ""),
}
KEY_RESULT_SHEET: dict[str, tuple[str, int, str]] = {
    "objective_ref": ("Objective ref", 18, ""),
    "objective": ("Objective", 40, ""),
    "team": ("Team", 22, ""),
    "ref": ("Ref", 18, ""),
    "title": ("Key result", 44, ""),
    "type": ("Type", 11, ""),
    "unit": ("Unit", 8, ""),
    "start": ("Start", 10, ""),
    "target": ("Target", 10, ""),
    "threshold": ("Threshold", 10, ""),
    "low": ("Low", 8, ""),
    "high": ("High", 8, ""),
    "weight": ("Weight", 8, ""),
    "due": ("Due", 11, DATE),
    "owner": ("Owner", 20, ""),
    "current": ("Current", 10, ""),
    "confidence": ("Confidence", 11, ""),
    "progress": ("Progress", 10, PERCENT),
    "expected": ("Expected", 10, PERCENT),
    "status": ("Status", 11, ""),
    "score": ("Score", 8, SCORE),
    "color": ("Colour", 9, ""),
    "final_score": ("Final score", 11, SCORE),
    "last_checkin_at": ("Last check-in (UTC)", 17, MOMENT),
}
assert tuple(OBJECTIVE_SHEET) == rows.OBJECTIVE_COLUMNS
assert tuple(KEY_RESULT_SHEET) == rows.KEY_RESULT_COLUMNS

# Light fills with dark text (readable, printable): the contract's colours and statuses.
FILLS = {
    name: PatternFill("solid", start_color=rgb, end_color=rgb)
    for name, rgb in {
        "green": "C6EFCE",
        "yellow": "FFEB9C",
        "red": "FFC7CE",
        "done": "C6EFCE",
        "on_track": "C6EFCE",
        "at_risk": "FFEB9C",
        "off_track": "FFC7CE",
    }.items()
}
FILLED = ("status", "color")
HEADER_FONT = Font(bold=True)


def write(scope: rows.Scope, out: str | IO[bytes], on_progress: Progress | None = None) -> None:
    """Write the workbook of `scope` to `out` (a path or a binary file)."""
    workbook = Workbook(write_only=True)
    written = 0

    def counted(source: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        nonlocal written
        for row in source:
            yield row
            written += 1
            if on_progress is not None and written % PROGRESS_EVERY == 0:
                on_progress(written)

    objectives = workbook.create_sheet("Objectives")
    fill_sheet(objectives, OBJECTIVE_SHEET, counted(rows.objective_rows(scope)))
    key_results = workbook.create_sheet("Key results")
    fill_sheet(key_results, KEY_RESULT_SHEET, counted(rows.key_result_rows(scope)))
    workbook.save(out)
    if on_progress is not None:
        on_progress(written)


def fill_sheet(
    sheet: WriteOnlyWorksheet,
    columns: dict[str, tuple[str, int, str]],
    source: Iterable[dict[str, Any]],
) -> None:
    # A write-only sheet writes its panes and widths before the first row, its filter last.
    sheet.freeze_panes = "A2"
    for index, (_header, width, _format) in enumerate(columns.values(), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header = []
    for title, _width, _format in columns.values():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = HEADER_FONT
        header.append(cell)
    sheet.append(header)
    formats = [(name, number_format) for name, (_h, _w, number_format) in columns.items()]
    styler = Styler(sheet)
    count = 0
    for row in source:
        sheet.append([cell_of(styler, name, row[name], fmt) for name, fmt in formats])
        count += 1
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"


class Styler:
    """Styled cells of one sheet, fast: each style is looked up in the workbook once, and
    every later cell takes a copy of its style ids (openpyxl looks them up per assignment,
    which was a third of a large report's time)."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self.sheet = sheet
        self.styles: dict[tuple[str, str], StyleArray] = {}

    def style(self, number_format: str, fill: str) -> StyleArray:
        key = (number_format, fill)
        if key not in self.styles:
            template = WriteOnlyCell(self.sheet)
            if number_format:
                template.number_format = number_format
            if fill:
                template.fill = FILLS[fill]
            self.styles[key] = template._style
        return self.styles[key]

    def cell(self, value: Any, number_format: str = "", fill: str = "") -> Any:
        cell = WriteOnlyCell(self.sheet, value=value)
        cell._style = copy(self.style(number_format, fill))
        return cell


def cell_of(styler: Styler, name: str, value: Any, number_format: str) -> Any:
    """A plain value, or a styled cell for formatted numbers and coloured statuses."""
    if value is None:
        return None
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # XML cannot hold them
        if value.startswith("="):  # people's text, never a formula
            cell = WriteOnlyCell(styler.sheet, value=value)
            cell.data_type = "s"
            return cell
        if name in FILLED and value in FILLS:
            return styler.cell(value, fill=value)
        return value
    if isinstance(value, datetime):  # Excel has no time zones: UTC, said in the header
        value = value.astimezone(UTC).replace(tzinfo=None)
    if number_format:
        return styler.cell(value, number_format)
    return value
