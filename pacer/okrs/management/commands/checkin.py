from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from pacer.accounts.models import User
from pacer.okrs import history, services
from pacer.okrs.display import value_text
from pacer.okrs.errors import DomainError
from pacer.okrs.management.commands._base import PacerCommand
from pacer.okrs.models import KeyResult
from pacer.okrs.progress import CONFIDENCES
from pacer.okrs.selectors import key_result_pace


class Command(PacerCommand):
    help = "Report progress on a key result: pacer checkin KR_REF VALUE."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kr_ref", metavar="KR_REF", help="the key result's ref")
        parser.add_argument(
            "value",
            metavar="VALUE",
            help="the new value (0 or 1 for yes/no); '-' keeps the last value (and is the "
            "only value of milestones, linked and initiatives key results)",
        )
        parser.add_argument("--confidence", choices=CONFIDENCES)
        parser.add_argument("--note", default="", metavar="TEXT")
        parser.add_argument("--at", metavar="DATETIME", help="when (default: now); ISO 8601")
        parser.add_argument("--by", metavar="EMAIL", help="who reports it")
        self.add_organization_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        organization = self.organization(options["organization"])
        kr = (
            KeyResult.objects.select_related("objective__cycle")
            .filter(organization=organization, ref=options["kr_ref"])
            .first()
        )
        if kr is None:
            raise CommandError(f"KR_REF: no key result with ref {options['kr_ref']!r}")
        author = self.author(organization, options["by"])
        try:
            with history.context(actor=author):
                services.checkin_create(
                    key_result=kr,
                    value=parse_value(options["value"]),
                    confidence=options["confidence"] or "",
                    note=options["note"],
                    author=author,
                    at=parse_moment(options["at"]),
                )
        except DomainError as error:
            raise CommandError(str(error)) from error
        kr.refresh_from_db()
        pace = key_result_pace(
            kr, kr.objective.cycle, on=timezone.localdate(), bands=organization.bands
        )
        self.stdout.write(
            f"{kr.ref}: current {value_text(kr, kr.current)}, progress {pace.progress:.0%}, "
            f"expected {pace.expected:.0%}, status {pace.status}"
        )

    @staticmethod
    def author(organization: Any, email: str | None) -> User | None:
        if email is None:
            return None
        found = User.objects.filter(organization=organization, email=email.lower()).first()
        if found is None:
            raise CommandError(f"--by: no person {email!r} in {organization.name}")
        return found


def parse_value(raw: str) -> Decimal | None:
    if raw == "-":
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation as error:
        raise CommandError(f"VALUE: {raw!r} is not a number") from error
    if not value.is_finite():
        raise CommandError(f"VALUE: {raw!r} is not a number")
    return value


def parse_moment(raw: str | None) -> datetime | None:
    """An ISO date (midnight UTC) or date-time (UTC unless it names a zone)."""
    if raw is None:
        return None
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(raw)
    except ValueError as error:
        raise CommandError(f"--at: {raw!r} is not a date or date-time (ISO 8601)") from error
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)
