"""A metric key result fed by a data source (docs/datasources.md, "Feeding a key result"):
the source's configuration, when it runs, and the sync log of its runs."""

from django.conf import settings
from django.db import models

from pacer.okrs.display import number_text
from pacer.okrs.models import CheckIn, KeyResult

KEPT_RUNS = 200  # the sync log keeps the last runs of each source; older ones are pruned


class DataSource(models.Model):
    """Where one metric key result takes its value from. The URL and headers of an HTTP
    source may hold tokens: they are stored encrypted (pacer.secretbox) and shown masked."""

    class Kind(models.TextChoices):
        HTTP_JSON = "http_json", "HTTP JSON"
        SQL = "sql", "SQL"
        TRACKER = "tracker", "Tracker"

    class Count(models.TextChoices):
        OPEN = "open", "Open issues"
        CLOSED = "closed", "Closed issues"

    # What it feeds: a metric key result, or a KPI (docs/kpis.md); exactly one of the two.
    key_result = models.OneToOneField(
        KeyResult, null=True, blank=True, on_delete=models.CASCADE, related_name="source"
    )
    kpi = models.OneToOneField(
        "kpis.KPI", null=True, blank=True, on_delete=models.CASCADE, related_name="source"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # http_json
    url_encrypted = models.TextField(blank=True)
    url_masked = models.CharField(max_length=300, blank=True)
    headers_encrypted = models.TextField(blank=True)  # a JSON object, encrypted
    header_names = models.JSONField(default=list, blank=True)  # shown; the values never are
    jsonpath = models.CharField(max_length=500, blank=True)
    # sql
    database = models.CharField(max_length=50, blank=True)  # a name of PACER_SQL_SOURCES
    query = models.TextField(blank=True)
    # tracker
    link_url = models.CharField(max_length=2000, blank=True)
    count = models.CharField(max_length=6, choices=Count.choices, blank=True)
    # the schedule
    interval_minutes = models.PositiveIntegerField(default=60)
    last_run_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_value = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    last_error = models.TextField(blank=True)
    failures = models.PositiveIntegerField(default=0)  # failed runs in a row
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(key_result__isnull=False, kpi__isnull=True)
                | models.Q(key_result__isnull=True, kpi__isnull=False),
                name="source_feeds_one_thing",
            ),
        ]

    def __str__(self) -> str:
        if self.kpi_id is not None:
            return f"{self.get_kind_display()} source of KPI {self.kpi_id}"
        return f"{self.get_kind_display()} source of key result {self.key_result_id}"

    @property
    def where(self) -> str:
        """Where the value comes from, as anyone who may see the source may read it."""
        if self.kind == self.Kind.HTTP_JSON:
            return f"{self.url_masked} → {self.jsonpath}"
        if self.kind == self.Kind.SQL:
            return f"SQL {self.database}"
        return f"{self.link_url} ({self.get_count_display().lower()})"


class SourceRun(models.Model):
    """One run of a source: the sync log. Each source keeps its last KEPT_RUNS runs."""

    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="runs")
    at = models.DateTimeField()
    ok = models.BooleanField()
    value = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    detail = models.TextField(blank=True)  # where the value came from (a successful read)
    error = models.TextField(blank=True)  # why the run failed
    outcome = models.CharField(max_length=200, blank=True)  # what became of the value
    checkin = models.ForeignKey(
        CheckIn, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kpi_value = models.ForeignKey(  # what a KPI's source wrote
        "kpis.KPIValue", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["source", "-at", "-id"], name="source_run_latest")]

    def __str__(self) -> str:
        return f"{'ok' if self.ok else 'failed'} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def value_text(self) -> str:
        return number_text(self.value) if self.value is not None else ""
