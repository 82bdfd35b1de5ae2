"""The initiatives' periodic work (pacer/jobs/schedule.py enqueues it)."""

from django.utils import timezone
from django_tasks import task

from pacer.initiatives import notices


@task()
def notify_overdue_work() -> int:
    """Tell owners of overdue initiatives; safe to run any number of times (once per due
    date each)."""
    return notices.notify_overdue(timezone.localdate())
