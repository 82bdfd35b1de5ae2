"""`pacer reminders send [--now DATETIME] [--dry-run]`: the periodic reminder run, on
demand (for cron users and tests). It prints who gets (or would get) what."""

from datetime import UTC, date, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pacer.reminders.services import send_reminders


class Command(BaseCommand):
    help = "Check-in reminders: pacer reminders send [--now DATETIME] [--dry-run]."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        send = actions.add_parser("send", help="send the reminders due now, once per period")
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
        reminders = send_reminders(now=now, dry_run=options["dry_run"])
        verb = "would remind" if options["dry_run"] else "reminded"
        for reminder in reminders:
            titles = "; ".join(reminder.titles)
            more = reminder.total - len(reminder.titles)
            self.stdout.write(
                f"{verb} {reminder.person.email} ({reminder.key}): {reminder.total} awaiting: "
                f"{titles}" + (f" and {more} more" if more else "")
            )
        self.stdout.write(f"{len(reminders)} reminder{'s' if len(reminders) != 1 else ''}")


def parse_now(raw: str | None) -> datetime:
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
