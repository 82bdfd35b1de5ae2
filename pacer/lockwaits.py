"""How long this process's writes waited for their locks: the hot-spot figures of
`pacer bench throughput` (issue 16; docs/benchmarks.md).

Two places count, each a few additions per write:
- `writer_queue`: SQLite's queue of writers (pacer.sqlite_backend), taken at BEGIN; a
  `wait` is a writer that found it held.
- `objective_lock`: the locking read of the objective a write rolls up into
  (`SELECT … FOR UPDATE`, pacer.okrs.services.writable). On PostgreSQL that is where
  writers to one objective wait for each other; on SQLite the queue has already serialised
  them and it is only the read.

A gunicorn worker writes its totals as it exits (pacer.gunicorn_config) into the folder
`PACER_LOCK_WAITS_DIR` names, when set: only the bench sets it.
"""

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FOLDER_VARIABLE = "PACER_LOCK_WAITS_DIR"

totals: dict[str, dict[str, float]] = {}


def add(lock: str, seconds: float, *, waited: bool) -> None:
    entry = totals.setdefault(lock, {"locks": 0, "waits": 0, "seconds": 0.0})
    entry["locks"] += 1
    entry["waits"] += int(waited)
    entry["seconds"] += seconds


@contextmanager
def timed(lock: str) -> Iterator[None]:
    """Count the time the block takes to take `lock` (no wait told apart)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        add(lock, time.perf_counter() - started, waited=False)


def write_totals() -> None:
    """This process's totals, as `<pid>.json` in PACER_LOCK_WAITS_DIR (when set)."""
    folder = os.environ.get(FOLDER_VARIABLE)
    if folder and totals:
        Path(folder, f"{os.getpid()}.json").write_text(json.dumps(totals))


def read_totals(folder: Path) -> dict[str, dict[str, Any]]:
    """Every process's totals in `folder`, summed per lock, with the mean wait in ms."""
    summed: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.json")):
        for lock, entry in json.loads(path.read_text()).items():
            into = summed.setdefault(lock, {"locks": 0, "waits": 0, "seconds": 0.0})
            for name in ("locks", "waits", "seconds"):
                into[name] += entry[name]
    for entry in summed.values():
        # The mean from the exact sum, before the sum is rounded for the report.
        entry["mean_ms"] = round(1000 * entry["seconds"] / entry["locks"], 2)
        entry["seconds"] = round(entry["seconds"], 3)
    return summed
