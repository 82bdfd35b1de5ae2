"""Signed webhooks out: an organization's receivers (Webhook) and each event's delivery to
one of them (WebhookDelivery).

The URL and the secret are stored encrypted (pacer.secretbox): a receiver's URL often
carries its own token (https://hooks.example.com/T0/B1/xyz), so it is a secret too and is
shown back only masked, to admins as to anyone; the signing secret is shown once, when the
webhook is created. A delivery is unique per (webhook, event), so dispatching an event
twice delivers it once; its `delivery_id` is the X-Pacer-Delivery header, the same on
every retry and redelivery, so a receiver can drop repeats.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pacer.events.models import Event
from pacer.okrs.models import Organization


class Webhook(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    url_encrypted = models.TextField()
    # Shown in lists so admins can tell webhooks apart without the full (secret) URL.
    url_masked = models.CharField(max_length=300)
    events = models.JSONField(default=list)  # a subset of pacer.events.kinds.WEBHOOK_KINDS
    secret_encrypted = models.TextField()
    # The admin who registered it: a private objective's events go to it only while this
    # person may see the objective (so demoting them narrows what the webhook hears).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"webhook {self.pk} to {self.url_masked}"


class WebhookDelivery(models.Model):
    PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
    STATES = (PENDING, DELIVERED, FAILED)

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=10, choices=[(s, s) for s in STATES], default=PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # The lease: whoever set `claim` may post until `lease_until`; after it the delivery is
    # anyone's to retry (the worker died or hung mid-delivery).
    claim = models.CharField(max_length=36, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    response_excerpt = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event"], name="webhook_delivery_once"),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "delivered", "failed"]),
                name="webhook_delivery_state",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(state="pending"), name="webhook_due"
            ),
        ]

    def __str__(self) -> str:
        return f"delivery {self.delivery_id}: {self.state}"
