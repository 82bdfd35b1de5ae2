from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from pacer.kpis.demo import load_kpis
from pacer.okrs.demo import (
    ADMIN_EMAIL,
    DEMO_PASSWORD,
    MEMBER_EMAIL,
    build_demo,
    checkin_count,
    give_everyone_the_demo_password,
    load_initiatives,
)
from pacer.okrs.models import Organization
from pacer.okrs.okrfile.importer import ImportFailed, import_document

# Every demo person signs in with DEMO_PASSWORD; these two are the ones to start with.
SIGN_IN = (
    f"Sign in at http://127.0.0.1:8000 as {ADMIN_EMAIL} / {DEMO_PASSWORD} (organization admin) "
    f"or {MEMBER_EMAIL} / {DEMO_PASSWORD} (member)."
)


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--today: {text!r} is not a date (YYYY-MM-DD)") from error


class Command(BaseCommand):
    help = (
        "Load the demo organization (Northwind Labs): teams, people, this year's and the "
        "last two quarters' OKRs with weekly check-ins up to today."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already holds an organization",
        )
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="the day the demo is built for (default: today, UTC)",
        )

    def handle(self, *args: Any, if_empty: bool, today: str | None, **options: Any) -> None:
        # Today in UTC: check-ins are dated at midnight UTC and may not lie in the future.
        day = iso_date(today) if today else timezone.now().date()
        if if_empty and Organization.objects.exists():
            self.stdout.write("The database already holds an organization; demo not loaded.")
            self.stdout.write(SIGN_IN)
            return
        document = build_demo(day)
        try:
            with transaction.atomic():
                report = import_document(document, source="demo")
                give_everyone_the_demo_password(p["email"] for p in document["people"])
                organization = Organization.objects.get(name=document["organization"])
                work = load_initiatives(organization, day)  # through their services
                load_kpis(organization, day)  # health metrics (pacer.kpis.demo)
        except ImportFailed as failure:
            # The builder made a document the importer refuses: a bug in pacer.okrs.demo.
            raise CommandError(
                "the demo data was refused (a bug in pacer/okrs/demo.py):\n"
                + "\n".join(failure.errors)
            ) from failure
        self.stdout.write(report.summary())
        self.stdout.write(
            f"{document['organization']} as of {day}: {len(document['people'])} people, "
            f"{len(document['teams'])} teams, {len(document['objectives'])} objectives, "
            f"{checkin_count(document)} check-ins" + (f", {work} initiatives." if work else ".")
        )
        self.stdout.write(
            f"Every person of the demo signs in with their email and {DEMO_PASSWORD}."
        )
        self.stdout.write(SIGN_IN)
