"""The worker's side of the outbox: hand each new event to its subscribers, once.

Subscribers (people's notifications, webhooks) turn events into their own rows (a
notification per person, a delivery per webhook) with unique constraints on (event, who),
so dispatching an event twice, after a crash between their writes and `dispatched_at`,
creates nothing twice.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from pacer.events.models import Event

BATCH = 200
SUBSCRIBERS = (
    "pacer.notifications.fanout.on_events",
    "pacer.webhooks.fanout.on_events",
)


def has_undispatched() -> bool:
    return Event.objects.filter(dispatched_at=None).exists()


def subscribers() -> list[Callable[[Sequence[Event]], Any]]:
    return [import_string(path) for path in SUBSCRIBERS]


@task()
def dispatch_events() -> int:
    """Dispatch up to BATCH events, oldest first; how many."""
    events = list(
        Event.objects.filter(dispatched_at=None)
        .select_related("organization", "objective", "actor")
        .order_by("id")[:BATCH]
    )
    if not events:
        return 0
    with transaction.atomic():
        for subscriber in subscribers():
            subscriber(events)
        Event.objects.filter(pk__in=[e.pk for e in events]).update(dispatched_at=timezone.now())
    return len(events)
