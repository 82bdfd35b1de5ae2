from typing import Any

from django.core.management.base import CommandError

from pacer.accounts.models import User
from pacer.okrs.management.commands._base import PacerCommand
from pacer.okrs.okrfile.importer import ImportFailed, import_file


class Command(PacerCommand):
    help = "Create or update OKRs from a YAML file (see docs/okr-file.md), all or nothing."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", metavar="FILE", help="the OKR file (YAML)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, but write nothing"
        )
        parser.add_argument(
            "--by", metavar="EMAIL", help="who imports (the author of the changes in the history)"
        )

    def handle(self, *args: Any, file: str, dry_run: bool, **options: Any) -> None:
        by = None
        if options.get("by"):
            by = User.objects.filter(email=options["by"].strip().lower()).first()
            if by is None:
                raise CommandError(f"--by: no person {options['by']!r}")
        try:
            report = import_file(file, dry_run=dry_run, by=by)
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{file}: {len(failure.errors)} problem(s); nothing was imported"
            ) from failure
        self.stdout.write(report.summary())
