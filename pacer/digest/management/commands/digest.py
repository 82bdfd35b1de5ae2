"""`pacer digest send [--now DATETIME] [--dry-run]`: the weekly digest run, on demand (for
cron users and tests). It prints who gets (or would get) what."""

from datetime import UTC, date, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pacer.digest.services import send_digests


class Command(BaseCommand):
    help = "The weekly digest: pacer digest send [--now DATETIME] [--dry-run]."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        send = actions.add_parser("send", help="send the digests due now, once a week each")
        send.add_argument(
            "--now",
            metavar="DATETIME",
            help="the moment to act as if it were (ISO 8601; UTC unless it names a zone)",
        )
        send.add_argument(
            "--dry-run", action="store_true", help="print who would get what; send nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = parse_now(options["now"])
        digests = send_digests(now=now, dry_run=options["dry_run"])
        verb = "would send" if options["dry_run"] else "sent"
        for digest in digests:
            summary = ", ".join(f"{s.heading.lower()}: {s.total}" for s in digest.sections)
            self.stdout.write(f"{verb} {digest.person.email} ({digest.key}): {summary}")
        self.stdout.write(f"{len(digests)} digest{'s' if len(digests) != 1 else ''}")


def parse_now(raw: str | None) -> datetime:
    """--now as an aware moment: a date is its midnight UTC, a naive date-time is UTC."""
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
