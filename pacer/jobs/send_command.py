"""The shape of `pacer <thing> send [--now DATETIME] [--dry-run]`: a periodic run of the
worker, on demand (for cron users and tests), printing who gets (or would get) what."""

from datetime import UTC, date, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class SendCommand(BaseCommand):
    send_help = ""  # what `send` does, for --help

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        send = actions.add_parser("send", help=self.send_help)
        send.add_argument(
            "--now",
            metavar="DATETIME",
            help="the moment to act as if it were (ISO 8601; UTC unless it names a zone)",
        )
        send.add_argument(
            "--dry-run", action="store_true", help="print who would get what; send nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.send(now=parse_now(options["now"]), dry_run=options["dry_run"])

    def send(self, *, now: datetime, dry_run: bool) -> None:
        raise NotImplementedError


def parse_now(raw: str | None) -> datetime:
    """--now as an aware moment: a date is its midnight UTC, a naive date-time is UTC; a
    bad one exits with status 2, naming the option."""
    if raw is None:
        return timezone.now()
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(raw)
    except ValueError as error:
        raise CommandError(
            f"--now: {raw!r} is not a date or date-time (ISO 8601)", returncode=2
        ) from error
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)
