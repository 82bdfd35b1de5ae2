"""`pacer backup` and `pacer restore` (docs/operations.md).

Three backup formats, recognized on restore by their first bytes:

* sqlite: a copy of the SQLite database made with SQLite's online backup API, a consistent
  snapshot even while the app is writing (WAL lets the copy read while others write).
* pg_dump: PostgreSQL's custom format (`pg_dump --format=custom`), one consistent snapshot,
  restored with `pg_restore --no-owner`.
* json: Pacer's own tables as Django fixtures (`dumpdata`), read in one REPEATABLE READ
  transaction so they are consistent too; restored with `loaddata` in one transaction. It works
  with any database, so it also moves an install between SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.db import connections, transaction

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
FORMATS = ("auto", "sqlite", "pg_dump", "json")
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
# Besides Pacer's own apps: the change history, if installed.
EXTRA_APPS = ("auditlog",)


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


# --- where things are ------------------------------------------------------------------------


def vendor(using: str = "default") -> str:
    return connections[using].vendor


def find_program(name: str) -> str | None:
    """`pg_dump` / `pg_restore`: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = [Path(p) / name for p in glob.glob(PG_BIN_GLOB) if (Path(p) / name).exists()]
    if not candidates:
        return None
    return str(max(candidates, key=lambda p: [int(n) for n in re.findall(r"\d+", str(p))]))


def pacer_apps() -> list[str]:
    """The app labels whose rows make up a Pacer install (for the json format)."""
    labels = [
        config.label
        for config in apps.get_app_configs()
        if config.name.startswith("pacer.") and list(config.get_models())
    ]
    labels += [label for label in EXTRA_APPS if apps.is_installed(label)]
    return labels


