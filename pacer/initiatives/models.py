"""The work behind key results (docs/initiatives.md; okr-semantics.md, "Initiatives").

An initiative supports key results of one cycle; its progress q is derived (tasks done,
else the linked tracker's closed share, else its status) and kept in step by
pacer.initiatives.services, which also rolls it up into key results of type `initiatives`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models

from pacer.okrs import progress as engine
from pacer.okrs.models import REF_LENGTH, Cycle, KeyResult, Organization, Team


class Initiative(models.Model):
    class Status(models.TextChoices):
        PLANNED = engine.PLANNED, "Planned"
        IN_PROGRESS = engine.IN_PROGRESS, "In progress"
        BLOCKED = engine.BLOCKED, "Blocked"
        DONE = engine.DONE, "Done"
        CANCELLED = engine.CANCELLED, "Cancelled"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="initiatives")
    ref = models.SlugField(max_length=REF_LENGTH)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_initiatives"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="initiatives"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    start = models.DateField(null=True, blank=True)
    due = models.DateField(null=True, blank=True)
    key_results = models.ManyToManyField(KeyResult, related_name="initiatives", blank=True)
    # One external link (a tracker's milestone, epic or query) and what its last sync saw.
    link_url = models.URLField(max_length=2000, blank=True)
    link_open = models.PositiveIntegerField(null=True, blank=True)
    link_closed = models.PositiveIntegerField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)  # the last successful sync
    sync_error = models.TextField(blank=True)  # why the last attempt failed ("" if it did not)
    sync_failed_at = models.DateTimeField(null=True, blank=True)
    sync_failures = models.PositiveIntegerField(default=0)  # failures in a row
    # Not before: when the worker may sync the link next (pacer.initiatives.sync). Set when a
    # sync is queued, after each attempt, and to the tracker's retry time when rate limited.
    sync_next_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sync_retry_after = models.DateTimeField(null=True, blank=True)  # the tracker's own wish
    # Derived, kept in step by the services.
    progress = models.DecimalField(max_digits=13, decimal_places=12, default=Decimal(0))
    # The contract's impact rounded as lists order by it (engine.impact_rank), kept in step
    # by pacer.initiatives.impacts on every write that moves an input: the Work page and the
    # dashboards sort by this column instead of computing every initiative's impact.
    impact = models.DecimalField(
        max_digits=21, decimal_places=9, default=Decimal(0), db_default=Decimal(0)
    )
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "ref"], name="initiative_ref_unique"),
        ]
        indexes = [
            models.Index(fields=["cycle", "status"]),
            models.Index(fields=["cycle", "-impact", "due"], name="initiative_work_order"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def synced(self) -> tuple[int, int] | None:
        if self.synced_at is None or self.link_open is None or self.link_closed is None:
            return None
        return self.link_open, self.link_closed


class Task(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=300)
    done = models.BooleanField(default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tasks",
    )
    due = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["initiative_id", "position", "id"]
        indexes = [models.Index(fields=["assignee", "done"])]

    def __str__(self) -> str:
        return self.title


class StatusUpdate(models.Model):
    """A check-in for work: the status as it was set, and a note."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Initiative.Status.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["initiative_id", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.initiative_id}: {self.status}"


class TrackerConnection(models.Model):
    """An organization's issue tracker (docs/trackers.md, "Connecting a tracker"): the web
    base its links start with and, encrypted (pacer.secretbox), a read-only token. The
    token is shown back only masked; pacer.initiatives.connections decrypts it for syncs."""

    class Tracker(models.TextChoices):
        GITHUB = "github", "GitHub"
        GITLAB = "gitlab", "GitLab"
        JIRA = "jira", "Jira"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    tracker = models.CharField(max_length=10, choices=Tracker.choices)
    base_url = models.CharField(max_length=500)  # without a trailing slash
    api_url = models.CharField(max_length=500, blank=True)  # "" = derived from base_url
    token_encrypted = models.TextField(blank=True)
    token_masked = models.CharField(max_length=20, blank=True)  # "…wxyz", for the list
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tracker", "base_url", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "base_url"], name="tracker_connection_base_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tracker_display()} at {self.base_url}"
