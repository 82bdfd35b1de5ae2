"""`pacer backup` and `pacer restore`, through the real console script on real databases.

Each test runs Pacer in subprocesses on databases of its own: SQLite files in temporary data
folders, and with PACER_TEST_DB=postgres also new databases in the suite's PostgreSQL cluster.
The round trip: demo -> export (YAML) -> backup -> restore into an empty database -> the same
export, and `pacer recompute --check` passes. The snapshot test backs up while a writer
process posts check-ins from four threads.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import cluster_key
from tests.factories import pacer_executable

AS_OF = "2026-11-15"
WRITER_THREADS = 4

WRITER = r"""
import os, sys, threading, time
from decimal import Decimal
import django
django.setup()
from django.db import connection, transaction
from pacer.okrs import services
from pacer.okrs.errors import DomainError
from pacer.okrs.models import KeyResult

stop_file = sys.argv[1]
ids = list(
    KeyResult.objects.filter(type="metric", objective__cycle__state="active",
                             objective__archived_at__isnull=True).values_list("pk", flat=True)[:8]
)
connection.close()
written = [0] * THREADS
errors = []

def write(index):
    n = 0
    try:
        while not os.path.exists(stop_file):
            kr = KeyResult.objects.select_related("objective").get(pk=ids[n % len(ids)])
            try:
                with transaction.atomic():
                    services.checkin_create(key_result=kr, value=Decimal(n % 100), note="w")
                written[index] += 1
            except DomainError as error:
                errors.append(str(error))
                return
            n += 1
            time.sleep(0.01)  # a steady stream, not a flood
    finally:
        connection.close()

# A check-in's event links reverse a URL: load the URLconf (about 1 s, every view) before
# "started", as a running server has, so the writers are writing when the test reads.
from django.urls import get_resolver
get_resolver().url_patterns
threads = [threading.Thread(target=write, args=(i,)) for i in range(THREADS)]
for thread in threads:
    thread.start()
print("started", flush=True)
for thread in threads:
    thread.join()
