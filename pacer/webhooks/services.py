"""Webhooks' rules, for the API and the web alike: register, change, remove, list, the
delivery log, and redeliver. Admins of the webhook's organization only.

A URL is checked with pacer.outbound (the SSRF rule, PACER_OUTBOUND_ALLOW) before anything
is written, and again at each delivery (DNS may have changed since). Errors name the field
("url", "events") and write nothing.
"""

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from pacer import outbound, secretbox
from pacer.accounts.models import User
from pacer.events.kinds import WEBHOOK_KINDS
from pacer.okrs import permissions
from pacer.okrs.errors import DomainError
from pacer.webhooks.models import Webhook, WebhookDelivery

MAX_PER_ORGANIZATION = 50  # a bound on the fan-out work one event can cause


@dataclass(frozen=True)
class Created:
    webhook: Webhook
    secret: str  # shown once; Pacer keeps it only encrypted


class NotFound(Http404):
    """No such webhook or delivery in the person's organization (a 404, never a 403)."""


def require_admin(by: User) -> None:
    if not permissions.is_admin_of(by, by.organization_id):
        raise PermissionDenied("Only organization admins manage webhooks.")


def checked_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise DomainError("enter the URL Pacer should post to", "url")
    try:
        outbound.check(url)
    except outbound.Refused as refused:
        raise DomainError(str(refused), "url") from refused
    return url


def checked_events(events: Iterable[str] | None) -> list[str]:
    chosen = [str(e).strip() for e in (events or [])]
    unknown = [e for e in chosen if e not in WEBHOOK_KINDS]
    if unknown:
        raise DomainError(
            f"unknown event {unknown[0]!r}; choose among {', '.join(WEBHOOK_KINDS)}", "events"
        )
    if not chosen:
        raise DomainError("choose at least one event", "events")
    return [k for k in WEBHOOK_KINDS if k in chosen]  # a fixed order, no repeats


def webhooks_of(by: User) -> QuerySet[Webhook]:
    require_admin(by)
    assert by.organization_id is not None
    return Webhook.objects.filter(organization_id=by.organization_id).select_related("owner")


def webhook_of(by: User, webhook_id: int) -> Webhook:
    found = webhooks_of(by).filter(pk=webhook_id).first()
    if found is None:
        raise NotFound("No such webhook.")
    return found


def webhook_create(*, by: User, url: str, events: Iterable[str] | None) -> Created:
    """Register a webhook; its signing secret is in the answer, and nowhere else later."""
    require_admin(by)
    assert by.organization_id is not None  # require_admin: an admin of an organization
    problems = []
    try:
        url = checked_url(url)
    except DomainError as error:
        problems += error.problems
    try:
        chosen = checked_events(events)
    except DomainError as error:
        problems += error.problems
    if problems:
        raise DomainError(problems)
    if Webhook.objects.filter(organization_id=by.organization_id).count() >= MAX_PER_ORGANIZATION:
        raise DomainError(f"an organization has at most {MAX_PER_ORGANIZATION} webhooks", "url")
    secret = "whsec_" + secrets.token_urlsafe(32)
    webhook = Webhook.objects.create(
        organization_id=by.organization_id,
        url_encrypted=secretbox.encrypt(url),
        url_masked=secretbox.masked_url(url),
        events=chosen,
        secret_encrypted=secretbox.encrypt(secret),
        owner=by,
    )
    return Created(webhook, secret)


def webhook_update(
    webhook: Webhook,
    *,
    by: User,
    url: str | None = None,
    events: Iterable[str] | None = None,
    active: bool | None = None,
) -> Webhook:
    """Change what is given (None: unchanged)."""
    require_admin(by)
    problems = []
    changes: dict[str, object] = {}
    if url is not None:
        try:
            plain = checked_url(url)
            changes |= {
                "url_encrypted": secretbox.encrypt(plain),
                "url_masked": secretbox.masked_url(plain),
            }
        except DomainError as error:
            problems += error.problems
    if events is not None:
        try:
            changes["events"] = checked_events(events)
        except DomainError as error:
            problems += error.problems
    if problems:
        raise DomainError(problems)
    if active is not None:
        changes["active"] = bool(active)
    for name, value in changes.items():
        setattr(webhook, name, value)
    webhook.updated_at = timezone.now()
    webhook.save()
    return webhook


def webhook_delete(webhook: Webhook, *, by: User) -> None:
    require_admin(by)
    webhook.delete()  # its deliveries go with it


def deliveries_of(webhook: Webhook) -> QuerySet[WebhookDelivery]:
    return webhook.deliveries.select_related("event").order_by("-created_at", "-id")


def delivery_of(webhook: Webhook, delivery_id: str) -> WebhookDelivery:
    try:
        wanted = uuid.UUID(str(delivery_id))
    except ValueError as error:  # not a UUID: no such delivery
        raise NotFound("No such delivery.") from error
    found = webhook.deliveries.select_related("event").filter(delivery_id=wanted).first()
    if found is None:
        raise NotFound("No such delivery.")
    return found


def redeliver(delivery: WebhookDelivery, *, by: User) -> WebhookDelivery:
    """Send it again now, with the same X-Pacer-Delivery id (the receiver may drop it if it
    had it). A delivery being sent right now is left to finish. Attempts keep counting (the
    log tells every try); one that had its retries gets this one try."""
    from pacer.jobs import queue
    from pacer.webhooks.delivery import deliver

    require_admin(by)
    now = timezone.now()
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=WebhookDelivery.PENDING, next_attempt_at=now
        )
        queue.enqueue(deliver, delivery.pk)
    delivery.refresh_from_db()
    return delivery


def url_of(webhook: Webhook) -> str:
    """The plain URL, for sending only (never shown)."""
    return secretbox.decrypt(webhook.url_encrypted)


def secret_of(webhook: Webhook) -> str:
    return secretbox.decrypt(webhook.secret_encrypted)
