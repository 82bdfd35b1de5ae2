"""Sending notifications by email, Slack and Microsoft Teams: a team's channels, and the
messages that carry people's notifications out (pacer/messaging/batching.py, sending.py).

Sending is idempotent by three rules the database keeps: a notification is in at most one
message per channel (MessageItem), a message is sent only by whoever holds its claim (a
lease), and a sent message is never claimed again.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pacer.notifications.models import Notification
from pacer.okrs.models import Team

SLACK, TEAMS, EMAIL = "slack", "teams", "email"
TEAM_KINDS = (SLACK, TEAMS)
KIND_LABELS = {SLACK: "Slack", TEAMS: "Microsoft Teams", EMAIL: "Email"}


class TeamChannel(models.Model):
    """A team's Slack or Teams incoming webhook; the URL is a secret (anyone holding it may
    post to the channel), so it is stored encrypted (pacer.secretbox) and shown masked."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(max_length=10, choices=[(k, KIND_LABELS[k]) for k in TEAM_KINDS])
    url_encrypted = models.TextField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "kind"], name="team_channel_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of team {self.team_id}"


class OutgoingMessage(models.Model):
    """One message to one person by one channel, carrying one notification or a digest of
    several. Slack and Teams messages go to a team's channel (`team_channel`)."""

    QUEUED, SENT, FAILED, SKIPPED = "queued", "sent", "failed", "skipped"
    STATES = (QUEUED, SENT, FAILED, SKIPPED)

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outgoing_messages"
    )
    channel = models.CharField(
        max_length=10, choices=[(c, KIND_LABELS[c]) for c in (EMAIL, *TEAM_KINDS)]
    )
    team_channel = models.ForeignKey(
        TeamChannel, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    notifications: "models.ManyToManyField[Notification, MessageItem]" = models.ManyToManyField(
        Notification, through="MessageItem", related_name="messages"
    )
    state = models.CharField(max_length=10, choices=[(s, s) for s in STATES], default=QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # The claim: whoever set `claim` may send until `claimed_until`; after it, the message
    # is someone else's to retry (the sender crashed or hung).
    claim = models.CharField(max_length=36, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "sent", "failed", "skipped"]),
                name="outgoing_message_state",
            ),
            models.CheckConstraint(
                condition=~Q(channel="email") | Q(team_channel__isnull=True),
                name="outgoing_email_has_no_team_channel",
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False),
                name="outgoing_sent_has_sent_at",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(state="queued"), name="outgoing_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.person_id}: {self.state}"


class MessageItem(models.Model):
    """A notification carried by a message. Unique per notification and channel: batching
    twice (two workers, a crash) never puts a notification in two messages of a channel."""

    message = models.ForeignKey(OutgoingMessage, on_delete=models.CASCADE, related_name="items")
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10)  # the message's, copied for the constraint

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="message_item_once_per_channel"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} in {self.message_id}"
