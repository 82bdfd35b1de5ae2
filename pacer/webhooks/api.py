"""Webhooks in the API (admins): register (the secret is in the answer, once), list, read,
change, remove, the delivery log, and redeliver. The rules are pacer.webhooks.services';
a refused URL or an unknown event is a 422 naming body.url or body.events."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from pacer.api.auth import caller
from pacer.api.endpoints.common import NO_CONTENT, ok
from pacer.api.pagination import paged
from pacer.api.schemas import Id, PageQuery, Strict
from pacer.events.kinds import WEBHOOK_KINDS
from pacer.webhooks import services
from pacer.webhooks.models import Webhook, WebhookDelivery

router = Router(tags=["webhooks"])
EVENTS = f"a subset of {', '.join(WEBHOOK_KINDS)}"


class WebhookOut(Schema):
    id: int
    url_masked: str = Field(
        description="scheme, host and the last 4 characters: the URL may carry a token, so "
        "Pacer never shows it in full",
        examples=["https://hooks.example.com/…x9Zq"],
    )
    events: list[str] = Field(description=EVENTS)
    active: bool
    owner: str | None = Field(description="the email of the admin who registered it")
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="the signing secret (X-Pacer-Signature), shown in this answer only"
    )


class WebhookIn(Strict):
    url: str = Field(max_length=2000, examples=["https://hooks.example.com/pacer"])
    events: list[str] = Field(max_length=20, description=EVENTS, examples=[["checkin.created"]])


class WebhookPatch(Strict):
    url: str | None = Field(None, max_length=2000)
    events: list[str] | None = Field(None, max_length=20, description=EVENTS)
    active: bool | None = None


class WebhookList(Schema):
    items: list[WebhookOut]


class DeliveryOut(Schema):
    id: UUID = Field(description="the X-Pacer-Delivery header, the same on every attempt")
    event: str
    state: str = Field(description="pending, delivered or failed")
    attempts: int
    status_code: int | None = Field(description="the receiver's last HTTP status")
    last_error: str
    response_excerpt: str = Field(description="the start of the receiver's last answer")
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None = Field(description="when it is tried next, if pending")
    delivered_at: datetime | None


class DeliveryList(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None


def webhook_out(webhook: Webhook) -> dict[str, Any]:
    return {
        "id": webhook.pk,
        "url_masked": webhook.url_masked,
        "events": list(webhook.events),
        "active": webhook.active,
        "owner": webhook.owner.email if webhook.owner else None,
        "created_at": webhook.created_at,
        "updated_at": webhook.updated_at,
    }


def delivery_out(delivery: WebhookDelivery) -> dict[str, Any]:
    pending = delivery.state == WebhookDelivery.PENDING
    return {
        "id": delivery.delivery_id,
        "event": delivery.event.kind,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "status_code": delivery.status_code,
        "last_error": delivery.last_error,
        "response_excerpt": delivery.response_excerpt,
        "created_at": delivery.created_at,
        "last_attempt_at": delivery.last_attempt_at,
        "next_attempt_at": delivery.next_attempt_at if pending else None,
        "delivered_at": delivery.delivered_at,
    }


@router.post(
    "/webhooks",
    response=ok(WebhookCreated, 201),
    summary="Register a webhook (admins); the answer holds its secret, once",
)
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Status[dict[str, Any]]:
    created = services.webhook_create(by=caller(request), url=payload.url, events=payload.events)
    return Status(201, {**webhook_out(created.webhook), "secret": created.secret})


@router.get("/webhooks", response=ok(WebhookList), summary="List the webhooks (admins)")
def list_webhooks(request: HttpRequest) -> dict[str, Any]:
    return {"items": [webhook_out(w) for w in services.webhooks_of(caller(request))]}


@router.get("/webhooks/{webhook_id}", response=ok(WebhookOut), summary="Read a webhook (admins)")
def get_webhook(request: HttpRequest, webhook_id: Path[Id]) -> dict[str, Any]:
    return webhook_out(services.webhook_of(caller(request), webhook_id))


@router.patch(
    "/webhooks/{webhook_id}",
    response=ok(WebhookOut),
    summary="Change a webhook's URL, events or active flag (admins)",
)
def patch_webhook(request: HttpRequest, webhook_id: Path[Id], payload: WebhookPatch) -> Any:
    user = caller(request)
    webhook = services.webhook_of(user, webhook_id)
    services.webhook_update(
        webhook, by=user, url=payload.url, events=payload.events, active=payload.active
    )
    return webhook_out(webhook)


@router.delete(
    "/webhooks/{webhook_id}", response=NO_CONTENT, summary="Remove a webhook and its log (admins)"
)
def delete_webhook(request: HttpRequest, webhook_id: Path[Id]) -> Status[None]:
    user = caller(request)
    services.webhook_delete(services.webhook_of(user, webhook_id), by=user)
    return Status(204, None)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response=ok(DeliveryList),
    summary="A webhook's delivery log, oldest first (admins)",
)
def list_deliveries(
    request: HttpRequest, webhook_id: Path[Id], query: Query[PageQuery]
) -> dict[str, Any]:
    webhook = services.webhook_of(caller(request), webhook_id)
    return paged(
        services.deliveries_of(webhook),
        cursor=query.cursor,
        limit=query.limit,
        present=lambda rows: [delivery_out(d) for d in rows],
    )


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response=ok(DeliveryOut, 202),
    summary="Send a delivery again, with the same X-Pacer-Delivery id (admins)",
)
def redeliver(
    request: HttpRequest, webhook_id: Path[Id], delivery_id: Path[UUID]
) -> Status[dict[str, Any]]:
    user = caller(request)
    delivery = services.delivery_of(services.webhook_of(user, webhook_id), str(delivery_id))
    return Status(202, delivery_out(services.redeliver(delivery, by=user)))
