"""The schedule of data sources: `run_due_sources` (every minute, pacer/jobs/schedule.py)
queues `run_source_task` for each source whose next run has come, in a cycle that is not
closed and an objective that is not archived. The next run time is moved when the run is
queued (so the next minute does not queue it again), then set by the run itself: the
source's interval later, later still after failures in a row (services.schedule_next). A
run queues at most BATCH; when it queued that many it queues itself again, behind them."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import task

from pacer.datasources import services
from pacer.datasources.models import DataSource
from pacer.jobs.queue import enqueue
from pacer.okrs import progress as engine
from pacer.okrs.models import Cycle

BATCH = 200  # the most runs one run of run_due_sources queues
CLAIM = timedelta(minutes=15)  # a queued run is not queued again before this (or its end)


def due(now: datetime) -> QuerySet[DataSource]:
    """Sources to run at `now`: their time has come, and their key result may take values
    (or their KPI is not archived)."""
    open_key_result = (
        Q(key_result__type=engine.METRIC, key_result__objective__archived_at__isnull=True)
        & ~Q(key_result__objective__cycle__state=Cycle.State.CLOSED)
        & Q(key_result__isnull=False)
    )
    kpi_in_use = Q(kpi__isnull=False, kpi__archived_at__isnull=True)  # docs/kpis.md
    return DataSource.objects.filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now)).filter(
        open_key_result | kpi_in_use
    )


def has_work() -> bool:
    """The schedule's cheap check: is any source due?"""
    return due(timezone.now()).exists()


@task()
def run_due_sources() -> int:
    """Queue the runs that are due (at most BATCH); how many were queued."""
    now = timezone.now()
    ids = list(due(now).order_by("next_run_at", "pk").values_list("pk", flat=True)[:BATCH])
    if not ids:
        return 0
    with transaction.atomic():
        claimed = list(due(now).filter(pk__in=ids).values_list("pk", flat=True))
        DataSource.objects.filter(pk__in=claimed).update(next_run_at=now + CLAIM)
        for pk in claimed:
            enqueue(run_source_task, pk)
        if len(claimed) == BATCH:  # more may be due: go on once the queue reaches this
            enqueue(run_due_sources)
    return len(claimed)


@task()
def run_source_task(source_id: int) -> bool:
    """Run one source; whether the run succeeded (False also when the source is gone)."""
    run = services.run_source(source_id)
    return run is not None and run.ok
