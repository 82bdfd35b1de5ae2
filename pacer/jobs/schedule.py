"""Pacer's periodic work, in one list, and the scheduler that enqueues it.

`pacer worker` runs `tick()` every second beside the task loop. A periodic task is enqueued
when its interval has passed (claimed with a conditional UPDATE on ScheduleRun, so several
workers enqueue it once), when its `has_work` check (if any) says there is something to do,
and never while an earlier run of it is still queued or running.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from pacer.jobs.models import ScheduleRun

logger = logging.getLogger("pacer.jobs")

UNFINISHED = ("READY", "RUNNING")


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    task: str  # the dotted path of a django-tasks task taking no arguments
    has_work: str = ""  # the dotted path of a cheap check, for tasks that often have none


SCHEDULE: tuple[Periodic, ...] = (
    Periodic(
        "dispatch-events",
        timedelta(seconds=1),
        "pacer.events.dispatch.dispatch_events",
        has_work="pacer.events.dispatch.has_undispatched",
    ),
    Periodic(
        "batch-messages",
        timedelta(seconds=15),
        "pacer.messaging.batching.batch_notifications",
        has_work="pacer.messaging.batching.has_work",
    ),
    Periodic(
        "sweep-webhook-deliveries",  # a dead worker's delivery, once its lease ran out
        timedelta(seconds=5),
        "pacer.webhooks.delivery.sweep_deliveries",
        has_work="pacer.webhooks.delivery.has_due",
    ),
    Periodic("recover-tasks", timedelta(minutes=1), "pacer.jobs.recovery.recover_tasks"),
    Periodic("prune-tasks", timedelta(hours=6), "pacer.jobs.recovery.prune_tasks"),
    Periodic("reminders", timedelta(minutes=5), "pacer.reminders.tasks.send_due_reminders"),
    Periodic("weekly-digest", timedelta(minutes=15), "pacer.digest.tasks.send_due_digests"),
    Periodic("overdue-work", timedelta(hours=1), "pacer.initiatives.tasks.notify_overdue_work"),
    Periodic(
        "sync-trackers",
        timedelta(minutes=1),
        "pacer.initiatives.sync.sync_due",
        has_work="pacer.initiatives.sync.has_work",
    ),
    Periodic(
        "data-sources",
        timedelta(minutes=1),
        "pacer.datasources.tasks.run_due_sources",
        has_work="pacer.datasources.tasks.has_work",
    ),
    Periodic(
        "prune-reports",  # prepared reports (and their files) after a day
        timedelta(hours=1),
        "pacer.reports.tasks.prune_reports",
        has_work="pacer.reports.tasks.has_old_reports",
    ),
    # This ISO week's dashboard numbers, replaced each run (docs/dashboards.md, "Trends").
    Periodic(
        "weekly-snapshots", timedelta(hours=1), "pacer.insights.snapshots.write_weekly_snapshots"
    ),
)


def tick(now: datetime | None = None, schedule: tuple[Periodic, ...] = SCHEDULE) -> list[str]:
    """Enqueue every periodic task that is due; the names of those enqueued."""
    now = now or timezone.now()
    enqueued = []
    for periodic in schedule:
        if is_due(periodic, now) and claim(periodic, now):
            task: Task[Any, Any] = import_string(periodic.task)
            task.enqueue()
            enqueued.append(periodic.name)
    return enqueued


def is_due(periodic: Periodic, now: datetime) -> bool:
    if periodic.has_work:
        check: Callable[[], bool] = import_string(periodic.has_work)
        if not check():
            return False
    return not DBTaskResult.objects.filter(task_path=periodic.task, status__in=UNFINISHED).exists()


def claim(periodic: Periodic, now: datetime) -> bool:
    """Whether this scheduler moves the periodic task's last run to `now` (and so runs it)."""
    moved = ScheduleRun.objects.filter(
        name=periodic.name, last_run_at__lte=now - periodic.every
    ).update(last_run_at=now)
    if moved:
        return True
    try:
        with transaction.atomic():
            ScheduleRun.objects.create(name=periodic.name, last_run_at=now)
    except IntegrityError:
        return False  # another worker ran it within the interval
    return True
