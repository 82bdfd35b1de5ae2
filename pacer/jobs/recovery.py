"""Work a stopped worker left behind, and old results.

A worker killed mid-task (a crash, a deploy, `kill -9`) leaves its task RUNNING forever.
Every minute the schedule looks for such tasks: on this host, those whose worker process is
gone; anywhere, those running for longer than RUNNING_LEASE. Each is marked failed (so the
tasks page says what happened) and enqueued again: tasks are idempotent, so the work is
done once more rather than lost.
"""

import os
import socket
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

RUNNING_LEASE = timedelta(minutes=30)
KEEP_FINISHED = timedelta(days=7)
WORKER_LOST = "pacer.jobs.recovery.WorkerLost"


def worker_id() -> str:
    """This process's worker id: host and process id, so recovery can tell if it lives."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def is_alive(worker: str) -> bool:
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname()[:40] or not pid.isdigit():
        return True  # another host's worker: only the lease can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lost_tasks() -> list[DBTaskResult]:
    cutoff = timezone.now() - RUNNING_LEASE
    running = DBTaskResult.objects.filter(status="RUNNING")
    return [
        result
        for result in running
        if (result.started_at and result.started_at < cutoff)
        or not all(is_alive(worker) for worker in result.worker_ids[-1:])
    ]


@task()
def recover_tasks() -> int:
    """Fail and re-enqueue the tasks of stopped workers; how many."""
    recovered = 0
    for result in lost_tasks():
        with transaction.atomic():
            claimed = DBTaskResult.objects.filter(pk=result.pk, status="RUNNING").update(
                status="FAILED",
                finished_at=timezone.now(),
                exception_class_path=WORKER_LOST,
                traceback="The worker stopped during this task; it was queued again.",
            )
            if claimed:
                args = result.args_kwargs
                result.task.enqueue(*args.get("args", []), **args.get("kwargs", {}))
                recovered += 1
    return recovered


@task()
def prune_tasks() -> int:
    """Forget finished tasks older than KEEP_FINISHED; how many."""
    cutoff = timezone.now() - KEEP_FINISHED
    deleted, _ = DBTaskResult.objects.filter(
        status__in=("SUCCESSFUL", "FAILED"), finished_at__lt=cutoff
    ).delete()
    return deleted
