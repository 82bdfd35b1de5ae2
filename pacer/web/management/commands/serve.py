"""`pacer serve`: Pacer in production, under gunicorn (docs/deploy.md).

gunicorn, not Django's development server: a process per worker (Pacer's requests are short
and bound by SQL, so a process each uses both cores without the GIL in the way), workers
recycled after a number of requests, a request timeout, and its logs passed through Pacer's
redaction (pacer.gunicorn_config). The `gthread` worker keeps client connections open
between requests (keep-alive), which the `sync` worker does not.
"""

import os
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pacer.gunicorn_config import worker_exit

BAD_INPUT = 2
ADDRESS = re.compile(r"(unix:.+|\[[0-9a-fA-F:]+\]:\d{1,5}|[A-Za-z0-9.-]+:\d{1,5})")
MAX_WORKERS = 64


def default_workers() -> int:
    """Two per core: while one waits on the database, the other computes."""
    return 2 * (os.cpu_count() or 1)


def gunicorn_options(bind: str, workers: int) -> dict[str, Any]:
    return {
        "bind": bind,
        "workers": workers,
        "worker_class": "gthread",
        "threads": 1,  # one request at a time per process, with keep-alive
        "keepalive": 5,
        "timeout": 45,  # above the 30 s a write may wait for a lock (pacer/busy.py)
        "graceful_timeout": 30,
        # Recycle workers now and then, a guard against a slow leak (the bench sees none:
        # a worker stays near 125 MB). At 2,000 requests, a worker serving 1,500 a second
        # restarted every 1.3 s and the no-op rate halved.
        "max_requests": 50_000,
        "max_requests_jitter": 5_000,
        "accesslog": "-",
        "errorlog": "-",
        "logger_class": "pacer.gunicorn_config.RedactingLogger",
        "worker_exit": worker_exit,
        # gunicorn's control socket sits at one path per user: two servers on a host would
        # share it, and Pacer does not use it.
        "control_socket_disable": True,
    }


class Command(BaseCommand):
    help = "Serve Pacer in production with gunicorn (see docs/deploy.md)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="worker processes (default: two per core)",
        )
        parser.add_argument(
            "--bind",
            default="127.0.0.1:8000",
            metavar="ADDR",
            help="HOST:PORT or unix:PATH (default 127.0.0.1:8000)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workers, bind = options["workers"], options["bind"]
        if not 1 <= workers <= MAX_WORKERS:
            raise CommandError(
                f"--workers: from 1 to {MAX_WORKERS}, not {workers}", returncode=BAD_INPUT
            )
        if not ADDRESS.fullmatch(bind):
            raise CommandError(
                f"--bind: {bind!r} is not HOST:PORT or unix:PATH", returncode=BAD_INPUT
            )
        from pacer.wsgi_server import PacerServer

        PacerServer(gunicorn_options(bind, workers)).run()
