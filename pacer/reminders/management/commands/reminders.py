"""`pacer reminders send [--now DATETIME] [--dry-run]`: the periodic reminder run, on
demand (for cron users and tests). It prints who gets (or would get) what."""

from datetime import datetime

from pacer.jobs.send_command import SendCommand
from pacer.reminders.services import send_reminders


class Command(SendCommand):
    help = "Check-in reminders: pacer reminders send [--now DATETIME] [--dry-run]."
    send_help = "send the reminders due now, once per period"

    def send(self, *, now: datetime, dry_run: bool) -> None:
        reminders = send_reminders(now=now, dry_run=dry_run)
        verb = "would remind" if dry_run else "reminded"
        for reminder in reminders:
            titles = "; ".join(reminder.titles)
            more = reminder.total - len(reminder.titles)
            self.stdout.write(
                f"{verb} {reminder.person.email} ({reminder.key}): {reminder.total} awaiting: "
                f"{titles}" + (f" and {more} more" if more else "")
            )
        self.stdout.write(f"{len(reminders)} reminder{'s' if len(reminders) != 1 else ''}")
