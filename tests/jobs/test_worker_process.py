"""`pacer worker` as a separate process on a SQLite file: it dispatches an event another
process recorded, within seconds, and stops cleanly on SIGTERM."""

import contextlib
import signal
import sqlite3
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.factories import pacer_executable
from tests.robustness.conftest import ROOT, Target

OKR_FILE = """\
organization: Worker
people:
  - {{email: ada@worker.test, name: Ada, admin: true}}
cycles:
  - {{ref: now, name: Now, start: {start}, end: {end}, state: active}}
objectives:
  - ref: ship
    title: Ship it
    cycle: now
    owner: ada@worker.test
    key_results:
      - {{ref: ship-kr, title: Releases, type: metric, start: 0, target: 10}}
"""


def checkin_events(database: Path) -> tuple[int, int]:
    """(check-in events, of which dispatched), read with plain sqlite3 from this process."""
    with contextlib.closing(sqlite3.connect(database, timeout=5)) as connection:
        row = connection.execute(
            "SELECT count(*), count(dispatched_at) FROM events_event WHERE kind = 'checkin.created'"
        ).fetchone()
    return int(row[0]), int(row[1])


def test_a_worker_process_dispatches_a_recorded_event_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    database = tmp_path / "x.sqlite3"
    target = Target("sqlite", tmp_path, f"sqlite:///{database}")
    today = datetime.now(UTC).date()
    okrs = tmp_path / "okrs.yaml"
    okrs.write_text(
        OKR_FILE.format(start=today - timedelta(days=10), end=today + timedelta(days=80))
    )
    target.ok("migrate", "--no-input")
    target.ok("import", str(okrs))
    worker = subprocess.Popen(
        [*pacer_executable(), "worker", "--interval", "0.2"],
        env=target.env(),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        target.ok("checkin", "ship-kr", "3", "--by", "ada@worker.test")
        events, dispatched = checkin_events(database)
        assert events == 1
        deadline = time.monotonic() + 15
        while dispatched < events and time.monotonic() < deadline:
            time.sleep(0.1)
            events, dispatched = checkin_events(database)
        assert dispatched == events, "the worker did not dispatch the check-in's event"
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            out, err = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            out, err = worker.communicate()
            raise AssertionError(f"the worker ignored SIGTERM:\n{out}\n{err}") from None
    assert worker.returncode == 0, f"{out}\n{err}"
    assert "Pacer worker: running" in out
