"""The worker's part: prepare a big report, and remove old ones (every hour, on the
schedule in pacer/jobs/schedule.py)."""

from django.utils import timezone
from django_tasks import task

from pacer.reports import services
from pacer.reports.models import Report


@task()
def generate_report(report_id: int) -> str:
    """Write one report's file; its final state (or "gone" when the report was removed).
    Running it again after a crash writes the file again; a report done stays done."""
    report = services.report_run(report_id)
    return "gone" if report is None else report.state


@task()
def prune_reports() -> int:
    return services.reports_prune(timezone.now())


def has_old_reports() -> bool:
    """The schedule's cheap check."""
    return Report.objects.filter(created_at__lt=timezone.now() - services.KEEP).exists()
