from typing import Any

from django.core.management.base import CommandError

from pacer.jobs import worker
from pacer.okrs.management.commands._base import PacerCommand


class Command(PacerCommand):
    help = (
        "Run background work: the queued tasks (notifications, reminders, webhooks) and the "
        "schedule that enqueues the periodic ones. Stop with Ctrl+C (twice to abandon a task)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            metavar="SECONDS",
            help="how often to look for new work (default 1)",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="enqueue what is due, run every ready task, then exit (for cron)",
        )

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        if not 0.05 <= interval <= 3600:
            raise CommandError("--interval: give a number of seconds from 0.05 to 3600")
        if once:
            worker.run_once()
            return
        self.stdout.write("Pacer worker: running tasks and the schedule (Ctrl+C stops)")
        worker.run_forever(interval=interval)
