"""KPIs: health metrics that live outside cycles (docs/kpis.md).

A KPI has a name, a unit, an owner, optionally a team, and thresholds of the kind of the
contract's health key results (stay_above, stay_below, range). Its values form a history;
`current` is the value with the latest `at` (kept by pacer.kpis.services), and its status
(healthy or not) comes from the engine's `health_satisfied`, like a health key result's.
KPIs are organization-wide: every member of the organization sees them (like public
objectives); there is no private KPI.
"""

from django.conf import settings
from django.db import models

from pacer.okrs import progress as engine
from pacer.okrs.models import REF_LENGTH, KeyResult, Organization, Team

HEALTHY = "healthy"
UNHEALTHY = "unhealthy"
NO_DATA = "no_data"  # before the first value
STATUSES = (HEALTHY, UNHEALTHY, NO_DATA)


class KPI(models.Model):
    class Kind(models.TextChoices):
        STAY_ABOVE = engine.STAY_ABOVE, "Stay above"
        STAY_BELOW = engine.STAY_BELOW, "Stay below"
        RANGE = engine.RANGE, "Stay in a range"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    ref = models.SlugField(max_length=REF_LENGTH)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=30, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_kpis"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="kpis"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.STAY_ABOVE)
    threshold = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    low = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    high = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    # Derived, kept by the services: the value with the latest `at`, and that moment.
    current = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    current_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "KPI"
        constraints = [
            models.UniqueConstraint(fields=["organization", "ref"], name="kpi_ref_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def facts(self) -> engine.KeyResultFacts:
        """The KPI as the engine sees a health key result of the same kind."""
        return engine.KeyResultFacts(
            type=self.kind,
            current=self.current,
            threshold=self.threshold,
            low=self.low,
            high=self.high,
        )

    @property
    def status(self) -> str:
        return status_of(self.facts)


def status_of(facts: engine.KeyResultFacts) -> str:
    """healthy / unhealthy from the contract's stay_above, stay_below and range rule; no_data
    before the first value."""
    satisfied = engine.health_satisfied(facts)
    if satisfied is None:
        return NO_DATA
    return HEALTHY if satisfied else UNHEALTHY


class KPIValue(models.Model):
    """One value of a KPI at a moment: typed by a person (web or API) or read by a data
    source (`author` None, `from_source` True, the note says where it came from)."""

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="values")
    at = models.DateTimeField()
    value = models.DecimalField(max_digits=24, decimal_places=6)
    note = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_source = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "at"], name="kpi_value_moment_unique"),
        ]
        indexes = [models.Index(fields=["kpi", "-at", "-id"], name="kpi_value_latest")]

    def __str__(self) -> str:
        return f"{self.value} at {self.at:%Y-%m-%d %H:%M}"


class KPIFollow(models.Model):
    """A key result that follows a KPI over its window: each KPI value whose `at` lies in
    the key result's window is written as a check-in on it (pacer.kpis.services). Kept here
    rather than as a field of KeyResult so the okrs app does not depend on KPIs."""

    key_result = models.OneToOneField(KeyResult, on_delete=models.CASCADE, related_name="follows")
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="followers")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"key result {self.key_result_id} follows KPI {self.kpi_id}"
