"""People's notifications: what they were told, what they want, what they follow.

A Notification is one thing to tell one person (in the inbox, and by the channels they
chose); `key` makes creating it idempotent (an event dispatched twice, a reminder run twice
in one period). Sending by email, Slack and Teams, batched, is pacer.messaging's.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pacer.events.models import Event
from pacer.notifications import kinds
from pacer.okrs.models import Objective, Team

KIND_CHOICES = [(k, kinds.LABELS[k]) for k in kinds.KINDS]


class Notification(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    # Unique per person: "event:<id>", "reminder:<period start>", "nudge:<date>"...
    key = models.CharField(max_length=100)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The objective it concerns, if any: if the person can no longer see it, it is not shown.
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)  # a path in Pacer (/objectives/x/)
    # The channels the person wanted for this kind when it was created (kinds.CHANNELS):
    # the inbox lists those `in_app`; pacer.messaging sends the others.
    in_app = models.BooleanField(default=True)
    by_email = models.BooleanField(default=False)
    by_slack = models.BooleanField(default=False)
    by_teams = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="notification_once"),
        ]
        indexes = [
            models.Index(
                fields=["person", "-created_at"],
                condition=Q(read_at=None),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.person_id}: {self.title}"


class Preference(models.Model):
    """A person's choice for one kind and channel; absent: kinds.DEFAULTS."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    channel = models.CharField(
        max_length=10, choices=[(c, kinds.CHANNEL_LABELS[c]) for c in kinds.CHANNELS]
    )
    enabled = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "channel"], name="preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind}/{self.channel}={self.enabled}"


class Follow(models.Model):
    """A person follows an objective or a team (exactly one) to hear of its events."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(objective__isnull=False, team__isnull=True)
                | Q(objective__isnull=True, team__isnull=False),
                name="follow_one_thing",
            ),
            models.UniqueConstraint(
                fields=["person", "objective"],
                condition=Q(objective__isnull=False),
                name="follow_objective_once",
            ),
            models.UniqueConstraint(
                fields=["person", "team"], condition=Q(team__isnull=False), name="follow_team_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} follows {self.objective_id or self.team_id}"
