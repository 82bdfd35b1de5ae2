"""pacer.lockwaits: what `pacer bench throughput` reports of a hot spot's lock waits."""

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pacer import lockwaits
from pacer.bench.throughput import phases
from pacer.sqlite_backend.base import WriterQueue


@pytest.fixture(autouse=True)
def fresh_totals() -> Iterator[None]:
    saved = dict(lockwaits.totals)
    lockwaits.totals.clear()
    yield
    lockwaits.totals.clear()
    lockwaits.totals.update(saved)


def test_the_writer_queue_counts_a_writer_that_found_it_held(tmp_path: Path) -> None:
    first, second = (
        WriterQueue(str(tmp_path / "db-writers"), 5),
        WriterQueue(str(tmp_path / "db-writers"), 5),
    )
    first.acquire()  # free: no wait
    waiter = threading.Thread(target=second.acquire)
    waiter.start()
    time.sleep(0.2)
    first.release()
    waiter.join(5)
    second.release()
    queue = lockwaits.totals["writer_queue"]
    assert queue["locks"] == 2 and queue["waits"] == 1
    assert queue["seconds"] >= 0.15  # the second waited for the first's 0.2 s


def test_a_process_writes_its_totals_where_the_bench_asks_and_the_bench_sums_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lockwaits.write_totals()  # no folder named: nothing written
    assert not list(tmp_path.iterdir())
    monkeypatch.setenv(lockwaits.FOLDER_VARIABLE, str(tmp_path))
    lockwaits.add("writer_queue", 0.004, waited=True)
    lockwaits.add("writer_queue", 0.002, waited=False)
    lockwaits.write_totals()
    other = {"writer_queue": {"locks": 2, "waits": 2, "seconds": 0.006}}
    (tmp_path / "1.json").write_text(json.dumps(other))  # another worker's
    assert lockwaits.read_totals(tmp_path) == {
        "writer_queue": {"locks": 4, "waits": 3, "seconds": 0.012, "mean_ms": 3.0}
    }


def test_the_objective_lock_is_timed_on_every_write() -> None:
    with lockwaits.timed("objective_lock"):
        time.sleep(0.01)
    lock = lockwaits.totals["objective_lock"]
    assert lock["locks"] == 1 and lock["waits"] == 0 and lock["seconds"] >= 0.01


def test_the_throughput_run_measures_each_shape_on_its_own_servers() -> None:
    assert phases(1, "both") == [
        ("noop", ""),
        ("checkins", "spread"),
        ("checkins_hotspot", "hotspot"),
    ]
    assert phases(1, "hotspot") == [("noop", ""), ("checkins_hotspot", "hotspot")]
    assert phases(2, "both") == [("checkins", "spread")]  # the scale-out run: spread only
