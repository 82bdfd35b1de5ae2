"""A report prepared by the worker: who asked, for what, how far it got, and its file."""

from django.conf import settings
from django.db import models

from pacer.okrs.models import Cycle, Organization, Team


class Report(models.Model):
    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        PPTX = "pptx", "PowerPoint (.pptx)"

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports"
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    format = models.CharField(max_length=4, choices=Format.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent, 0..100
    # The file's name inside the reports folder (services.REPORTS_DIR), once written.
    file_name = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="report_created")]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.format} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
