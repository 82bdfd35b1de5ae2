"""`pacer report`: a cycle's OKRs as an XLSX workbook or a PPTX deck (docs/reports.md)."""

import os
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from pacer.accounts.models import User
from pacer.okrs.management.commands._base import (
    PacerCommand,
    bad,
    cycle_named,
    person_named,
    team_named,
)
from pacer.okrs.models import Organization
from pacer.reports import rows, services


def current_umask() -> int:
    mask = os.umask(0)  # the only way to read it; set back at once (a command: one thread)
    os.umask(mask)
    return mask


class Command(PacerCommand):
    requires_system_checks: list[str] = []  # a read: start at once (the checks took 1-3 s)
    help = (
        "Write a cycle's OKRs as an Excel workbook (objectives and key results) or a "
        "PowerPoint deck (title, summary, a slide per team). Without --as: every objective, "
        "as an organization admin sees them."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--cycle", metavar="REF", required=True, help="the cycle's ref")
        parser.add_argument("--format", choices=services.FORMATS, required=True)
        parser.add_argument("--team", metavar="REF", help="only this team's objectives")
        parser.add_argument(
            "--as", dest="viewer", metavar="EMAIL", help="only what this person may see"
        )
        parser.add_argument(
            "--as-of",
            metavar="YYYY-MM-DD",
            help="the date for expected progress and status (default: today)",
        )
        parser.add_argument("-o", "--output", metavar="FILE", required=True)
        self.add_organization_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organization = self.organization(options["organization"])
        except CommandError as error:
            raise bad(str(error)) from error
        scope = rows.Scope(
            organization=organization,
            cycle=cycle_named(organization, options["cycle"]),
            team=team_named(organization, options["team"]),
            viewer=viewer(organization, options["viewer"]),
            as_of=self.as_of(options["as_of"]),
        )
        output = self.output(options["output"])
        services.write_file(scope, options["format"], output, mode=0o666 & ~current_umask())
        objectives, key_results = rows.count(scope)
        self.stderr.write(
            f"Wrote {output}: {objectives} objectives, {key_results} key results "
            f"of {scope.cycle.name}."
        )

    @staticmethod
    def as_of(raw: str | None) -> date | None:
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError as error:
            raise bad(f"--as-of: {raw!r} is not a date like 2026-12-31") from error

    @staticmethod
    def output(raw: str) -> Path:
        path = Path(raw)
        if path.is_dir():
            raise bad(f"-o: {raw} is a folder; name a file")
        if not path.parent.is_dir():
            raise bad(f"-o: no folder {str(path.parent)!r} to write {path.name} in")
        return path


def viewer(organization: Organization, email: str | None) -> User | None:
    return None if email is None else person_named(organization, email, "--as")
