"""`pacer history export`: the change history as JSON or CSV (docs/history.md)."""

import json
from datetime import UTC, date, datetime, time
from typing import Any

from django.core.management.base import CommandError

from pacer import csvcells
from pacer.accounts.models import User
from pacer.okrs import history
from pacer.okrs.management.commands._base import PacerCommand

COLUMNS = ["id", "at", "actor", "via", "action", "model", "object_id", "object", "objective"]


class Command(PacerCommand):
    help = "Export the change history: pacer history export [--since] [--format] [--as] [-o]."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        export = actions.add_parser("export", help="write the history as JSON or CSV")
        export.add_argument("--since", metavar="DATETIME", help="only entries at or after (ISO)")
        export.add_argument("--format", choices=["json", "csv"], default="json")
        export.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
        export.add_argument(
            "--as",
            dest="as_person",
            metavar="EMAIL",
            help="only what this person may see (no entry about others' private objectives)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = history.entries()
        if options["as_person"]:
            email = options["as_person"].strip().lower()
            person = User.objects.filter(email=email).first()
            if person is None:
                raise CommandError(f"--as: no person {options['as_person']!r}")
            rows = history.entries_visible_to(person)
        if options["since"]:
            rows = rows.filter(timestamp__gte=parse_since(options["since"]))
        records = [record(entry) for entry in rows.order_by("timestamp", "id").iterator()]
        text = as_csv(records) if options["format"] == "csv" else as_json(records)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                out.write(text)
        else:
            self.stdout.write(text, ending="")


def parse_since(raw: str) -> datetime:
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(raw)
    except ValueError as error:
        raise CommandError(f"--since: {raw!r} is not a date or date-time (ISO 8601)") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record(entry: Any) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "at": entry.timestamp.astimezone(UTC).isoformat(),
        "actor": entry.actor.email if entry.actor else (entry.actor_email or ""),
        "via": history.via_of(entry),
        "action": history.action_of(entry),
        "model": entry.content_type.model,
        "object_id": entry.object_id,
        "object": entry.object_repr,
        "objective": (entry.additional_data or {}).get("objective"),
        "changes": {name: list(pair) for name, pair in history.changes_of(entry).items()},
    }


def as_json(records: list[dict[str, Any]]) -> str:
    return json.dumps({"history": records}, indent=2, ensure_ascii=False) + "\n"


def as_csv(records: list[dict[str, Any]]) -> str:
    """One line per entry; `changes` as JSON (`{"field": ["old", "new"]}`)."""
    rows = (
        [*(row[c] for c in COLUMNS), json.dumps(row["changes"], ensure_ascii=False)]
        for row in records
    )
    return csvcells.to_csv([*COLUMNS, "changes"], rows)
