"""Webhooks and events for the webhook tests."""

from typing import Any

from django.utils import timezone

from pacer.accounts.models import User
from pacer.events import kinds, payloads
from pacer.events.dispatch import dispatch_events
from pacer.events.models import Event
from pacer.okrs.models import Objective
from pacer.webhooks import services
from pacer.webhooks.delivery import deliver
from pacer.webhooks.models import WebhookDelivery


def hook(admin: User, url: str, events: Any = None) -> services.Created:
    """A webhook of `admin`; the world's own events (its check-in) count as dispatched, so
    a test sees only the events it records."""
    Event.objects.filter(dispatched_at=None).update(dispatched_at=timezone.now())
    return services.webhook_create(by=admin, url=url, events=events or list(kinds.WEBHOOK_KINDS))


def updated(objective: Objective) -> Event:
    """An objective.updated event, as the objectives service records it."""
    return Event.objects.create(
        organization_id=objective.organization_id,
        kind=kinds.OBJECTIVE_UPDATED,
        objective=objective,
        payload={"objective": payloads.objective_data(objective)},
    )


def dispatch() -> int:
    return dispatch_events.call()


def deliver_due() -> list[str]:
    """Post every pending delivery that is due, as the worker's tasks would."""
    due = WebhookDelivery.objects.filter(
        state=WebhookDelivery.PENDING, next_attempt_at__lte=timezone.now()
    )
    return [deliver.call(pk) for pk in due.values_list("pk", flat=True)]


def make_due(delivery: WebhookDelivery) -> None:
    """Skip the backoff wait of a delivery's next attempt."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


# A public address as a literal: it passes the SSRF check without DNS; nothing is posted
# to it in the tests that use it (no event is dispatched there).
PUBLIC_URL = "https://93.184.215.14/pacer-hook"


def webhook_id(admin: User) -> int:
    """A webhook of the admin's organization (the API role matrix acts on it)."""
    return services.webhook_create(by=admin, url=PUBLIC_URL, events=[kinds.CYCLE_CLOSED]).webhook.pk


def delivery_path(admin: User) -> str:
    """.../deliveries/{delivery_id}/redeliver of a failed delivery of a new webhook."""
    from pacer.webhooks.models import Webhook

    webhook = Webhook.objects.get(pk=webhook_id(admin))
    event = Event.objects.create(
        organization_id=webhook.organization_id, kind=kinds.CYCLE_CLOSED, payload={}
    )
    delivery = WebhookDelivery.objects.create(webhook=webhook, event=event, state="failed")
    return f"/webhooks/{webhook.pk}/deliveries/{delivery.delivery_id}/redeliver"
