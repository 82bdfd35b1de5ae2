"""Reports: write a cycle's XLSX or PPTX, at once (small cycles, the CLI) or by the worker.

A file is written next to its destination under a temporary name and renamed when
complete, so nobody ever reads half a report. A report of more than `inline_limit()`
objectives is prepared by the worker (`tasks.generate_report`) into a `Report` row with
its progress; its file lives in the data folder (`reports_dir()`) and is removed with its
row after KEEP (`tasks.prune_reports`, on the worker's schedule).
"""

import logging
import os
import secrets
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from pacer.accounts.models import User
from pacer.jobs.queue import enqueue
from pacer.okrs.models import Cycle, Team
from pacer.reports import rows
from pacer.reports.models import Report

logger = logging.getLogger("pacer.reports")

FORMATS = ("xlsx", "pptx")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
INLINE_LIMIT = 500  # objectives; above, the web has the worker prepare the report
KEEP = timedelta(hours=24)  # a prepared report's file is kept this long


def inline_limit() -> int:
    """Settings may lower or raise the limit (PACER_REPORTS_INLINE_LIMIT, tests)."""
    return int(getattr(settings, "PACER_REPORTS_INLINE_LIMIT", INLINE_LIMIT))


def reports_dir() -> Path:
    return Path(settings.DATA_DIR) / "reports"


def viewer_label(person: User | None) -> str:
    if person is None:
        return ""
    return person.name or person.email


def file_name(scope: rows.Scope, fmt: str) -> str:
    """The name a download suggests: pacer-<cycle>[-<team>].<fmt>."""
    parts = ["pacer", scope.cycle.ref] + ([scope.team.ref] if scope.team else [])
    return slugify("-".join(parts)) + f".{fmt}"


def render(
    scope: rows.Scope, fmt: str, out: str | IO[bytes], on_progress: Callable[[int], None] | None
) -> None:
    # openpyxl and python-pptx load here, not with the URLconf: importing them cost every
    # process ~0.35 s on its first reverse() (a check-in's event link), reports or not.
    if fmt == "xlsx":
        from pacer.reports import workbook

        workbook.write(scope, out, on_progress)
    elif fmt == "pptx":
        from pacer.reports import deck

        deck.write(scope, out, on_progress, viewer_label=viewer_label(scope.viewer))
    else:
        raise ValueError(f"unknown report format {fmt!r}")


def write_file(
    scope: rows.Scope,
    fmt: str,
    path: Path,
    on_progress: Callable[[int], None] | None = None,
    *,
    mode: int = 0o600,
) -> None:
    """Write the report to `path`, which appears only once the report is complete, with
    permissions `mode` (the worker's files are private; the CLI passes the umask's)."""
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    try:
        render(scope, fmt, partial, on_progress)
        os.chmod(partial, mode)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def render_bytes(scope: rows.Scope, fmt: str) -> bytes:
    """The report in memory, for a small cycle served at once."""
    buffer = BytesIO()
    render(scope, fmt, buffer, None)
    return buffer.getvalue()


def is_big(scope: rows.Scope) -> bool:
    """Whether the web should have the worker prepare this report."""
    return rows.objectives(scope)[: inline_limit() + 1].count() > inline_limit()


# --- Reports prepared by the worker -----------------------------------------------------


def report_request(person: User, cycle: Cycle, team: Team | None, fmt: str) -> Report:
    """Record a report to prepare for `person` and queue it; the worker writes it."""
    from pacer.reports.tasks import generate_report  # the task module imports this one

    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}")
    with transaction.atomic():
        report = Report.objects.create(
            organization_id=cycle.organization_id,
            requested_by=person,
            cycle=cycle,
            team=team,
            format=fmt,
        )
        enqueue(generate_report, report.pk)
    return report


def report_run(report_id: int) -> Report | None:
    """Write the report's file, telling its progress on the way; None when the report is
    gone. Idempotent: a report already done is left as it is."""
    report = (
        Report.objects.select_related("requested_by__organization", "cycle", "team")
        .filter(pk=report_id)
        .first()
    )
    if report is None or report.state == Report.State.DONE:
        return report
    person = report.requested_by
    scope = rows.Scope(
        organization=report.cycle.organization
        if person.organization is None
        else person.organization,
        cycle=report.cycle,
        team=report.team,
        viewer=person,
    )
    Report.objects.filter(pk=report.pk).update(state=Report.State.RUNNING, progress=0, error="")
    objectives, key_results = rows.count(scope)
    total = max(objectives + (key_results if report.format == "xlsx" else 0), 1)
    shown = [0]

    def on_progress(done: int) -> None:
        percent = min(99, done * 100 // total)
        if percent > shown[0]:
            shown[0] = percent
            Report.objects.filter(pk=report.pk).update(progress=percent)

    directory = reports_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{report.pk}-{secrets.token_hex(8)}.{report.format}"
    try:
        write_file(scope, report.format, directory / name, on_progress)
    except Exception as error:
        logger.exception("report %s failed", report.pk)
        Report.objects.filter(pk=report.pk).update(
            state=Report.State.FAILED, error=str(error)[:500], finished_at=timezone.now()
        )
    else:
        Report.objects.filter(pk=report.pk).update(
            state=Report.State.DONE, progress=100, file_name=name, finished_at=timezone.now()
        )
    report.refresh_from_db()
    return report


def report_path(report: Report) -> Path | None:
    """The report's file, when it is done and still there."""
    if report.state != Report.State.DONE or not report.file_name:
        return None
    path = reports_dir() / report.file_name
    return path if path.is_file() else None


def reports_prune(now: datetime | None = None) -> int:
    """Remove the reports (rows and files) older than KEEP; how many were removed."""
    cutoff = (now or timezone.now()) - KEEP
    old = Report.objects.filter(created_at__lt=cutoff)
    removed = 0
    for report in old.only("pk", "file_name").iterator():
        if report.file_name:
            (reports_dir() / report.file_name).unlink(missing_ok=True)
        report.delete()
        removed += 1
    directory = reports_dir()
    if directory.is_dir():  # half-written files of a worker that died
        for partial in directory.glob(".*.part"):
            if partial.stat().st_mtime < cutoff.timestamp():
                partial.unlink(missing_ok=True)
    return removed
