"""The periodic reminder run (pacer/jobs/schedule.py enqueues it every few minutes)."""

import logging

from django.utils import timezone
from django_tasks import task

from pacer.reminders.services import send_reminders

logger = logging.getLogger("pacer.reminders")


@task()
def send_due_reminders() -> int:
    """Send the reminders due now; safe to run any number of times (once per period)."""
    sent = send_reminders(now=timezone.now())
    if sent:
        logger.info("sent %d check-in reminders", len(sent))
    return len(sent)
