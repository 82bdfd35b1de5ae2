"""The periodic digest run (pacer/jobs/schedule.py enqueues it every 15 minutes)."""

import logging

from django.utils import timezone
from django_tasks import task

from pacer.digest.services import send_digests

logger = logging.getLogger("pacer.digest")


@task()
def send_due_digests() -> int:
    """Send the digests due now; safe to run any number of times (once a week each)."""
    sent = send_digests(now=timezone.now())
    if sent:
        logger.info("sent %d weekly digests", len(sent))
    return len(sent)
