"""Delivering one event to one webhook: claim it, sign and POST it, record what happened.

The claim is a lease (a conditional UPDATE: pending, due, and nobody's lease running), so
two workers, or a task the recovery re-ran, never post it at once. LEASE outlasts any post
(PACER_OUTBOUND_TIMEOUT bounds it). If the worker dies mid-delivery the lease runs out and
`sweep_deliveries` (a periodic task) queues it again: the receiver then sees the same
X-Pacer-Delivery id again; deliveries are at least once, never lost.
"""

import hashlib
import hmac
import json
import logging
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django_tasks import task

from pacer import outbound, secretbox
from pacer.jobs import queue
from pacer.webhooks import services
from pacer.webhooks.models import WebhookDelivery

logger = logging.getLogger("pacer.webhooks")

USER_AGENT = "Pacer-Webhooks"
EXCERPT = 500
ERROR_LENGTH = 1000
SWEEP_BATCH = 200


def lease() -> timedelta:
    """Longer than any post may take (outbound.post's total deadline), with room for the
    database writes around it; short, so a dead worker's delivery is retried soon."""
    return timedelta(seconds=2 * float(settings.PACER_OUTBOUND_TIMEOUT) + 5)


def body_of(delivery: WebhookDelivery) -> bytes:
    event, organization = delivery.event, delivery.webhook.organization
    document: dict[str, Any] = {
        "id": str(delivery.delivery_id),
        "event": event.kind,
        "created_at": event.created_at.isoformat(),
        "organization": {"id": organization.pk, "name": organization.name},
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def headers_of(delivery: WebhookDelivery, secret: str, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Pacer-Event": delivery.event.kind,
        "X-Pacer-Delivery": str(delivery.delivery_id),
        "X-Pacer-Signature": signature(secret, body),
    }


@task()
def deliver(delivery_pk: int) -> str:
    """Post delivery `delivery_pk` if it is due and nobody holds it; what happened."""
    token = claim(delivery_pk)
    if token is None:
        return "not due, done, or held by another worker"
    delivery = WebhookDelivery.objects.select_related("webhook__organization", "event").get(
        pk=delivery_pk
    )
    webhook = delivery.webhook
    if not webhook.active:
        return finish(delivery, token, error="the webhook was deactivated", retry=False)
    try:
        url, secret = services.url_of(webhook), services.secret_of(webhook)
    except secretbox.Unreadable as error:
        return finish(delivery, token, error=str(error), retry=False)
    body = body_of(delivery)
    try:
        answer = outbound.post(url, body, headers_of(delivery, secret, body))
    except outbound.Refused as refused:  # DNS now points somewhere private: never sent
        return finish(delivery, token, error=f"refused: {refused}", retry=False)
    except outbound.Failed as error:
        return finish(delivery, token, error=str(error), retry=True)
    if 200 <= answer.status < 300:
        return finish(delivery, token, status=answer.status, excerpt=answer.body)
    return finish(
        delivery,
        token,
        status=answer.status,
        excerpt=answer.body,
        error=f"the receiver answered HTTP {answer.status}",
        retry=True,
    )


def claim(delivery_pk: int) -> str | None:
    now, token = timezone.now(), str(uuid.uuid4())
    claimed = (
        WebhookDelivery.objects.filter(
            pk=delivery_pk, state=WebhookDelivery.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(lease_until=None) | Q(lease_until__lt=now))
        .update(
            claim=token,
            lease_until=now + lease(),
            attempts=F("attempts") + 1,
            last_attempt_at=now,
        )
    )
    return token if claimed else None


def finish(
    delivery: WebhookDelivery,
    token: str,
    *,
    status: int | None = None,
    excerpt: str = "",
    error: str = "",
    retry: bool = False,
) -> str:
    """Record the attempt: delivered, or a failure retried after backoff (up to
    queue.MAX_ATTEMPTS attempts), or failed for good."""
    now = timezone.now()
    mine = WebhookDelivery.objects.filter(pk=delivery.pk, claim=token)
    seen = {"status_code": status, "response_excerpt": excerpt[:EXCERPT], "lease_until": None}
    if not error:
        mine.update(state=WebhookDelivery.DELIVERED, delivered_at=now, last_error="", **seen)
        return "delivered"
    error = error[:ERROR_LENGTH]
    if not retry or delivery.attempts >= queue.MAX_ATTEMPTS:
        mine.update(state=WebhookDelivery.FAILED, last_error=error, **seen)
        logger.warning("Webhook delivery %s failed for good: %s", delivery.delivery_id, error)
        return f"failed: {error}"
    when = now + queue.backoff(delivery.attempts)
    with transaction.atomic():
        if mine.update(next_attempt_at=when, last_error=error, **seen):
            queue.enqueue(deliver, delivery.pk, run_after=when)
    return f"retry at {when.isoformat()}: {error}"


def due() -> "QuerySet[WebhookDelivery]":
    """Pending deliveries that are due and that nobody holds (a lease ran out: the worker
    died mid-delivery; or its queued task was lost)."""
    now = timezone.now()
    return WebhookDelivery.objects.filter(
        state=WebhookDelivery.PENDING, next_attempt_at__lte=now
    ).filter(Q(lease_until=None) | Q(lease_until__lt=now))


def has_due() -> bool:
    return due().filter(lease_until__isnull=False).exists()


@task()
def sweep_deliveries() -> int:
    """Queue a delivery task for each pending delivery whose lease ran out; how many."""
    stale = list(due().filter(lease_until__isnull=False).values_list("pk", flat=True)[:SWEEP_BATCH])
    for pk in stale:
        queue.enqueue(deliver, pk)
    return len(stale)
