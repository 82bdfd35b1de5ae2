"""The XLSX and the PPTX hold the JSON export's numbers, and only what the reader may see."""

from decimal import Decimal
from io import BytesIO
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from pacer.okrs.models import Objective, Organization, Team
from pacer.reports import deck, services
from tests.reports.conftest import deck_of, deck_text, exported, scope_of, sheet_rows

PACE = ("Progress", "Expected", "Status", "Score", "Colour")
JSON_PACE = ("progress", "expected", "status", "score", "color")


def by_ref(entries: list[dict[str, Any]], key: str = "ref") -> dict[str, dict[str, Any]]:
    return {entry[key]: entry for entry in entries}


def test_xlsx_numbers_equal_the_json_export(brightside: Organization) -> None:
    scope = scope_of(brightside)
    data = services.render_bytes(scope, "xlsx")
    objectives = by_ref(exported(scope))
    sheet = by_ref(sheet_rows(data, "Objectives"), "Ref")
    assert set(sheet) == set(objectives)
    assert "secret" in sheet  # the operator's report holds private objectives
    for ref, row in sheet.items():
        entry = objectives[ref]
        assert tuple(row[h] for h in PACE) == tuple(entry[k] for k in JSON_PACE), ref
        assert row["Key results"] == len(entry["key_results"])
        assert row["Final score"] == entry.get("final_score")

    key_results = {kr["ref"]: kr for o in objectives.values() for kr in o["key_results"]}
    kr_sheet = by_ref(sheet_rows(data, "Key results"), "Ref")
    assert set(kr_sheet) == set(key_results)
    for ref, row in kr_sheet.items():
        entry = key_results[ref]
        assert tuple(row[h] for h in PACE) == tuple(entry[k] for k in JSON_PACE), ref
        assert row["Current"] == entry["current"], ref
        assert row["Confidence"] == entry["confidence"], ref
        for name in ("start", "target", "threshold", "low", "high"):
            assert row[name.title()] == entry.get(name), (ref, name)
        assert row["Weight"] == entry.get("weight", 1), ref


def test_xlsx_has_number_formats_colours_frozen_headers_and_filters(
    brightside: Organization,
) -> None:
    book = load_workbook(BytesIO(services.render_bytes(scope_of(brightside), "xlsx")))
    assert book.sheetnames == ["Objectives", "Key results"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert (
            sheet.auto_filter.ref
            == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        )
        assert sheet.cell(1, 1).font.b
    objectives = book["Objectives"]
    headers = [c.value for c in objectives[1]]
    progress = objectives.cell(2, headers.index("Progress") + 1)
    assert isinstance(progress.value, int | float) and progress.number_format == "0.0%"
    score = objectives.cell(2, headers.index("Score") + 1)
    assert score.number_format == "0.0"
    for row in objectives.iter_rows(min_row=2):
        colour = row[headers.index("Colour")]
        assert colour.fill.fgColor.rgb.endswith(
            {"red": "FFC7CE", "yellow": "FFEB9C", "green": "C6EFCE"}[colour.value]
        )


def test_a_private_objective_never_appears_for_someone_who_cannot_see_it(
    brightside: Organization,
) -> None:
    scope = scope_of(brightside, viewer="cy@bright.test")  # growth: not in the private pmo
    data = services.render_bytes(scope, "xlsx")
    text = "\n".join(
        str(value)
        for sheet in load_workbook(BytesIO(data)).worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    )
    assert "secret" not in text and "A private plan" not in text
    objectives = by_ref(exported(scope))
    assert set(by_ref(sheet_rows(data, "Objectives"), "Ref")) == set(objectives)
    follows = by_ref(sheet_rows(data, "Key results"), "Ref")["follows-hidden"]
    assert follows["Progress"] is None and follows["Score"] is None  # taken from the hidden one
    assert follows["Expected"] == 0.5

    deck_data = services.render_bytes(scope, "pptx")
    assert "A private plan" not in deck_text(deck_of(deck_data))
    assert "A private plan" in deck_text(
        deck_of(services.render_bytes(scope_of(brightside), "pptx"))
    )


def test_pptx_title_summary_and_a_slide_per_team_with_the_export_numbers(
    brightside: Organization,
) -> None:
    scope = scope_of(brightside)
    presentation = deck_of(services.render_bytes(scope, "pptx"))
    slides = list(presentation.slides)
    assert slides[0].shapes.title.text == "April push OKRs"
    assert slides[1].shapes.title.text == "Summary"
    objectives = exported(scope)
    team_titles = [s.shapes.title.text for s in slides[2:]]
    assert team_titles == ["Growth", "Project Management Office", "No team"]

    shown = {}
    for slide in slides[2:]:
        table = next(s for s in slide.shapes if s.has_table).table
        chart = next(s for s in slide.shapes if s.has_chart).chart
        values = list(chart.plots[0].series[0].values)
        for index, row in enumerate(list(table.rows)[1:]):
            title, _owner, progress, score, status = (cell.text for cell in row.cells)
            shown[title] = (progress, score, status, values[index])
    assert len(shown) == len(objectives)
    for entry in objectives:
        progress, score, status, bar = shown[deck.short(entry["title"])]
        assert score == f"{Decimal(str(entry['score'])):.1f}"
        assert progress == f"{Decimal(str(entry['progress'])):.0%}"
        assert status == deck.STATUS_LABELS[entry["status"]]
        assert bar == entry["progress"]

    summary = {
        row.cells[0].text: row.cells[1].text
        for row in next(s for s in slides[1].shapes if s.has_table).table.rows
    }
    assert summary["Objectives"] == str(len(objectives))
    assert summary["Key results"] == str(sum(len(o["key_results"]) for o in objectives))
    for status, label in deck.STATUS_LABELS.items():
        assert summary[label] == str(sum(o["status"] == status for o in objectives))


def test_a_team_report_holds_only_that_team(brightside: Organization) -> None:
    growth = Team.objects.get(organization=brightside, ref="growth")
    scope = scope_of(brightside, team=growth)
    refs = set(by_ref(sheet_rows(services.render_bytes(scope, "xlsx"), "Objectives"), "Ref"))
    assert refs == {o["ref"] for o in exported(scope_of(brightside)) if o.get("team") == "growth"}
    slides = list(deck_of(services.render_bytes(scope, "pptx")).slides)
    assert [s.shapes.title.text for s in slides[2:]] == ["Growth"]


def test_text_that_looks_like_a_formula_stays_text(brightside: Organization) -> None:
    Objective.objects.filter(ref="health").update(title='=HYPERLINK("http://x","y")')
    book = load_workbook(BytesIO(services.render_bytes(scope_of(brightside), "xlsx")))
    cells = [row for row in book["Objectives"].iter_rows(min_row=2) if row[0].value == "health"]
    assert cells[0][1].data_type == "s"


def test_queries_stay_the_same_as_the_cycle_grows(brightside: Organization) -> None:
    scope = scope_of(brightside, viewer="cy@bright.test")

    def queries(fmt: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            services.render_bytes(scope, fmt)
        return len(captured)

    before = {fmt: queries(fmt) for fmt in services.FORMATS}
    health = Objective.objects.get(ref="health")
    for number in range(5):
        key_results = list(health.key_results.all())
        health.pk, health.ref = None, f"more-{number}"
        health.save()
        for kr in key_results:
            kr.pk, kr.ref, kr.objective = None, f"more-{number}-{kr.ref}", health
            kr.save()
        health = Objective.objects.get(ref="health")
    assert {fmt: queries(fmt) for fmt in services.FORMATS} == before
    assert before["xlsx"] <= 4
