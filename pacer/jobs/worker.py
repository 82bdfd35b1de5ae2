"""The worker: django-tasks-db's task loop, with Pacer's schedule beside it."""

import logging
import threading

from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Worker

from pacer import busy
from pacer.jobs import recovery, schedule

logger = logging.getLogger("pacer.jobs")


def task_loop(*, interval: float, batch: bool) -> Worker:
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=recovery.worker_id(),
        excluded_queue_names=[],
    )


def run_scheduler(stop: threading.Event, interval: float) -> None:
    """Enqueue due periodic tasks every `interval` seconds until `stop` is set."""
    while not stop.is_set():
        try:
            close_old_connections()
            schedule.tick()
        except Exception as error:  # a busy database or a bad check: log and tick again
            if not busy.is_busy(error):
                logger.exception("The schedule failed")
        stop.wait(interval)
    connection.close()


def run_once() -> int:
    """Enqueue what is due, then run every ready task and return (cron, tests): how many
    periodic tasks were enqueued."""
    enqueued = schedule.tick()
    task_loop(interval=0, batch=True).run()
    return len(enqueued)


def run_forever(*, interval: float) -> None:
    stop = threading.Event()
    scheduler = threading.Thread(
        target=run_scheduler, args=(stop, interval), name="pacer-schedule", daemon=True
    )
    scheduler.start()
    worker = task_loop(interval=interval, batch=False)
    worker.configure_signals()
    try:
        worker.run()
    finally:
        stop.set()
