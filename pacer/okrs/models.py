"""The OKR domain, named as in ../shared/okr-semantics.md.

Progress does not depend on the date, so it is stored (`progress` on key results and
objectives, with `current`/`confidence` of the latest check-in) and kept up to date by the
services in the same transaction as each write. Expected progress and status depend on the
date and are derived when read (see `pacer.okrs.selectors`).
"""

from datetime import date, time
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from pacer.okrs import periods, rules
from pacer.okrs import progress as engine

# Values keep 6 decimal places; progress keeps 12 (see docs/semantics.md); scores keep 1.
REF_LENGTH = 100


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    at_risk_gap = models.DecimalField(
        max_digits=4, decimal_places=3, default=engine.DEFAULT_AT_RISK_GAP
    )
    off_track_gap = models.DecimalField(
        max_digits=4, decimal_places=3, default=engine.DEFAULT_OFF_TRACK_GAP
    )
    # The check-in rhythm (docs/semantics.md): the cadence, and when in a period the
    # reminder goes out, in each person's time zone (default Monday 09:00).
    checkin_cadence = models.CharField(
        max_length=10, choices=[(c, c) for c in periods.CADENCES], default=periods.WEEKLY
    )
    reminder_weekday = models.PositiveSmallIntegerField(default=0)  # 0 Monday .. 6 Sunday
    reminder_time = models.TimeField(default=time(9, 0))
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name

    @property
    def bands(self) -> engine.Bands:
        return engine.Bands(at_risk_gap=self.at_risk_gap, off_track_gap=self.off_track_gap)


class Team(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    ref = models.SlugField(max_length=REF_LENGTH)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Archived teams leave the lists and pickers; their objectives and history stay.
    archived_at = models.DateTimeField(null=True, blank=True)
    # Blank: the organization's cadence.
    checkin_cadence = models.CharField(
        max_length=10, choices=[(c, c) for c in periods.CADENCES], blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "ref"], name="team_ref_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person in a team; a team lead is a member with `is_lead`."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    is_lead = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "person"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.team}"


class Cycle(models.Model):
    class State(models.TextChoices):
        PLANNING = "planning"
        ACTIVE = "active"
        CLOSED = "closed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="cycles")
    ref = models.SlugField(max_length=REF_LENGTH)
    name = models.CharField(max_length=100)
    start = models.DateField()
    end = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start", "end"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "ref"], name="cycle_ref_unique"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="cycle_dates"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED

    def encloses(self, other: "Cycle") -> bool:
        """Whether `other` lies within this cycle (a year encloses its quarters)."""
        return self.start <= other.start and other.end <= self.end


