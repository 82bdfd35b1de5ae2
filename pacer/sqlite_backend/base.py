"""Django's SQLite backend, with writers served in turn.

SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps
between tries (up to 100 ms a sleep) and so is unfair: a process that commits and begins
again at once takes the lock back before a sleeping writer wakes, and with many busy
writers one of them can wait past the 30 s busy timeout and fail (16 writers on 2 cores:
tests/robustness/test_concurrency.py). So each write transaction first takes an exclusive
`flock` on `<database>-writers`. A writer waiting for it sleeps in the kernel and is woken
when the lock is released, and takes it before the last holder has come round again: the
lock passes from writer to writer. The wait is bounded by the same `timeout` as SQLite's,
and then answers "database is locked", which the edges turn into a 503 (pacer/busy.py).

In-memory databases (the tests' default) have a single process and no file: no queue.
"""

import fcntl
import os
import threading
import time
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

from pacer import lockwaits


class WriterQueue:
    """An exclusive flock on a file beside the database, held by one transaction at a time."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path, self.timeout = path, timeout
        self.held: int | None = None  # the open file that holds the lock

    def acquire(self) -> None:
        started = time.perf_counter()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        waited = False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waited = True
            self.wait_for(fd)
        self.held = fd
        lockwaits.add("writer_queue", time.perf_counter() - started, waited=waited)

    def wait_for(self, fd: int) -> None:
        """Block in the kernel for the lock (in a thread: flock takes no timeout); give up
        after `timeout`, leaving the thread to drop the lock if it gets it later."""
        got = threading.Event()
        decided = threading.Lock()
        given_up = False

        def take() -> None:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with decided:
                if given_up:
                    os.close(fd)  # closing the file releases the lock
                else:
                    got.set()

        threading.Thread(target=take, name="pacer-writer-queue", daemon=True).start()
        if got.wait(self.timeout):
            return
        with decided:
            if not got.is_set():
                given_up = True
                raise OperationalError("database is locked (waited for other writers)")

    def release(self) -> None:
        if self.held is not None:
            fd, self.held = self.held, None
            os.close(fd)


class DatabaseWrapper(base.DatabaseWrapper):
    writers: WriterQueue | None = None

    def get_new_connection(self, conn_params: Any) -> Any:
        """The queue of the database as it is when connecting (tests swap the name)."""
        connection = super().get_new_connection(conn_params)
        name = str(self.settings_dict["NAME"])
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        self.writers = None if self.is_in_memory_db() else WriterQueue(f"{name}-writers", timeout)
        return connection

    def _start_transaction_under_autocommit(self) -> None:
        if self.writers is None:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        self.writers.acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self.writers.release()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self.release_writers()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self.release_writers()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self.release_writers()

    def release_writers(self) -> None:
        if self.writers is not None:
            self.writers.release()
