"""The queue, as the rest of Pacer uses it: enqueue a task, retry it with backoff.

Tasks are django-tasks tasks (`@task()`), stored by the database backend in Pacer's own
database, so enqueueing inside a service's transaction commits or rolls back with it. A task
must be idempotent: the worker may run it again after a crash, and the schedule re-enqueues
work that was left undone.
"""

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django_tasks.base import Task, TaskResult

# A retried task waits BACKOFF_BASE, then twice as long each time, up to BACKOFF_CAP.
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 8  # 30 s, 1, 2, 4, 8, 16, 32 min, 1 h: about two hours in all


def backoff(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1 for the first)."""
    return min(BACKOFF_BASE * 2 ** max(attempt - 1, 0), BACKOFF_CAP)


def enqueue(
    task: Task[Any, Any], *args: Any, run_after: datetime | None = None, **kwargs: Any
) -> TaskResult[Any]:
    """Queue `task(*args, **kwargs)`, to run at once or not before `run_after`."""
    if run_after is not None:
        task = task.using(run_after=run_after)
    return task.enqueue(*args, **kwargs)


def retry_later(task: Task[Any, Any], attempt: int, *args: Any, **kwargs: Any) -> datetime | None:
    """Queue the next attempt of `task` after failed attempt `attempt`, with backoff; None
    when it has had MAX_ATTEMPTS (the caller records the final failure)."""
    if attempt >= MAX_ATTEMPTS:
        return None
    when = timezone.now() + backoff(attempt)
    enqueue(task, *args, run_after=when, **kwargs)
    return when
