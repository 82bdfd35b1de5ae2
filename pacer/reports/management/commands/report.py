"""`pacer report`: a cycle's OKRs as an XLSX workbook or a PPTX deck (docs/reports.md)."""

import os
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from pacer.accounts.models import User
from pacer.okrs.management.commands._base import PacerCommand
from pacer.okrs.models import Cycle, Organization, Team
from pacer.reports import rows, services

BAD_INPUT = 2  # the exit code of bad arguments, as argparse's own


def current_umask() -> int:
    mask = os.umask(0)  # the only way to read it; set back at once (a command: one thread)
    os.umask(mask)
    return mask


def bad(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_INPUT)


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
            cycle=self.cycle(organization, options["cycle"]),
            team=self.team(organization, options["team"]),
            viewer=self.viewer(organization, options["viewer"]),
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
    def cycle(organization: Organization, ref: str) -> Cycle:
        found = Cycle.objects.filter(organization=organization, ref=ref).first()
        if found is None:
            raise bad(f"--cycle: no cycle with ref {ref!r} in {organization.name}")
        return found

    @staticmethod
    def team(organization: Organization, ref: str | None) -> Team | None:
        if ref is None:
            return None
        found = Team.objects.filter(organization=organization, ref=ref).first()
        if found is None:
            raise bad(f"--team: no team with ref {ref!r} in {organization.name}")
        return found

    @staticmethod
    def viewer(organization: Organization, email: str | None) -> User | None:
        if email is None:
            return None
        found = User.objects.filter(organization=organization, email=email.lower()).first()
        if found is None:
            raise bad(f"--as: no person {email!r} in {organization.name}")
        return found

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
