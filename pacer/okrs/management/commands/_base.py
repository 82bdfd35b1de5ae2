"""What Pacer's own commands share: resolving the organization and reporting bad input."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pacer.accounts.models import User
from pacer.okrs import history
from pacer.okrs.models import Cycle, Organization, Team

BAD_INPUT = 2  # the exit code of bad arguments, as argparse's own


def bad(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_INPUT)


def cycle_named(organization: Organization, ref: str) -> Cycle:
    """The organization's cycle `--cycle REF` names; bad input (exit 2) if none."""
    found = Cycle.objects.filter(organization=organization, ref=ref).first()
    if found is None:
        raise bad(f"--cycle: no cycle with ref {ref!r} in {organization.name}")
    return found


def team_named(organization: Organization, ref: str | None) -> Team | None:
    """The organization's team `--team REF` names (None without the option)."""
    if ref is None:
        return None
    found = Team.objects.filter(organization=organization, ref=ref).first()
    if found is None:
        raise bad(f"--team: no team with ref {ref!r} in {organization.name}")
    return found


def person_named(organization: Organization, email: str, option: str) -> User:
    """The organization's person an option (`--as`, `--owner`...) names by email."""
    found = User.objects.filter(organization=organization, email=email.strip().lower()).first()
    if found is None:
        raise bad(f"{option}: no person {email!r} in {organization.name}")
    return found


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
