"""Reports are checked on tests/fixtures/all_types.yaml (every key result type, a private
objective and a public one whose key result follows it), in its April push on 16 April."""

from datetime import date
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pptx.presentation import Presentation as Deck

from pacer.accounts.models import User
from pacer.okrs.models import Cycle, Organization
from pacer.okrs.okrfile.exporter import Exporter
from pacer.reports import rows
from tests.factories import ALL_TYPES, import_fixture

MID_APRIL = date(2026, 4, 16)


@pytest.fixture
def brightside(db: Any) -> Organization:
    import_fixture(ALL_TYPES)
    return Organization.objects.get(name="Brightside")


def scope_of(organization: Organization, viewer: str | None = None, **fields: Any) -> rows.Scope:
    person = None if viewer is None else User.objects.get(email=viewer)
    return rows.Scope(
        organization=organization,
        cycle=Cycle.objects.get(organization=organization, ref="apr-2026"),
        viewer=person,
        as_of=MID_APRIL,
        **fields,
    )


def exported(scope: rows.Scope) -> list[dict[str, Any]]:
    """The JSON export's objectives of the scope (not archived), as `pacer export` has them."""
    document = Exporter(
        scope.organization,
        viewer=scope.viewer,
        cycle=scope.cycle,
        as_of=scope.as_of,
        computed=True,
    ).document()
    return [o for o in document["objectives"] if not o.get("archived")]


def sheet_rows(data: bytes, sheet: str) -> list[dict[str, Any]]:
    """A sheet's rows as dicts keyed by their header."""
    book = load_workbook(BytesIO(data))
    values = list(book[sheet].iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def deck_of(data: bytes) -> Deck:
    return Presentation(BytesIO(data))


def deck_text(deck: Deck) -> str:
    parts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
            if shape.has_chart:
                parts.extend(str(c) for c in shape.chart.plots[0].categories)
    return "\n".join(parts)