def detect_format(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(64)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "pg_dump"
    if head.lstrip()[:1] in (b"[", b"{"):
        return "json"
    raise BackupError(f"{path} is not a Pacer backup (not SQLite, pg_dump custom or JSON).")


@contextlib.contextmanager
def replaced_atomically(target: Path) -> Iterator[Path]:
    """A temporary file beside `target` that replaces it only when the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    partial = Path(name)
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


# --- backup ----------------------------------------------------------------------------------


def backup(target: Path, fmt: str = "auto", using: str = "default") -> str:
    """Write a consistent snapshot of the database to `target`; returns the format used."""
    engine = vendor(using)
    if fmt == "auto":
        if engine == "sqlite":
            fmt = "sqlite"
        elif engine == "postgresql" and find_program("pg_dump"):
            fmt = "pg_dump"
        else:
            fmt = "json"
    if fmt == "sqlite" and engine != "sqlite":
        raise BackupError("--format sqlite needs a SQLite database; use pg_dump or json.")
    if fmt == "pg_dump" and engine != "postgresql":
        raise BackupError("--format pg_dump needs a PostgreSQL database; use sqlite or json.")
    with replaced_atomically(target) as partial:
        {"sqlite": backup_sqlite, "pg_dump": backup_pg_dump, "json": backup_json}[fmt](
            partial, using
        )
    return fmt


def backup_sqlite(partial: Path, using: str) -> None:
    connection = connections[using]
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("a backup cannot run inside a transaction")
    source: Any = connection.connection
    copy = sqlite3.connect(partial)
    try:
        # pages=-1: the whole database in one step, under one read transaction: a snapshot.
        source.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        (check,) = copy.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise BackupError(f"the copy failed SQLite's check: {check}")
    finally:
        copy.close()


def pg_environment(using: str) -> dict[str, str]:
    """libpq's environment variables for Django's connection settings."""
    config = connections[using].settings_dict
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", config.get("HOST")),
        ("PGPORT", config.get("PORT")),
        ("PGUSER", config.get("USER")),
        ("PGPASSWORD", config.get("PASSWORD")),
        ("PGDATABASE", config.get("NAME")),
        ("PGSSLMODE", config.get("OPTIONS", {}).get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def run_program(name: str, *args: str, using: str) -> None:
    program = find_program(name)
    if program is None:
        raise BackupError(
            f"{name} is not installed (PATH or {PG_BIN_GLOB}); install the PostgreSQL client "
            "or use --format json."
        )
    result = subprocess.run(
        [program, *args],
        env=pg_environment(using),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{name} failed: {result.stderr.strip() or result.stdout.strip()}")


def backup_pg_dump(partial: Path, using: str) -> None:
    run_program(
        "pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}",
        using=using,
    )  # fmt: skip


def backup_json(partial: Path, using: str) -> None:
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            # Every table read from the same snapshot, as pg_dump does.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # On SQLite the transaction alone keeps one snapshot (WAL readers see one state).
        call_command(
            "dumpdata",
            *pacer_apps(),
            database=using,
            natural_foreign=True,
            indent=1,
            output=str(partial),
            verbosity=0,
        )


# --- restore ---------------------------------------------------------------------------------


def organization_count(using: str) -> int:
    """How many organizations the database holds (0 if it has no tables yet)."""
    from pacer.okrs.models import Organization

    connection = connections[using]
    if Organization._meta.db_table not in connection.introspection.table_names():
        return 0
    return Organization.objects.using(using).count()


def restore(source: Path, using: str = "default", *, migrate: bool = True) -> str:
    """Restore `source` into the (empty) database; returns the backup's format."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    fmt = detect_format(source)
    if organization_count(using):
        raise BackupError(
            "the database is not empty (it holds an organization): restore only into a new, "
            "empty database (see docs/operations.md)."
        )
    engine = vendor(using)
    if fmt == "sqlite" and engine != "sqlite":
        raise BackupError(
            "this backup is a SQLite database: restore it with DATABASE_URL pointing to "
            "SQLite, or make a JSON backup (pacer backup --format json) to move databases."
        )
    if fmt == "pg_dump" and engine != "postgresql":
        raise BackupError(
            "this backup is a pg_dump archive: restore it into PostgreSQL, or make a JSON "
            "backup (pacer backup --format json) to move databases."
        )
    if fmt == "sqlite":
        restore_sqlite(source, using)
    elif fmt == "pg_dump":
        restore_pg_dump(source, using)
    else:
        restore_json(source, using)
    if migrate:  # a backup of an older release: bring its schema up to this one
        call_command("migrate", database=using, interactive=False, verbosity=0)
    return fmt


def restore_sqlite(source: Path, using: str) -> None:
    copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        (check,) = copy.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise BackupError(f"{source} failed SQLite's check: {check}")
        connection = connections[using]
        connection.ensure_connection()
        if connection.in_atomic_block:
            raise BackupError("a restore cannot run inside a transaction")
        # Replaces every page of the configured database (file or memory) with the backup's.
        copy.backup(connection.connection, pages=-1)
    finally:
        copy.close()
    connections[using].close()  # forget any cached schema state


def restore_pg_dump(source: Path, using: str) -> None:
    # The database may hold empty tables from `pacer migrate`: drop them so the archive's
    # schema and rows (its migration records included) come in whole.
    connection = connections[using]
    tables = connection.introspection.table_names()
    if tables:
        quote = connection.ops.quote_name
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS " + ", ".join(map(quote, tables)) + " CASCADE")
    connection.close()
    run_program(
        "pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
        "--exit-on-error", f"--dbname={connection.settings_dict['NAME']}", str(source),
        using=using,
    )  # fmt: skip


def restore_json(source: Path, using: str) -> None:
    call_command("migrate", database=using, interactive=False, verbosity=0)
    with tempfile.TemporaryDirectory() as folder:
        fixture = Path(folder) / "pacer-backup.json"  # loaddata knows the format by the suffix
        shutil.copyfile(source, fixture)
        with transaction.atomic(using=using):
            call_command("loaddata", str(fixture), database=using, verbosity=0)
