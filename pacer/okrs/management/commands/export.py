from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from pacer.accounts.models import User
from pacer.okrs.management.commands._base import PacerCommand
from pacer.okrs.models import Cycle
from pacer.okrs.okrfile.exporter import CSV_TABLES, FORMATS, Exporter


class Command(PacerCommand):
    help = "Export OKRs as YAML (re-importable), JSON (with computed fields) or CSV."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--format", choices=FORMATS, default="yaml")
        parser.add_argument("--cycle", metavar="REF", help="only the objectives of this cycle")
        parser.add_argument(
            "--as-of",
            metavar="YYYY-MM-DD",
            help="the date for expected progress and status (default: today)",
        )
        parser.add_argument(
            "--table",
            choices=CSV_TABLES,
            help="with --format csv: which table (default key_results; also initiatives, tasks)",
        )
        parser.add_argument("-o", "--output", metavar="FILE", help="write here, not to stdout")
        parser.add_argument(
            "--as", dest="viewer", metavar="EMAIL", help="export only what this person may see"
        )
        self.add_organization_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        organization = self.organization(options["organization"])
        exporter = Exporter(
            organization,
            viewer=self.viewer(organization, options["viewer"]),
            cycle=self.cycle(organization, options["cycle"]),
            as_of=self.as_of(options["as_of"]),
            computed=options["format"] != "yaml",
        )
        if options["table"] and options["format"] != "csv":
            raise CommandError("--table: only with --format csv")
        if options["format"] == "csv":
            text = exporter.to_csv(options["table"] or "key_results")
        else:
            text = getattr(exporter, f"to_{options['format']}")()
        if options["output"]:
            try:
                Path(options["output"]).write_text(text, encoding="utf-8")
            except OSError as error:
                raise CommandError(f"-o: cannot write {options['output']}: {error}") from error
        else:
            self.stdout.write(text, ending="")

    @staticmethod
    def as_of(raw: str | None) -> date | None:
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError as error:
            raise CommandError(f"--as-of: {raw!r} is not a date like 2026-12-31") from error

    @staticmethod
    def cycle(organization: Any, ref: str | None) -> Cycle | None:
        if ref is None:
            return None
        found = Cycle.objects.filter(organization=organization, ref=ref).first()
        if found is None:
            raise CommandError(f"--cycle: no cycle with ref {ref!r}")
        return found

    @staticmethod
    def viewer(organization: Any, email: str | None) -> User | None:
        if email is None:
            return None
        found = User.objects.filter(organization=organization, email=email.lower()).first()
        if found is None:
            raise CommandError(f"--as: no person {email!r} in {organization.name}")
        return found
