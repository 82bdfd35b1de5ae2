"""What the admins' Background tasks page shows: the queue's results by state, a page at a
time, and whether a worker seems to be running.

Every function runs a fixed number of queries, however many results are stored (the worker
may keep thousands for KEEP_FINISHED days).
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from pacer.jobs.models import ScheduleRun
from pacer.secretbox import masked_url
from pacer.security import redact

PAGE_SIZE = 50
TRACEBACK_LINES = 12  # the end of a traceback says what failed; the rest is on the server
# A worker ticks the schedule every second and enqueues recover-tasks every minute, so a
# schedule untouched for this long, or due work waiting this long with nothing running or
# finishing, means no worker is running.
SCHEDULE_SILENT = timedelta(minutes=3)
WAITING_TOO_LONG = timedelta(minutes=1)

STATES = ("all", "queued", "scheduled", "running", "failed", "finished")
STATE_LABELS = {
    "all": "All",
    "queued": "Queued",
    "scheduled": "Scheduled",
    "running": "Running",
    "failed": "Failed",
    "finished": "Finished",
}


def due(now: datetime) -> Q:
    """READY and due: run_after unset (stored as the date max) or passed."""
    return Q(status="READY") & (Q(run_after=get_date_max()) | Q(run_after__lte=now))


def state_filter(state: str, now: datetime) -> Q:
    if state == "queued":
        return due(now)
    if state == "scheduled":
        return Q(status="READY") & ~due(now)
    if state == "running":
        return Q(status="RUNNING")
    if state == "failed":
        return Q(status="FAILED")
    if state == "finished":
        return Q(status="SUCCESSFUL")
    return Q()


def state_order(state: str) -> list[str]:
    if state in ("queued", "scheduled"):
        return ["run_after", "enqueued_at"]
    if state == "running":
        return ["started_at"]
    if state in ("failed", "finished"):
        return ["-finished_at"]
    return ["-enqueued_at"]


def counts(now: datetime) -> dict[str, int]:
    """How many results are in each state, in one query."""
    totals = DBTaskResult.objects.aggregate(
        all=Count("id"),
        **{state: Count("id", filter=state_filter(state, now)) for state in STATES[1:]},
    )
    return {state: totals[state] or 0 for state in STATES}


def worker_absent(now: datetime) -> bool:
    """Whether no worker seems to be running (two queries)."""
    last_tick = ScheduleRun.objects.aggregate(last=Max("last_run_at"))["last"]
    if last_tick is None or last_tick < now - SCHEDULE_SILENT:
        return True
    waited = now - WAITING_TOO_LONG
    activity = DBTaskResult.objects.aggregate(
        stale_ready=Count("id", filter=due(waited) & Q(enqueued_at__lte=waited)),
        busy=Count("id", filter=Q(status="RUNNING") | Q(finished_at__gte=waited)),
    )
    return bool(activity["stale_ready"]) and not activity["busy"]


@dataclass
class TaskRow:
    """One result as the page shows it: plain values, the traceback cut to its end."""

    id: str
    name: str
    task_path: str
    status: str
    state: str
    enqueued_at: datetime
    run_after: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    worker: str
    attempts: int
    exception: str
    traceback_tail: str


def state_of(result: DBTaskResult, now: datetime) -> str:
    if result.status == "READY":
        return (
            "scheduled"
            if result.run_after not in (None, get_date_max()) and result.run_after > now
            else "queued"
        )
    return {"RUNNING": "running", "FAILED": "failed", "SUCCESSFUL": "finished"}.get(
        result.status, result.status.lower()
    )


URL = re.compile(r"https?://[^\s'\"<>]+")


def tail(text: str, lines: int = TRACEBACK_LINES) -> str:
    """The traceback's last lines, with secrets redacted and URLs masked: an error may name
    a Slack, Teams or webhook URL, which is a secret that is never shown back in full."""
    kept = "\n".join(text.rstrip().splitlines()[-lines:])
    return URL.sub(lambda found: masked_url(found.group(0)), redact(kept))


def row(result: DBTaskResult, now: datetime) -> TaskRow:
    run_after = None if result.run_after == get_date_max() else result.run_after
    return TaskRow(
        id=str(result.id),
        name=result.task_path.rsplit(".", 1)[-1],
        task_path=result.task_path,
        status=result.status,
        state=state_of(result, now),
        enqueued_at=result.enqueued_at,
        run_after=run_after,
        started_at=result.started_at,
        finished_at=result.finished_at,
        worker=(result.worker_ids or [""])[-1],
        attempts=len(result.worker_ids or []),
        exception=result.exception_class_path.rsplit(".", 1)[-1],
        traceback_tail=tail(result.traceback) if result.status == "FAILED" else "",
    )


def results(state: str, now: datetime) -> QuerySet[DBTaskResult]:
    return DBTaskResult.objects.filter(state_filter(state, now)).order_by(*state_order(state))


@dataclass
class TasksPage:
    state: str
    counts: dict[str, int]
    page: Page
    rows: list[TaskRow]
    worker_absent: bool


def tasks_page(state: str, page_number: str | int | None, now: datetime | None = None) -> TasksPage:
    """The page of results in `state` (an unknown state is "all"); a page number past the end
    gives the last page."""
    now = now or timezone.now()
    state = state if state in STATES else "all"
    tally = counts(now)
    paginator = Paginator(results(state, now), PAGE_SIZE)
    # The total is known already: spare the paginator its COUNT query.
    paginator.count = tally[state]
    page = paginator.get_page(page_number)
    return TasksPage(
        state=state,
        counts=tally,
        page=page,
        rows=[row(result, now) for result in page.object_list],
        worker_absent=worker_absent(now),
    )
