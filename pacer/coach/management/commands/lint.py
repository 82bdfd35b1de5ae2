"""`pacer lint FILE|--cycle REF`: advice on well-formed OKRs (docs/coach.md)."""

import sys
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from pacer.coach import config as lint_config
from pacer.coach.cycle_plan import plan_of_cycle
from pacer.coach.drafts import Plan
from pacer.coach.file_plan import Unreadable, plan_of_file
from pacer.coach.lint import UNREADABLE, as_json, as_text, exit_status, lint
from pacer.okrs.management.commands._base import PacerCommand, cycle_named, person_named
from pacer.okrs.models import Organization


def unreadable(message: str) -> CommandError:
    return CommandError(message, returncode=UNREADABLE)


class Command(PacerCommand):
    requires_system_checks: list[str] = []  # a read: start at once
    help = (
        "Lint OKRs: an OKR file, or a cycle in the database (--cycle). Exit 0 when clean, "
        "1 with errors (or warnings, with --strict), 2 when the input cannot be read."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", metavar="FILE", help="an OKR file (YAML)")
        parser.add_argument("--cycle", metavar="REF", help="lint this cycle's OKRs instead")
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument("--config", metavar="FILE", help="rules on/off and thresholds")
        parser.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
        parser.add_argument(
            "--as", dest="viewer", metavar="EMAIL", help="--cycle: only what this person sees"
        )
        self.add_organization_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["file"]) == bool(options["cycle"]):
            raise unreadable("name an OKR file or --cycle REF (one of the two)")
        if options["file"]:
            plan, source, organization = self.file_plan(options["file"]), options["file"], None
        else:
            organization = self.find_organization(options["organization"])
            plan, source = self.cycle_plan(organization, options), options["cycle"]
        config = self.config(organization, options["config"])
        findings = lint(plan, config, cycle=organization is not None)
        render = as_json if options["format"] == "json" else as_text
        self.stdout.write(render(findings, source), ending="")
        sys.exit(exit_status(findings, strict=options["strict"]))

    @staticmethod
    def file_plan(path: str) -> Plan:
        try:
            return plan_of_file(path)
        except Unreadable as error:
            raise unreadable(str(error)) from error

    def find_organization(self, name: str | None) -> Organization:
        try:
            return self.organization(name)
        except CommandError as error:
            raise unreadable(str(error)) from error

    @staticmethod
    def cycle_plan(organization: Organization, options: dict[str, Any]) -> Plan:
        cycle = cycle_named(organization, options["cycle"])
        email = options["viewer"]
        viewer = None if email is None else person_named(organization, email, "--as")
        return plan_of_cycle(
            cycle, viewer, now=timezone.now(), zone=timezone.get_default_timezone()
        )

    @staticmethod
    def config(organization: Organization | None, path: str | None) -> lint_config.LintConfig:
        base = lint_config.of_organization(organization.pk if organization else None)
        if path is None:
            return base
        try:
            return lint_config.read_config_file(path, base)
        except lint_config.ConfigProblem as error:
            raise unreadable(f"--config: {error}") from error
