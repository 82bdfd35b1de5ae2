"""`pacer templates list|apply`: OKR templates by role (docs/coach.md, "Templates by role")."""

from typing import Any

from django.core.management.base import CommandError

from pacer.coach import role_templates
from pacer.okrs import history
from pacer.okrs.errors import DomainError
from pacer.okrs.management.commands._base import (
    PacerCommand,
    bad,
    cycle_named,
    person_named,
    team_named,
)


class Command(PacerCommand):
    help = (
        "OKR templates by role: `list` them, or `apply NAME --cycle REF --owner EMAIL` to "
        "create the template's objectives with their key results, all or nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        actions.add_parser("list", help="name, title and size of every template")
        apply = actions.add_parser("apply", help="create a template's objectives in a cycle")
        apply.add_argument("name", metavar="NAME", help="the template's name (see `list`)")
        apply.add_argument("--cycle", metavar="REF", required=True, help="the cycle's ref")
        apply.add_argument(
            "--owner", metavar="EMAIL", required=True, help="who owns the new objectives"
        )
        apply.add_argument("--team", metavar="REF", help="the team they are filed under")
        apply.add_argument(
            "--by",
            metavar="EMAIL",
            help="who applies it: checked as in the web (may create objectives for the owner "
            "under the team) and recorded in the history",
        )
        self.add_organization_argument(apply)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self.handle_list()
        else:
            self.handle_apply(options)

    def handle_list(self) -> None:
        try:
            templates = role_templates.available()
        except role_templates.TemplateError as error:
            raise CommandError(str(error)) from error
        for template in templates:
            objectives = counted(template.objective_count, "objective")
            key_results = counted(template.key_result_count, "key result")
            self.stdout.write(f"{template.name:20} {template.title:24} {objectives}, {key_results}")

    def handle_apply(self, options: dict[str, Any]) -> None:
        try:
            organization = self.organization(options["organization"])
        except CommandError as error:
            raise bad(str(error)) from error
        by = person_named(organization, options["by"], "--by") if options["by"] else None
        try:
            with history.context(actor=by):
                created = role_templates.apply(
                    options["name"],
                    cycle=cycle_named(organization, options["cycle"]),
                    owner=person_named(organization, options["owner"], "--owner"),
                    team=team_named(organization, options["team"]),
                    by=by,
                )
        except role_templates.UnknownTemplate as error:
            raise bad(f"NAME: {error}") from error
        except (role_templates.TemplateError, DomainError) as error:
            raise CommandError(f"{error}; nothing was created") from error
        for objective in created:
            self.stdout.write(f"{objective.ref}: {objective.title}")
            for kr in objective.key_results.order_by("position"):
                self.stdout.write(f"  {kr.ref}: {kr.title}")


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"
