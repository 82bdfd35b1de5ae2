"""Events to webhook deliveries (see pacer.events.dispatch): one delivery per event and
active webhook of its organization that wants its kind, and a task to post it.

Private objectives never leak: an event about a private objective goes only to webhooks
whose owner (the admin who registered it) may see that objective now
(pacer.okrs.selectors.objectives_visible_to); an event whose private objective was since
deleted goes only to webhooks of active admins. Idempotent: (webhook, event) is unique, and
only deliveries this call created get a task.
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pacer.events.models import Event
from pacer.jobs import queue
from pacer.okrs.models import Objective
from pacer.okrs.selectors import objectives_visible_to
from pacer.webhooks.models import Webhook, WebhookDelivery

PRIVATE = Objective.Visibility.PRIVATE


def says_private(payload: Any) -> bool:
    """Whether a payload snapshot concerns a private objective (visibility anywhere in it)."""
    if isinstance(payload, dict):
        if payload.get("visibility") == PRIVATE:
            return True
        return any(says_private(value) for value in payload.values())
    return False


def is_private(event: Event) -> bool:
    if event.objective is not None:
        return bool(event.objective.visibility == PRIVATE)
    return says_private(event.payload)


def may_hear(webhook: Webhook, event: Event, seen: dict[int, set[int]]) -> bool:
    if event.kind not in webhook.events:
        return False
    if not is_private(event):
        return True
    owner = webhook.owner
    if owner is None or not owner.is_active or owner.organization_id != webhook.organization_id:
        return False
    if event.objective_id is None:
        return bool(owner.is_org_admin)
    return event.objective_id in seen.get(webhook.pk, set())


def visible_private(webhooks: list[Webhook], events: Sequence[Event]) -> dict[int, set[int]]:
    """For each webhook, which of the events' private objectives its owner may see (one
    query per webhook owner, only when there are private events)."""
    private = {e.objective_id for e in events if e.objective_id and is_private(e)}
    if not private:
        return {}
    seen: dict[int, set[int]] = {}
    for webhook in webhooks:
        if webhook.owner is not None and webhook.owner.is_active:
            visible = objectives_visible_to(webhook.owner).filter(pk__in=private)
            seen[webhook.pk] = set(visible.values_list("pk", flat=True))
    return seen


def on_events(events: Sequence[Event]) -> None:
    from pacer.webhooks.delivery import deliver

    organizations = {e.organization_id for e in events}
    webhooks = list(
        Webhook.objects.filter(organization_id__in=organizations, active=True).select_related(
            "owner"
        )
    )
    if not webhooks:
        return
    by_org: dict[int, list[Webhook]] = defaultdict(list)
    for webhook in webhooks:
        by_org[webhook.organization_id].append(webhook)
    seen = visible_private(webhooks, events)
    wanted = [
        WebhookDelivery(webhook=webhook, event=event, delivery_id=uuid.uuid4())
        for event in events
        for webhook in by_org.get(event.organization_id, [])
        if may_hear(webhook, event, seen)
    ]
    if not wanted:
        return
    WebhookDelivery.objects.bulk_create(wanted, ignore_conflicts=True)
    # Those that existed already (a second dispatch) keep their id and are not found here.
    created = WebhookDelivery.objects.filter(delivery_id__in=[d.delivery_id for d in wanted])
    for pk in created.values_list("pk", flat=True):
        queue.enqueue(deliver, pk)
