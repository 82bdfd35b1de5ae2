"""The outbox: what happened, written in the same transaction as the change itself.

A service records an Event beside its write (one INSERT, `pacer.events.record`); the worker
dispatches events to people's notifications and to webhooks. So a request never waits on a
mail server or a receiver, and an event exists exactly when its change was committed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pacer.events import kinds
from pacer.okrs.models import Objective, Organization


class Event(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, choices=[(k, k) for k in kinds.ALL_KINDS])
    # The objective the event concerns, if any: who may hear of it follows who may see it.
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What receivers are told, as JSON (refs, titles, values as strings): a snapshot taken
    # when it happened, so a later change does not rewrite the past.
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["id"], condition=Q(dispatched_at=None), name="event_undispatched"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