class Objective(models.Model):
    class Kind(models.TextChoices):
        COMMITTED = engine.COMMITTED
        ASPIRATIONAL = engine.ASPIRATIONAL

    class Visibility(models.TextChoices):
        PUBLIC = "public"
        PRIVATE = "private"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="objectives"
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="objectives")
    ref = models.SlugField(max_length=REF_LENGTH)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_objectives"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="objectives"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ASPIRATIONAL)
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    parents: "models.ManyToManyField[Objective, Alignment]" = models.ManyToManyField(
        "self", through="Alignment", symmetrical=False, related_name="children", blank=True
    )
    progress = models.DecimalField(max_digits=13, decimal_places=12, default=Decimal(0))
    # The weighted mean of its key results' forecast_progress (kept by the roll-up).
    forecast_progress = models.DecimalField(max_digits=13, decimal_places=12, null=True, blank=True)
    # Frozen at close: the computed score, and an owner's override with its reason.
    final_score = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True)
    score_override = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True)
    override_reason = models.TextField(blank=True)
    went_well = models.TextField(blank=True)
    went_wrong = models.TextField(blank=True)
    learned = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Plain columns: ordering by a relation would join it (and PostgreSQL refuses
        # FOR UPDATE on the nullable side of an outer join).
        ordering = ["cycle_id", "team_id", "title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "ref"], name="objective_ref_unique"),
        ]
        indexes = [models.Index(fields=["cycle", "progress"], name="objective_cycle_progress")]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> Decimal:
        """The score shown: the override if set, else the frozen or the live one."""
        if self.score_override is not None:
            return self.score_override
        if self.final_score is not None:
            return self.final_score
        return engine.score(self.progress)

    @property
    def forecast_label(self) -> str | None:
        """likely, possible or unlikely from its forecast_progress (docs/forecast.md)."""
        return engine.forecast_label(self.forecast_progress)

    @property
    def unfinished(self) -> bool:
        """Not done, so it may carry over to the next cycle (`rules.carries_over`)."""
        return rules.carries_over(
            progress=self.progress,
            score_override=self.score_override,
            final_score=self.final_score,
        )


class Alignment(models.Model):
    """`child` supports `parent`; an objective may have several parents, never a loop."""

    child = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="child_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "parent"], name="alignment_unique"),
            models.CheckConstraint(condition=~Q(child=models.F("parent")), name="no_self_align"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} -> {self.parent_id}"


class KeyResult(models.Model):
    class Type(models.TextChoices):
        METRIC = engine.METRIC
        BOOLEAN = engine.BOOLEAN
        MILESTONES = engine.MILESTONES
        STAY_ABOVE = engine.STAY_ABOVE
        STAY_BELOW = engine.STAY_BELOW
        RANGE = engine.RANGE
        LINKED = engine.LINKED
        INITIATIVES = engine.INITIATIVES

    class MissReason(models.TextChoices):
        """Why a key result was missed, set at close (the quarterly review sums them)."""

        TOO_AMBITIOUS = "too_ambitious", "Target too ambitious"
        PRIORITIES_CHANGED = "priorities_changed", "Priorities changed"
        DEPENDENCY = "dependency", "Blocked by a dependency"
        UNDER_RESOURCED = "under_resourced", "Not enough people or time"
        WRONG_METRIC = "wrong_metric", "Wrong measure"
        EXTERNAL = "external", "External factors"
        OTHER = "other", "Other"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="key_results"
    )
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    ref = models.SlugField(max_length=REF_LENGTH)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    type = models.CharField(max_length=12, choices=Type.choices, default=Type.METRIC)
    unit = models.CharField(max_length=30, blank=True)
    start = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    target = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    threshold = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    low = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    high = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    linked_objective = models.ForeignKey(
        Objective,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="linked_key_results",
    )
    weight = models.DecimalField(max_digits=8, decimal_places=3, default=Decimal(1))
    due = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_key_results",
    )
    # Derived, kept in step by the services (see `pacer recompute --check`).
    current = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    confidence = models.CharField(max_length=10, blank=True)
    last_checkin_at = models.DateTimeField(null=True, blank=True)
    progress = models.DecimalField(max_digits=13, decimal_places=12, default=Decimal(0))
    # The contract's forecast (okr-semantics.md, "Forecast"), kept by the roll-up with the
    # progress: the value at the window's end (metric KRs with two points or more) and its
    # progress (every KR; NULL until first computed).
    forecast = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    forecast_progress = models.DecimalField(max_digits=13, decimal_places=12, null=True, blank=True)
    final_score = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True)
    score_override = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True)
    override_reason = models.TextField(blank=True)
    # Set at close for a missed key result: one of a few reasons, a note for "other".
    # (db_default: rows written in bulk, like the bench's, need not name them.)
    miss_reason = models.CharField(
        max_length=20, choices=MissReason.choices, blank=True, default="", db_default=""
    )
    miss_note = models.TextField(blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["objective_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "ref"], name="key_result_ref_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    def window(self, cycle: Cycle) -> tuple[date, date]:
        return cycle.start, self.due or cycle.end

    @property
    def forecast_label(self) -> str | None:
        """likely, possible or unlikely (docs/forecast.md); None for a metric without a
        forecast."""
        return engine.key_result_forecast_label(self.type, self.forecast, self.forecast_progress)

    @property
    def score(self) -> Decimal:
        if self.score_override is not None:
            return self.score_override
        if self.final_score is not None:
            return self.final_score
        return engine.score(self.progress)

    @property
    def unfinished(self) -> bool:
        """Not done, so it may carry over to the next cycle (`rules.carries_over`)."""
        return rules.carries_over(
            progress=self.progress,
            score_override=self.score_override,
            final_score=self.final_score,
        )


class Milestone(models.Model):
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=300)
    weight = models.DecimalField(max_digits=8, decimal_places=3, default=Decimal(1))
    done = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key_result_id", "position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def weight_text(self) -> str:
        """The weight as people write it: 2, 2.5, 10 (normalize alone writes 1E+1)."""
        return f"{self.weight.normalize():f}"


class CheckIn(models.Model):
    class Confidence(models.TextChoices):
        ON_TRACK = engine.ON_TRACK, "On track"
        AT_RISK = engine.AT_RISK, "At risk"
        OFF_TRACK = engine.OFF_TRACK, "Off track"

    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="checkins")
    value = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    confidence = models.CharField(max_length=10, choices=Confidence.choices, blank=True)
    note = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checkins",
    )
    at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # `current` is the check-in with the latest `at`; equal `at`s fall back to the
        # later written one.
        ordering = ["key_result_id", "-at", "-id"]
        indexes = [models.Index(fields=["key_result", "-at", "-id"], name="checkin_latest")]

    def __str__(self) -> str:
        return f"{self.key_result_id} = {self.value} at {self.at:%Y-%m-%d}"


class Comment(models.Model):
    """A comment on an objective, one of its key results, or one of their check-ins.

    `objective` is always set (the objective the comment is under), so who may read a
    comment is who may see that objective. `mentions` are the people it names with @.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="comments")
    key_result = models.ForeignKey(
        KeyResult, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    checkin = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    body = models.TextField()
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["objective", "created_at"], name="comment_objective")]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.objective_id}"
