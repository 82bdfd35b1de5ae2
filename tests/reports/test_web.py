"""Reports on the web: the Download menu, a small cycle's file at once, a big one by the
worker with its progress and a download link for the person who asked (and nobody else)."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pacer.accounts.models import User
from pacer.jobs import worker
from pacer.okrs.models import Organization
from pacer.reports import services, workbook
from pacer.reports.models import Report
from tests.reports.conftest import deck_of, deck_text, sheet_rows

XLSX = services.CONTENT_TYPES["xlsx"]
PPTX = services.CONTENT_TYPES["pptx"]


@pytest.fixture
def reports_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path / "reports"


def signed_in(client: Client, email: str) -> Client:
    client.force_login(User.objects.get(email=email))
    return client


def test_the_cycle_overview_offers_the_download_menu(
    client: Client, brightside: Organization
) -> None:
    page = signed_in(client, "cy@bright.test").get(reverse("cycle_overview", args=["apr-2026"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Download</summary>" in html
    assert reverse("cycle_report", args=["apr-2026", "xlsx"]) in html
    assert reverse("cycle_report", args=["apr-2026", "pptx"]) in html


def test_a_small_cycle_is_downloaded_at_once_as_its_reader_sees_it(
    client: Client, brightside: Organization
) -> None:
    client = signed_in(client, "cy@bright.test")
    xlsx = client.get(reverse("cycle_report", args=["apr-2026", "xlsx"]))
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == XLSX
    assert xlsx["Content-Disposition"] == 'attachment; filename="pacer-apr-2026.xlsx"'
    refs = {row["Ref"] for row in sheet_rows(xlsx.content, "Objectives")}
    assert "health" in refs and "secret" not in refs

    pptx = client.get(reverse("cycle_report", args=["apr-2026", "pptx"]) + "?team=growth")
    assert pptx.status_code == 200
    assert pptx["Content-Type"] == PPTX
    assert "pacer-apr-2026-growth.pptx" in pptx["Content-Disposition"]
    assert "Growth" in deck_text(deck_of(pptx.content))


@pytest.mark.parametrize(
    "url",
    [
        "/cycles/apr-2026/report.pdf",
        "/cycles/nope/report.xlsx",
        "/cycles/apr-2026/report.xlsx?team=nope",
        "/reports/999999/",
        "/reports/999999/file/",
    ],
)
def test_unknown_reports_are_404(client: Client, brightside: Organization, url: str) -> None:
    assert signed_in(client, "cy@bright.test").get(url).status_code == 404


def test_a_big_cycle_is_prepared_by_the_worker_for_the_person_who_asked(
    client: Client, brightside: Organization, settings: Any, reports_dir: Path
) -> None:
    settings.PACER_REPORTS_INLINE_LIMIT = 2
    client = signed_in(client, "cy@bright.test")
    url = reverse("cycle_report", args=["apr-2026", "xlsx"])
    prepare = client.get(url)
    assert prepare.status_code == 200
    assert "Prepare the report" in prepare.content.decode()

    asked = client.post(url)
    report = Report.objects.get()
    assert asked.status_code == 302 and asked["Location"] == reverse(
        "report_status", args=[report.pk]
    )
    waiting = client.get(asked["Location"])
    assert 'hx-trigger="every 2s"' in waiting.content.decode()
    assert "<progress" in waiting.content.decode()

    worker.task_loop(interval=0, batch=True).run()  # as the worker runs it

    report.refresh_from_db()
    assert (report.state, report.progress) == (Report.State.DONE, 100)
    fragment = client.get(asked["Location"], headers={"HX-Request": "true"})
    assert "hx-trigger" not in fragment.content.decode()  # done: the polling stops
    assert reverse("report_file", args=[report.pk]) in fragment.content.decode()
    download = client.get(reverse("report_file", args=[report.pk]))
    assert download.status_code == 200 and download["Content-Type"] == XLSX
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert "secret" not in {row["Ref"] for row in sheet_rows(content, "Objectives")}
    assert list(reports_dir.iterdir()) == [reports_dir / report.file_name]  # no partial file

    other = signed_in(Client(), "ana@bright.test")  # an admin, but not the one who asked
    assert other.get(reverse("report_status", args=[report.pk])).status_code == 404
    assert other.get(reverse("report_file", args=[report.pk])).status_code == 404


def test_reports_are_removed_with_their_files_after_a_day(
    brightside: Organization, reports_dir: Path
) -> None:
    cy = User.objects.get(email="cy@bright.test")
    report = services.report_request(cy, brightside.cycles.get(ref="apr-2026"), None, "pptx")
    services.report_run(report.pk)
    report.refresh_from_db()
    path = services.report_path(report)
    assert path is not None and path.is_file()
    assert services.reports_prune(timezone.now()) == 0
    assert services.reports_prune(timezone.now() + timedelta(hours=25)) == 1
    assert not path.exists() and not Report.objects.exists()


def test_a_failed_report_says_why(
    brightside: Organization, reports_dir: Path, monkeypatch: Any
) -> None:
    cy = User.objects.get(email="cy@bright.test")
    report = services.report_request(cy, brightside.cycles.get(ref="apr-2026"), None, "xlsx")

    def broken(*args: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(workbook, "write", broken)
    services.report_run(report.pk)
    report.refresh_from_db()
    assert (report.state, report.error) == (Report.State.FAILED, "disk full")
    assert list(reports_dir.iterdir()) == []


def test_the_worker_prunes_old_reports_every_hour(brightside: Organization) -> None:
    from django.utils.module_loading import import_string

    from pacer.jobs.schedule import SCHEDULE

    prune = next(p for p in SCHEDULE if p.name == "prune-reports")
    assert prune.every == timedelta(hours=1)
    assert import_string(prune.has_work)() is False  # nothing a day old yet
    assert import_string(prune.task).call() == 0
