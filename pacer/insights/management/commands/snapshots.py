"""`pacer snapshots write [--cycle REF] [--organization NAME]`: write this week's dashboard
snapshots now (the `weekly-snapshots` periodic task does it every hour)."""

from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from pacer.insights.snapshots import cycles_to_snapshot, write_snapshots
from pacer.okrs.management.commands._base import PacerCommand
from pacer.okrs.models import Cycle


class Command(PacerCommand):
    help = "Dashboard snapshots: pacer snapshots write [--cycle REF]."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        write = actions.add_parser("write", help="write this week's snapshots of the cycles")
        write.add_argument(
            "--cycle", metavar="REF", help="one cycle (default: every active cycle running today)"
        )
        self.add_organization_argument(write)

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        cycles = None
        if options["cycle"] or options["organization"]:
            organization = self.organization(options["organization"])
            if options["cycle"]:
                cycle = Cycle.objects.filter(
                    organization=organization, ref=str(options["cycle"]).replace("\x00", "")
                ).first()
                if cycle is None:
                    raise CommandError(f"--cycle: no cycle {options['cycle']!r}", returncode=2)
                cycles = [cycle]
            else:
                on = timezone.localdate(now)
                cycles = [
                    c for c in cycles_to_snapshot(on=on) if c.organization_id == organization.pk
                ]
        written = write_snapshots(now=now, cycles=cycles)
        self.stdout.write(f"{written} snapshot row{'s' if written != 1 else ''} written")
