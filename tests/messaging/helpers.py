"""Notifications and channels for the messaging tests, without going through events."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from pacer.accounts.models import User
from pacer.messaging import batching, services
from pacer.messaging.models import OutgoingMessage, TeamChannel
from pacer.notifications.models import Notification
from pacer.okrs.models import Team

_counter = iter(range(1, 10**9))


def note(
    person: User, title: str = "Deliver faster turned at risk", *, ago: float = 3, **fields: Any
) -> Notification:
    """A notification `ago` minutes old, wanting email unless told otherwise."""
    fields.setdefault("by_email", True)
    fields.setdefault("kind", "at_risk")
    return Notification.objects.create(
        person=person,
        key=f"test:{next(_counter)}",
        title=title,
        url=fields.pop("url", "/objectives/delivery/"),
        created_at=timezone.now() - timedelta(minutes=ago),
        **fields,
    )


def channel(team: Team, admin: User, url: str, kind: str = "slack") -> TeamChannel:
    return services.channel_set(team=team, kind=kind, url=url, by=admin)


def batch() -> int:
    return batching.batch_notifications.call()


def messages(**filters: Any) -> list[OutgoingMessage]:
    return list(OutgoingMessage.objects.filter(**filters).order_by("id"))


def send_all() -> list[str]:
    """Send every queued message that is due, as the worker's tasks would."""
    from pacer.messaging import sending

    due = OutgoingMessage.objects.filter(
        state=OutgoingMessage.QUEUED, next_attempt_at__lte=timezone.now()
    )
    return [sending.send_message.call(pk) for pk in due.values_list("pk", flat=True)]


def make_due(message: OutgoingMessage) -> None:
    """Skip the backoff wait of a message's next attempt."""
    OutgoingMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
