"""Robustness tests (issue 5): a real database outside the test transaction.

`target` is a fresh database of the backend the run uses (PACER_TEST_DB): a SQLite file in a
temporary data folder, or a new database in the run's throw-away PostgreSQL cluster. Tests
drive it the way production does: `pacer` commands, worker processes and a real server, each
in its own process with its own connection.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import cluster_key, test_database
from tests.factories import pacer_executable

ROOT = Path(__file__).resolve().parents[2]
_numbers = itertools.count(1)


@dataclass
class Target:
    """A database reachable from subprocesses, and how to run Pacer against it."""

    backend: str  # "sqlite" or "postgres"
    data_dir: Path
    url: str  # "" for SQLite: the default file in data_dir

    @property
    def sqlite_file(self) -> Path:
        return self.data_dir / "pacer.sqlite3"

    def wal_bytes(self) -> int:
        """How far the write-ahead log has grown: a sign that a transaction is writing.

        SQLite: the size of the -wal file (`checkpoint()` empties it first); PostgreSQL: the
        cluster's WAL insert position.
        """
        if self.backend == "sqlite":
            wal = Path(f"{self.sqlite_file}-wal")
            return wal.stat().st_size if wal.exists() else 0
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            row = connection.execute(
                "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint"
            ).fetchone()
        assert row is not None
        return int(row[0])

    def checkpoint(self) -> None:
        """Fold the WAL into the database so that `wal_bytes` starts from 0 (SQLite)."""
        if self.backend == "sqlite":
            import sqlite3

            with contextlib.closing(sqlite3.connect(self.sqlite_file)) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def integrity(self) -> str:
        """SQLite's own integrity check ("ok"), or "ok" on PostgreSQL (crash-safe by design)."""
        if self.backend != "sqlite":
            return "ok"
        import sqlite3

        with contextlib.closing(sqlite3.connect(self.sqlite_file)) as connection:
            return str(connection.execute("PRAGMA integrity_check").fetchone()[0])

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "SECRET_KEY", "PACER_TEST_DB", "DEBUG")
        }
        env.update(
            PACER_DATA_DIR=str(self.data_dir),
            DEBUG="1",
            DJANGO_SETTINGS_MODULE="pacer.settings",
            PYTHONPATH=str(ROOT),
        )
        if self.url:
            env["DATABASE_URL"] = self.url
        env.update(extra)
        return env

    def pacer(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*pacer_executable(), *args],
            env=self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def ok(self, *args: str, timeout: float = 120) -> str:
        done = self.pacer(*args, timeout=timeout)
        assert done.returncode == 0, f"pacer {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def worker(self, *args: str, timeout: float = 120) -> Any:
        """Run tests/robustness/worker.py; its last stdout line is JSON."""
        done = subprocess.run(
            [sys.executable, "-m", "tests.robustness.worker", *args],
            env=self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, f"worker {args}:\n{done.stdout}\n{done.stderr}"
        return json.loads(done.stdout.strip().splitlines()[-1])

    def popen_worker(self, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.robustness.worker", *args],
            env=self.env(),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **kwargs,
        )


@pytest.fixture
def new_target(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Target]:
    """Make a fresh, empty database of the run's backend (call `pacer migrate` on it)."""

    def make() -> Target:
        number = next(_numbers)
        data_dir = tmp_path / f"data-{number}"
        data_dir.mkdir()
        if test_database() != "postgres":
            return Target("sqlite", data_dir, "")
        import psycopg

        cluster = request.config.stash[cluster_key]
        name = f"robust_{os.getpid()}_{number}"
        with psycopg.connect(cluster.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return Target("postgres", data_dir, cluster.url(name))

    return make


@pytest.fixture
def target(new_target: Callable[[], Target]) -> Target:
    return new_target()
