"""Worker processes of the robustness tests: `python -m tests.robustness.worker CMD ...`.

Each runs Django on the database its environment names (DATABASE_URL / PACER_DATA_DIR), so
every worker has its own process and its own connection, as a production writer would.

* `write PLAN INDEX GO`: wait until the file GO exists, then write the check-ins of writer
  INDEX of PLAN through `services.checkin_create`, one transaction each.
* `facts ORG`: every check-in and every key result's stored numbers, as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacer.settings")
    import django

    django.setup()


def write(plan_file: str, index: str, go_file: str) -> dict[str, object]:
    from django.db import connections

    from pacer.accounts.models import User
    from pacer.okrs import services
    from pacer.okrs.models import KeyResult

    plan = json.loads(Path(plan_file).read_text())
    items = plan["writers"][int(index)]
    krs = {
        kr.ref: kr
        for kr in KeyResult.objects.filter(organization__name=plan["organization"]).select_related(
            "objective"
        )
    }
    author = User.objects.get(email=plan["author"])
    # A check-in's event links reverse a URL: load the URLconf now, as a running server has,
    # not inside the first write's transaction (about 1 s of imports holding the write lock).
    from django.urls import get_resolver

    assert get_resolver().url_patterns
    connections.close_all()  # start the burst on a fresh connection, like a new request
    while not Path(go_file).exists():
        time.sleep(0.005)
    started = time.monotonic()
    for ref, value, at in items:
        services.checkin_create(
            key_result=krs[ref],
            value=Decimal(value),
            confidence="on_track",
            author=author,
            at=datetime.fromisoformat(at),
        )
    connections.close_all()
    return {"written": len(items), "seconds": round(time.monotonic() - started, 3)}


def facts(organization: str) -> dict[str, object]:
    from pacer.okrs.models import CheckIn, KeyResult, Objective

    checkins = [
        [row["key_result__ref"], row["id"], row["at"].isoformat(), str(row["value"])]
        for row in CheckIn.objects.filter(key_result__organization__name=organization)
        .order_by("id")
        .values("key_result__ref", "id", "at", "value")
    ]
    key_results = {
        kr.ref: {
            "current": None if kr.current is None else str(kr.current),
            "last_checkin_at": kr.last_checkin_at.isoformat() if kr.last_checkin_at else None,
            "progress": str(kr.progress),
        }
        for kr in KeyResult.objects.filter(organization__name=organization)
    }
    objectives = {
        o.ref: str(o.progress) for o in Objective.objects.filter(organization__name=organization)
    }
    return {"checkins": checkins, "key_results": key_results, "objectives": objectives}


def main(argv: list[str]) -> None:
    setup()
    command, *args = argv
    result = {"write": write, "facts": facts}[command](*args)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
