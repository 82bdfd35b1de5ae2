"""Concurrency: 16 writers, 500 check-ins each, on one objective's key results at once.

Each writer is its own process with its own database connection (SQLite file in WAL mode,
or a fresh database in the run's PostgreSQL cluster). Half of every writer's check-ins go
to one shared key result, half to one of three siblings, so every write contends for the
same objective. The `at` of every check-in is distinct and back-dated at random, so the
latest check-in is rarely the last one written.
"""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from tests.robustness.conftest import Target

WRITERS = 16
PER_WRITER = 500
SIBLINGS = ("sib-1", "sib-2", "sib-3")


def seed_file(directory: Path, today: datetime) -> Path:
    start = (today - timedelta(days=60)).date()
    end = (today + timedelta(days=30)).date()
    seeded = (today - timedelta(days=40)).date()
    metric = "type: metric, start: 0, target: 1000"
    text = f"""
organization: Concurrent
people:
  - {{email: writer@concurrent.test, name: Writer, admin: true}}
teams:
  - {{ref: core, name: Core, members: [writer@concurrent.test]}}
cycles:
  - {{ref: now, name: Now, start: {start}, end: {end}, state: active}}
objectives:
  - ref: company
    title: Company goal
    cycle: now
    owner: writer@concurrent.test
    key_results:
      - {{ref: follows-launch, title: Launch done, type: linked, objective: launch}}
      - {{ref: company-other, title: Other, {metric}}}
  - ref: launch
    title: Launch the product
    cycle: now
    team: core
    owner: writer@concurrent.test
    key_results:
      - ref: shared
        title: Shared metric
        type: metric
        start: 0
        target: 1000
        checkins:
          - {{at: {seeded}, value: 5, by: writer@concurrent.test}}
      - {{ref: sib-1, title: Sibling one, {metric}, weight: 2}}
      - {{ref: sib-2, title: Sibling two, {metric}}}
      - {{ref: sib-3, title: Sibling three, {metric}, weight: 3}}
"""
    path = directory / "concurrent.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def make_plan(today: datetime) -> dict[str, object]:
    """Distinct moments in the last 30 days, shuffled: write order is not `at` order."""
    rng = random.Random(5)
    total = WRITERS * PER_WRITER
    newest = today - timedelta(hours=1)
    offsets = rng.sample(range(1, 30 * 24 * 3600), total)  # seconds back, all distinct
    writers = []
    for w in range(WRITERS):
        items = []
        for i in range(PER_WRITER):
            ref = "shared" if i % 2 == 0 else SIBLINGS[(w + i) % len(SIBLINGS)]
            at = newest - timedelta(seconds=offsets[w * PER_WRITER + i])
            value = Decimal(rng.randrange(0, 100_000)) / 100
            items.append([ref, str(value), at.isoformat()])
        writers.append(items)
    return {"organization": "Concurrent", "author": "writer@concurrent.test", "writers": writers}


def test_sixteen_writers_lose_no_checkin_and_no_rollup(target: Target, tmp_path: Path) -> None:
    today = datetime.now(UTC).replace(microsecond=0)
    target.ok("migrate", "--no-input")
    target.ok("import", str(seed_file(tmp_path, today)))
    before = target.worker("facts", "Concurrent")
    seeded = len(before["checkins"])
    seeded_ids = {pk for _, pk, _, _ in before["checkins"]}

    plan = make_plan(today)
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan))
    go = tmp_path / "go"
    workers = [target.popen_worker("write", str(plan_file), str(w), str(go)) for w in range(16)]
    time.sleep(1.0)  # let every worker start Django and load its key results
    started = time.monotonic()
    go.touch()
    reports = []
    for process in workers:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = time.monotonic() - started

    after = target.worker("facts", "Concurrent")
    written = WRITERS * PER_WRITER
    rows = after["checkins"]
    # No check-in is missing, none doubled.
    assert sum(r["written"] for r in reports) == written
    assert len(rows) == written + seeded
    planned = sorted((ref, at, value) for w in plan["writers"] for ref, value, at in w)
    stored = sorted(
        (ref, datetime.fromisoformat(at).isoformat(), str(Decimal(value).normalize()))
        for ref, pk, at, value in rows
        if pk not in seeded_ids
    )
    expected = sorted(
        (ref, datetime.fromisoformat(at).isoformat(), str(Decimal(value).normalize()))
        for ref, at, value in planned
    )
    assert stored == expected

    # Each key result's current is the value of its check-in with the latest `at` (ties: id).
    by_kr: dict[str, list[tuple[datetime, int, str]]] = {}
    for ref, pk, at, value in rows:
        by_kr.setdefault(ref, []).append((datetime.fromisoformat(at), pk, value))
    back_dated = 0
    for ref, checkins in by_kr.items():
        latest_at, latest_id, latest_value = max(checkins)
        stored_kr = after["key_results"][ref]
        assert Decimal(stored_kr["current"]) == Decimal(latest_value), ref
        assert datetime.fromisoformat(stored_kr["last_checkin_at"]) == latest_at, ref
        back_dated += latest_id != max(pk for _, pk, _ in checkins)
    assert back_dated, "the latest `at` was the last written everywhere: nothing was back-dated"

    # No lost roll-up update: a fresh computation agrees with every stored number.
    check = target.pacer("recompute", "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert after["objectives"]["launch"] != before["objectives"]["launch"]

    slowest = max(r["seconds"] for r in reports)
    print(
        f"\n[concurrency:{target.backend}] writers={WRITERS} check-ins={written} "
        f"(+{seeded} seeded) key results={len(by_kr)} wall={elapsed:.1f}s "
        f"slowest writer={slowest:.1f}s rate={written / elapsed:.0f}/s "
        f"KRs whose latest `at` was not the last written={back_dated}; recompute --check ok"
    )