print(sum(written), len(ids), "; ".join(errors[:3]), flush=True)
""".replace("THREADS", str(WRITER_THREADS))


class Install:
    """One Pacer install: a data folder and (optionally) a DATABASE_URL."""

    def __init__(self, data_dir: Path, database_url: str | None = None) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE")
        }
        self.env.update(PACER_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="pacer.settings")
        if database_url:
            self.env["DATABASE_URL"] = database_url

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*pacer_executable(), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if ok:
            assert result.returncode == 0, f"pacer {' '.join(args)}:\n{result.stderr}"
        return result

    def export(self) -> str:
        return self.run("export", "--format", "yaml", "--as-of", AS_OF).stdout

    def checkins(self) -> int:
        code = "import django; django.setup(); from pacer.okrs.models import CheckIn; "
        code += "print(CheckIn.objects.count())"
        result = subprocess.run(
            [sys.executable, "-c", code], env=self.env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return int(result.stdout)


@pytest.fixture(scope="module")
def new_install(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Callable[[str], Install]:
    """Makes empty installs of the engine under test: SQLite, or PostgreSQL when the suite
    runs on its cluster (each install then gets a new database there)."""
    cluster = request.config.stash.get(cluster_key, None)

    def make(name: str) -> Install:
        folder = tmp_path_factory.mktemp(name)
        if cluster is None:
            return Install(folder)
        import psycopg

        database = f"backup_{name}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(cluster.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{database}"')
        return Install(folder, cluster.url(database))

    return make


def make_demo(new_install: Callable[[str], Install]) -> tuple[Install, str]:
    source = new_install("source")
    source.run("migrate", "-v", "0")
    source.run("demo")
    return source, source.export()


@pytest.fixture(scope="module")
def demo(new_install: Callable[[str], Install]) -> tuple[Install, str]:
    """A demo install the tests only read from (backups, refused restores)."""
    return make_demo(new_install)


def test_native_backup_restores_to_the_same_export(
    demo: tuple[Install, str], new_install: Callable[[str], Install], tmp_path: Path
) -> None:
    source, exported = demo
    backup_file = tmp_path / "pacer.backup"
    out = source.run("backup", str(backup_file)).stdout
    assert ("(sqlite," in out) or ("(pg_dump," in out)

    target = new_install("target")
    target.run("migrate", "-v", "0")  # an empty but migrated database is fine too
    restored = target.run("restore", str(backup_file)).stdout
    assert "1 organization(s)" in restored
    assert target.export() == exported
    target.run("recompute", "--check")


def test_json_backup_restores_to_the_same_export(
    demo: tuple[Install, str], new_install: Callable[[str], Install], tmp_path: Path
) -> None:
    source, exported = demo
    backup_file = tmp_path / "pacer.json"
    assert "(json," in source.run("backup", "--format", "json", str(backup_file)).stdout

    target = new_install("target")  # not even migrated: restore migrates first
    target.run("restore", str(backup_file))
    assert target.export() == exported
    target.run("recompute", "--check")


def test_json_backup_moves_an_install_to_sqlite(demo: tuple[Install, str], tmp_path: Path) -> None:
    """Whatever the engine under test, its JSON backup restores into SQLite."""
    source, exported = demo
    backup_file = tmp_path / "move.json"
    source.run("backup", "--format", "json", str(backup_file))
    target = Install(tmp_path / "sqlite-target")
    target.run("restore", str(backup_file))
    assert target.export() == exported


def test_restore_refuses_a_database_that_holds_an_organization(
    demo: tuple[Install, str], tmp_path: Path
) -> None:
    source, exported = demo
    backup_file = tmp_path / "pacer.backup"
    source.run("backup", str(backup_file))
    result = source.run("restore", str(backup_file), ok=False)
    assert result.returncode == 1
    assert "not empty" in result.stderr
    assert source.export() == exported


def test_restore_refuses_what_is_not_a_backup(
    new_install: Callable[[str], Install], tmp_path: Path
) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    result = new_install("target").run("restore", str(junk), ok=False)
    assert result.returncode == 1
    assert "not a Pacer backup" in result.stderr


def test_a_sqlite_backup_names_its_engine_when_restored_elsewhere(
    new_install: Callable[[str], Install], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if request.config.stash.get(cluster_key, None) is None:
        pytest.skip("needs PostgreSQL (PACER_TEST_DB=postgres)")
    sqlite_install = Install(tmp_path / "sqlite")
    sqlite_install.run("migrate", "-v", "0")
    backup_file = tmp_path / "pacer.sqlite3"
    sqlite_install.run("backup", str(backup_file))
    result = new_install("target").run("restore", str(backup_file), ok=False)
    assert result.returncode == 1
    assert "SQLite database" in result.stderr


@pytest.mark.parametrize("fmt", ["auto", "json"])
def test_backup_while_check_ins_are_written_is_consistent(
    fmt: str, new_install: Callable[[str], Install], tmp_path: Path
) -> None:
    source, _ = make_demo(new_install)  # its own: the writers change it
    before = source.checkins()
    stop_file = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop_file)],
        env=source.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    backup_file = tmp_path / "during.backup"
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "started"
        time.sleep(0.5)  # let the writers get going
        just_before = source.checkins()
        source.run("backup", "--format", fmt, str(backup_file))
        just_after = source.checkins()
    finally:
        stop_file.touch()
        out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    written, key_results, problems = [*out.strip().split(" ", 2), ""][:3]
    assert int(key_results) > 0 and not problems.strip(), out
    assert source.checkins() == before + int(written)  # no writer failed silently
    assert before < just_before < just_after  # the writers wrote before and during the backup

    target = new_install(f"restored-{fmt}")
    target.run("restore", str(backup_file))
    target.run("recompute", "--check")  # every roll-up matches the check-ins it holds
    assert just_before <= target.checkins() <= just_after
