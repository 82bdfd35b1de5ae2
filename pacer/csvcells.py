"""The one CSV writer of every CSV Pacer produces (the OKR export, the history export).

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return
before one) as a formula, so a title such as `=HYPERLINK("http://evil.example","x")` would
become a link in the file of whoever opens the export. Such text gets a leading `'`, which
spreadsheets show as text (OWASP's advice for CSV injection). Numbers are written as they
are, None as an empty cell.
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A value as a CSV cell no spreadsheet will run."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """The header and the rows as CSV text, every cell through `cell`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([cell(name) for name in header])
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()
