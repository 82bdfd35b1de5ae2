"""The schedule enqueues each periodic task once per interval, never behind itself."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pacer.events.models import Event
from pacer.jobs import recovery, schedule, worker
from pacer.jobs.schedule import Periodic

pytestmark = pytest.mark.django_db

PRUNE = Periodic("prune", timedelta(minutes=5), "pacer.jobs.recovery.prune_tasks")


def queued(path: str = PRUNE.task) -> int:
    return DBTaskResult.objects.filter(task_path=path).count()


def test_a_due_task_is_enqueued_once_per_interval() -> None:
    now = timezone.now()
    assert schedule.tick(now, (PRUNE,)) == ["prune"]
    DBTaskResult.objects.update(status="SUCCESSFUL", finished_at=now)
    assert schedule.tick(now + timedelta(minutes=1), (PRUNE,)) == []
    assert schedule.tick(now + timedelta(minutes=5), (PRUNE,)) == ["prune"]
    assert queued() == 2


def test_a_task_still_queued_is_not_enqueued_again() -> None:
    now = timezone.now()
    schedule.tick(now, (PRUNE,))
    assert schedule.tick(now + timedelta(hours=1), (PRUNE,)) == []
    assert queued() == 1


def test_a_task_with_nothing_to_do_is_not_enqueued() -> None:
    idle = Periodic(
        "dispatch",
        timedelta(seconds=1),
        "pacer.events.dispatch.dispatch_events",
        has_work="pacer.events.dispatch.has_undispatched",
    )
    Event.objects.all().delete()
    assert schedule.tick(timezone.now(), (idle,)) == []


def test_run_once_runs_what_is_ready() -> None:
    schedule.tick(timezone.now(), (PRUNE,))
    worker.task_loop(interval=0, batch=True).run()
    assert DBTaskResult.objects.get(task_path=PRUNE.task).status == "SUCCESSFUL"


def test_a_task_whose_worker_died_is_failed_and_queued_again() -> None:
    result = recovery.prune_tasks.enqueue()
    dead = f"{recovery.worker_id().rpartition(':')[0]}:999999999"
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=timezone.now(), worker_ids=[dead]
    )
    assert recovery.recover_tasks.call() == 1
    lost = DBTaskResult.objects.get(pk=result.id)
    assert lost.status == "FAILED" and lost.exception_class_path == recovery.WORKER_LOST
    again = DBTaskResult.objects.exclude(pk=result.id).get(task_path=PRUNE.task)
    assert again.status == "READY"


def test_a_running_task_of_a_live_worker_is_left_alone() -> None:
    result = recovery.prune_tasks.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=timezone.now(), worker_ids=[recovery.worker_id()]
    )
    assert recovery.recover_tasks.call() == 0
