"""What Pacer's own commands share: resolving the organization and reporting bad input."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pacer.okrs import history
from pacer.okrs.models import Organization


class PacerCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> Any:
        """Writes are recorded in the history as made through the command line."""
        with history.context(via=history.CLI):
            return super().execute(*args, **options)

    def add_organization_argument(self, parser: Any) -> None:
        parser.add_argument(
            "--organization",
            metavar="NAME",
            help="the organization (needed only when the database holds several)",
        )

    def organization(self, name: str | None) -> Organization:
        if name:
            found = Organization.objects.filter(name=name).first()
            if found is None:
                raise CommandError(f"--organization: no organization named {name!r}")
            return found
        organizations = list(Organization.objects.all()[:2])
        if not organizations:
            raise CommandError("the database holds no organization yet (try `pacer import`)")
        if len(organizations) > 1:
            raise CommandError("several organizations: choose one with --organization NAME")
        return organizations[0]
