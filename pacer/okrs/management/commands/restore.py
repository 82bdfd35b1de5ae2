from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pacer.accounts.models import User
from pacer.backup import BackupError, restore
from pacer.okrs.models import CheckIn, Objective, Organization


class Command(BaseCommand):
    help = (
        "Restore a backup made by `pacer backup` into an empty database (one that holds no "
        "organization), then migrate it to this release. Stop the app servers first."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", metavar="FILE", help="a file written by `pacer backup`")
        parser.add_argument("--database", default="default", help="default: %(default)s")

    def handle(self, *args: Any, **options: Any) -> None:
        using = options["database"]
        try:
            fmt = restore(Path(options["file"]), using)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(
            f"{model.objects.using(using).count()} {label}"
            for model, label in (
                (Organization, "organization(s)"),
                (User, "people"),
                (Objective, "objectives"),
                (CheckIn, "check-ins"),
            )
        )
        self.stdout.write(f"Restored {options['file']} ({fmt}): {counts}.")
