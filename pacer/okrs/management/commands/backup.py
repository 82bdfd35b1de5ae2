from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pacer.backup import FORMATS, BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a consistent snapshot of the database to FILE, also while Pacer is serving "
        "(SQLite: online backup; PostgreSQL: pg_dump custom format, or JSON without pg_dump). "
        "See docs/operations.md."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", metavar="FILE", help="where to write the backup")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default="auto",
            help="auto (default): sqlite for SQLite, pg_dump for PostgreSQL when pg_dump is "
            "installed, else json; json also moves data between SQLite and PostgreSQL",
        )
        parser.add_argument("--database", default="default", help="default: %(default)s")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["file"])
        try:
            fmt = backup(target, options["format"], options["database"])
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        size = target.stat().st_size
        self.stdout.write(f"Backed up to {target} ({fmt}, {size:,} bytes).")
