"""`pacer digest send [--now DATETIME] [--dry-run]`: the weekly digest run, on demand (for
cron users and tests). It prints who gets (or would get) what."""

from datetime import datetime

from pacer.digest.services import send_digests
from pacer.jobs.send_command import SendCommand


class Command(SendCommand):
    help = "The weekly digest: pacer digest send [--now DATETIME] [--dry-run]."
    send_help = "send the digests due now, once a week each"

    def send(self, *, now: datetime, dry_run: bool) -> None:
        digests = send_digests(now=now, dry_run=dry_run)
        verb = "would send" if dry_run else "sent"
        for digest in digests:
            summary = ", ".join(f"{s.heading.lower()}: {s.total}" for s in digest.sections)
            self.stdout.write(f"{verb} {digest.person.email} ({digest.key}): {summary}")
        self.stdout.write(f"{len(digests)} digest{'s' if len(digests) != 1 else ''}")
