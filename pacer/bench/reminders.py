"""Bench: N check-in reminders, created and then mailed (a test-free script).

    .venv/bin/python -m pacer.bench.reminders --people 1000

It builds a throwaway database (Django's test database: nothing of yours is touched), one
organization with an active cycle and N people who each own an objective with one key
result awaiting a check-in, then times
1. `reminders send` (pacer.reminders.services.send_reminders): the notifications created;
2. the whole path to the mailbox: the worker (pacer.jobs.worker.run_once) batches the
   notifications into messages (pacer.messaging) and sends them by SMTP to a local
   aiosmtpd sink, until N mails have arrived.
The issue's bar: 1,000 reminders out in under 60 s with the SMTP sink.
"""

import argparse
import socket
import threading
import time
from datetime import time as dt_time
from datetime import timedelta
from typing import Any

from pacer.bench.throwaway import on_throwaway_database


class Sink:
    """An SMTP server that only counts the mails it receives."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
        return "250 OK"


def build(people: int) -> None:
    from django.utils import timezone

    from pacer.accounts.models import User
    from pacer.okrs.models import Cycle, KeyResult, Objective, Organization

    # Reminders at Monday 00:00: every person's is due whenever the bench runs.
    org = Organization.objects.create(name="Bench reminders", reminder_time=dt_time(0, 0))
    today = timezone.localdate()
    cycle = Cycle.objects.create(
        organization=org,
        ref="now",
        name="Now",
        start=today - timedelta(days=30),
        end=today + timedelta(days=60),
    )
    users = User.objects.bulk_create(
        User(
            email=f"person{i}@bench.test",
            name=f"Person {i}",
            organization=org,
            time_zone="UTC",
            password="!",  # unusable: hashing N passwords would dominate the setup
        )
        for i in range(people)
    )
    objectives = Objective.objects.bulk_create(
        Objective(organization=org, cycle=cycle, ref=f"o{i}", title=f"Objective {i}", owner=person)
        for i, person in enumerate(users)
    )
    KeyResult.objects.bulk_create(
        KeyResult(
            organization=org,
            objective=objective,
            ref=f"k{i}",
            title=f"Key result {i}",
            start=0,
            target=100,
            owner=objective.owner,
        )
        for i, objective in enumerate(objectives)
    )


def measure(people: int, timeout: float) -> dict[str, float]:
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.utils import timezone

    from pacer.jobs.worker import run_once
    from pacer.reminders.services import send_reminders

    sink = Sink()
    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        build(people)
        now = timezone.now()
        began = time.perf_counter()
        sent = send_reminders(now=now)
        created = time.perf_counter() - began
        while sink.count < len(sent) and time.perf_counter() - began < timeout:
            run_once()
        mailed = time.perf_counter() - began
        return {
            "people": people,
            "reminders": len(sent),
            "create_s": round(created, 2),
            "mails": sink.count,
            "mailed_s": round(mailed, 2),
        }
    finally:
        controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1000, metavar="N")
    parser.add_argument("--timeout", type=float, default=300, metavar="S")
    options = parser.parse_args()
    print(on_throwaway_database(lambda: measure(options.people, options.timeout)))


if __name__ == "__main__":
    main()
