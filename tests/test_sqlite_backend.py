"""pacer.sqlite_backend: write transactions on a SQLite file take turns through a flock
beside it, so a waiting writer is handed the lock instead of polling for it (a polling
writer could starve past the busy timeout: tests/robustness/test_concurrency.py)."""

import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from pacer.busy import is_busy
from pacer.sqlite_backend.base import WriterQueue


def test_a_second_writer_waits_for_the_first_and_gets_the_lock_when_it_is_released(
    tmp_path: Path,
) -> None:
    first, second = WriterQueue(str(tmp_path / "db-writers"), 5), None
    first.acquire()
    second = WriterQueue(str(tmp_path / "db-writers"), 5)
    took: list[float] = []
    waiter = threading.Thread(target=lambda: (second.acquire(), took.append(time.monotonic())))
    waiter.start()
    time.sleep(0.3)
    assert not took  # still waiting
    released = time.monotonic()
    first.release()
    waiter.join(5)
    assert took and took[0] - released < 0.1  # handed over at once, not at the next poll
    second.release()


def test_a_writer_gives_up_after_the_timeout_with_a_busy_error_and_leaves_no_lock(
    tmp_path: Path,
) -> None:
    holder = WriterQueue(str(tmp_path / "db-writers"), 5)
    holder.acquire()
    impatient = WriterQueue(str(tmp_path / "db-writers"), 0.2)
    started = time.monotonic()
    with pytest.raises(Exception) as refused:
        impatient.acquire()
    assert 0.2 <= time.monotonic() - started < 2
    assert is_busy(refused.value)  # the edges answer 503 with Retry-After
    assert impatient.held is None
    holder.release()
    time.sleep(0.1)  # the given-up waiter's thread takes the lock and drops it at once
    later = WriterQueue(str(tmp_path / "db-writers"), 0.5)
    later.acquire()  # nothing left behind holds it
    later.release()


def test_the_tests_in_memory_database_has_no_queue() -> None:
    assert connection.vendor == "sqlite" or pytest.skip("SQLite only")
    assert getattr(connection, "writers", "absent") is None
