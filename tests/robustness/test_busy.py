"""A busy database, the way production meets it (issue 10, finding 2).

A real server (`pacer runserver`) on a fresh database of the run's backend (a SQLite file in
WAL mode, or a database in the PostgreSQL cluster), with the settings' own lock waits: SQLite's
busy timeout and PostgreSQL's lock_timeout, 30 seconds each. Another connection holds the
write lock; a check-in then gets a 503 with Retry-After once the wait is over (a 500 after
30 s before), and nothing is written. The attack of the review follows: twenty clients
posting bulks at once while another person checks in; no answer is a 500.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.robustness.conftest import Target
from tests.robustness.test_crash import Server

WAIT = 90  # the client's patience: far above the server's 30 s lock wait


def seed(target: Target, directory: Path) -> tuple[str, str]:
    """An organization with two people and a few metrics; their write tokens."""
    today = datetime.now(UTC).date()
    metrics = "\n".join(
        f"      - {{ref: m-{n}, title: Metric {n}, type: metric, start: 0, target: 100}}"
        for n in range(5)
    )
    path = directory / "busy.yaml"
    path.write_text(
        f"""\
organization: Busy
people:
  - {{email: ada@busy.test, name: Ada, admin: true}}
  - {{email: bob@busy.test, name: Bob}}
teams:
  - {{ref: core, name: Core, members: [ada@busy.test, bob@busy.test]}}
cycles:
  - {{ref: now, name: Now, start: {today - timedelta(days=30)}, end: {today + timedelta(days=30)}}}
objectives:
  - ref: goal
    title: Goal
    cycle: now
    team: core
    owner: ada@busy.test
    key_results:
{metrics}
""",
        encoding="utf-8",
    )
    target.ok("migrate", "--no-input")
    target.ok("import", str(path))
    tokens = [
        target.ok("token", "create", "--user", email, "--scope", "write").strip().splitlines()[-1]
        for email in ("ada@busy.test", "bob@busy.test")
    ]
    return tokens[0], tokens[1]


def send(
    server: Server, token: str, method: str, path: str, body: Any = None
) -> tuple[int, dict[str, str], Any]:
    """(status, headers, JSON body) of one request, waiting as long as the server takes."""
    request = urllib.request.Request(
        server.base + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


@contextlib.contextmanager
def write_lock(target: Target) -> Iterator[None]:
    """Another connection holds the write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: the
    objectives' table, which every check-in locks a row of) until the block ends."""
    if target.backend == "sqlite":
        holder: Any = sqlite3.connect(target.sqlite_file, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    else:
        import psycopg

        holder = psycopg.connect(target.url)
        holder.execute("LOCK TABLE okrs_objective IN EXCLUSIVE MODE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


def checkin_count(server: Server, token: str) -> int:
    status, _, page = send(server, token, "GET", "/checkins?limit=200")
    assert status == 200, page
    assert page["next_cursor"] is None
    return len(page["items"])


def test_a_locked_out_writer_gets_503_with_retry_after_and_nothing_is_written(
    target: Target, tmp_path: Path
) -> None:
    ada, _ = seed(target, tmp_path)
    server = Server(target)
    try:
        server.wait_ready(ada)  # a GET: the token's last use is noted before the lock
        with write_lock(target):
            status, headers, problem = send(
                server, ada, "POST", "/key-results/m-0/checkins", {"value": 5}
            )
        assert status == 503, problem
        assert headers["Content-Type"] == "application/problem+json"
        assert headers["Retry-After"] == "5"
        assert problem["type"] == "urn:pacer:problem:busy"
        assert checkin_count(server, ada) == 0
        status, _, created = send(server, ada, "POST", "/key-results/m-0/checkins", {"value": 5})
        assert status == 201, created
    finally:
        server.kill()


def test_twenty_bulk_writers_never_make_another_persons_checkin_fail_with_500(
    target: Target, tmp_path: Path
) -> None:
    ada, bob = seed(target, tmp_path)
    server = Server(target)
    answers: list[tuple[str, int, dict[str, str]]] = []
    lock = threading.Lock()
    now = datetime.now(UTC)

    def bulk(thread: int) -> None:
        items = [
            {
                "key_result": f"m-{n % 5}",
                "value": n % 100,
                "at": (now - timedelta(minutes=thread * 100 + n + 1)).isoformat(),
            }
            for n in range(100)
        ]
        status, headers, _ = send(server, ada, "POST", "/checkins/bulk", {"items": items})
        with lock:
            answers.append(("bulk", status, headers))

    try:
        server.wait_ready(ada)
        server.wait_ready(bob)
        threads = [threading.Thread(target=bulk, args=(t,)) for t in range(20)]
        for thread in threads:
            thread.start()
        status, headers, _ = send(server, bob, "POST", "/key-results/m-4/checkins", {"value": 7})
        answers.append(("single", status, headers))
        for thread in threads:
            thread.join(WAIT * 2)
        assert len(answers) == 21
        assert {status for _, status, _ in answers} <= {201, 503}, answers
        assert all(h.get("Retry-After") == "5" for _, s, h in answers if s == 503)
        written = sum(100 if kind == "bulk" else 1 for kind, s, _ in answers if s == 201)
        stored = 0
        cursor = ""
        while True:
            _, _, page = send(server, ada, "GET", f"/checkins?limit=200&cursor={cursor}")
            stored += len(page["items"])
            cursor = page["next_cursor"] or ""
            if not cursor:
                break
        assert stored == written  # every acknowledged item, and nothing of a refused one
    finally:
        server.kill()
    check = target.pacer("recompute", "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    print(
        f"\n[busy:{target.backend}] 20 bulks of 100 and one single check-in at once: "
        f"{sorted(s for _, s, _ in answers)}"
    )
