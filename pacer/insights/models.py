"""Insights' stored rows: the weekly snapshots behind the dashboards' trends, the check-in
participation of ended periods, and TV links.

A snapshot is one (cycle, team, scope, ISO week): the counts of one team's own objectives
(team None: objectives without a team) in that scope. An organization's or a team tree's
trend is the sum of its teams' rows, so the rows hold sums and counts, never means.

`scope` is what keeps private objectives out of numbers shown to people who may not see
them: `public` rows count public objectives only and may be shown to anyone of the
organization; `all` rows count every objective and are shown to organization admins only
(who see everything). See docs/dashboards.md.
"""

from django.conf import settings
from django.db import models

from pacer.okrs.models import Cycle, Organization, Team

SCOPE_PUBLIC = "public"
SCOPE_ALL = "all"
SCOPES = (SCOPE_PUBLIC, SCOPE_ALL)


class WeeklySnapshot(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="snapshots")
    team = models.ForeignKey(Team, null=True, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=8, choices=[(s, s) for s in SCOPES])
    week = models.DateField(help_text="The Monday of the ISO week")
    written_at = models.DateTimeField()
    objectives = models.PositiveIntegerField(default=0)
    objectives_done = models.PositiveIntegerField(default=0)
    objectives_on_track = models.PositiveIntegerField(default=0)
    objectives_at_risk = models.PositiveIntegerField(default=0)
    objectives_off_track = models.PositiveIntegerField(default=0)
    # Σ progress of the objectives (mean = progress_sum / objectives).
    progress_sum = models.DecimalField(max_digits=24, decimal_places=12, default=0)
    key_results = models.PositiveIntegerField(default=0)
    key_results_done = models.PositiveIntegerField(default=0)
    key_results_on_track = models.PositiveIntegerField(default=0)
    key_results_at_risk = models.PositiveIntegerField(default=0)
    key_results_off_track = models.PositiveIntegerField(default=0)
    # The key results' reported confidence (their current check-in's); none: no confidence.
    confidence_on_track = models.PositiveIntegerField(default=0)
    confidence_at_risk = models.PositiveIntegerField(default=0)
    confidence_off_track = models.PositiveIntegerField(default=0)
    confidence_none = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "team", "scope", "week"],
                condition=models.Q(team__isnull=False),
                name="snapshot_team_week_unique",
            ),
            models.UniqueConstraint(  # the objectives without a team: one row too
                fields=["cycle", "scope", "week"],
                condition=models.Q(team__isnull=True),
                name="snapshot_no_team_week_unique",
            ),
        ]
        indexes = [models.Index(fields=["cycle", "scope", "week"], name="snapshot_cycle_week")]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.team_id}/{self.scope}/{self.week}"


class ParticipationSnapshot(models.Model):
    """Check-in participation in one ended period of a cycle (docs/dashboards.md): for the
    organization (team None) or a team with every team below it, in one scope. Distinct
    people do not add up across teams, so each dashboard's scope has rows of its own. The
    periods are the rhythm rule's in UTC, of the team's cadence (else the organization's)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, null=True, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=8, choices=[(s, s) for s in SCOPES])
    period_start = models.DateTimeField()
    written_at = models.DateTimeField()
    awaited = models.PositiveIntegerField(default=0)
    checked_in = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "team", "scope", "period_start"],
                condition=models.Q(team__isnull=False),
                name="participation_team_period_unique",
            ),
            models.UniqueConstraint(
                fields=["cycle", "scope", "period_start"],
                condition=models.Q(team__isnull=True),
                name="participation_org_period_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "team", "scope"], name="participation_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.team_id}/{self.scope}/{self.period_start}"


class TvLink(models.Model):
    """A read-only link to a cycle's dashboards for an office screen. The token is shown
    once, at creation; only its SHA-256 is stored, so a stolen database opens no screen."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="tv_links")
    label = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label or f"TV link {self.pk}"
