"""What an admin may do to the queue from the Background tasks page."""

from dataclasses import replace
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult


class CannotRunAgain(Exception):
    """Why a result cannot be run again, in words for the admin."""


@transaction.atomic
def run_again(result_id: str) -> DBTaskResult:
    """Enqueue a failed task's path again with the same arguments; the new result.

    The failed result stays as it is (the page keeps its error). Tasks are idempotent, so
    running one again does no harm if the failure was half-way through.
    """
    try:
        failed = DBTaskResult.objects.select_for_update().get(pk=result_id)
    except (DBTaskResult.DoesNotExist, ValueError) as error:
        raise CannotRunAgain("There is no such task (it may have been pruned).") from error
    if failed.status != "FAILED":
        raise CannotRunAgain(f"Only a failed task runs again; this one is {failed.status.lower()}.")
    try:
        task: Task[Any, Any] = failed.task
    except (ImportError, SuspiciousOperation) as error:
        raise CannotRunAgain(
            f"{failed.task_path} is no longer a task in this version of Pacer."
        ) from error
    arguments = failed.args_kwargs or {}
    # Run at once: the original run_after (a backoff) has passed or no longer matters.
    result = replace(task, run_after=None).enqueue(
        *arguments.get("args", []), **arguments.get("kwargs", {})
    )
    return DBTaskResult.objects.get(pk=result.id)
