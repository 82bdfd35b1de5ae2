"""Read-only connections to the SQL sources of PACER_SQL_SOURCES: one per read, closed after.

Read-only is enforced by the connection itself, whatever the query says (the check of
sql.check_sql is for the person's sake; it is not the guard):

* SQLite: the file is opened through a `file:…?mode=ro` URI (the library refuses every
  write), with `PRAGMA query_only = ON`, no database may be attached, and an authorizer that
  allows reading and calling functions only. A progress handler aborts a statement that runs
  past its timeout.
* PostgreSQL: the session starts with `default_transaction_read_only=on` and a
  `statement_timeout`, then `SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY`; the query
  runs in a server-side cursor (DECLARE … CURSOR FOR: one SELECT, no data-modifying WITH)
  in a read-only transaction that is rolled back.

At most MAX_ROWS rows are fetched (enough to tell one row from several; on PostgreSQL the
others never leave the server). Errors never carry
the password of a source's URL.
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from pacer.datasources.reading import SourceFailed, shorten

if TYPE_CHECKING:
    import psycopg

MAX_ROWS = 2
SQLITE_PREFIX = "sqlite:///"
POSTGRES_SCHEMES = ("postgres", "postgresql")
CURSOR = "pacer_datasource"
PROGRESS_STEPS = 10_000  # SQLite virtual-machine steps between two looks at the clock
SQLITE_READS = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    sqlite3.SQLITE_RECURSIVE,
}


@dataclass(frozen=True)
class Rows:
    columns: int
    rows: list[tuple[Any, ...]]  # at most MAX_ROWS


def fetch(url: str, query: str, *, timeout: float) -> Rows:
    """Run `query` on a read-only connection to `url`: its first MAX_ROWS rows, or
    SourceFailed (a write, a timeout, any error) in words without the password."""
    if url.startswith(SQLITE_PREFIX):
        return fetch_sqlite(sqlite_path(url), query, timeout=timeout)
    if urlsplit(url).scheme in POSTGRES_SCHEMES:
        return fetch_postgres(url, query, timeout=timeout)
    raise SourceFailed("only sqlite:/// and postgres:// sources are supported")


def sqlite_path(url: str) -> str:
    """sqlite:////var/lib/pacer/metrics.db → /var/lib/pacer/metrics.db"""
    return unquote(url.removeprefix(SQLITE_PREFIX))


# --- SQLite ---------------------------------------------------------------------------------


def open_sqlite(path: str, *, timeout: float) -> sqlite3.Connection:
    """A connection that cannot write `path`, attach another file or run past `timeout`."""
    connection = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=timeout)
    try:
        connection.execute("PRAGMA query_only = ON")
        connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        connection.set_authorizer(only_reads)
        deadline = time.monotonic() + timeout
        connection.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def only_reads(action: int, *args: object) -> int:
    return sqlite3.SQLITE_OK if action in SQLITE_READS else sqlite3.SQLITE_DENY


def fetch_sqlite(path: str, query: str, *, timeout: float) -> Rows:
    try:
        connection = open_sqlite(path, timeout=timeout)
    except sqlite3.Error as error:
        raise SourceFailed(f"cannot open the SQLite database: {error}") from None
    started = time.monotonic()
    try:
        cursor = connection.execute(query)
        return Rows(len(cursor.description or ()), cursor.fetchmany(MAX_ROWS))
    except sqlite3.Error as error:
        if time.monotonic() - started >= timeout:
            raise SourceFailed(f"the query took longer than {timeout:g} s") from None
        raise SourceFailed(f"the query failed: {error}") from None
    finally:
        connection.close()


# --- PostgreSQL -----------------------------------------------------------------------------


def open_postgres(url: str, *, timeout: float) -> psycopg.Connection[Any]:
    """A session whose transactions are read-only and whose statements stop at `timeout`."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(url)
    ours = f"-c default_transaction_read_only=on -c statement_timeout={int(timeout * 1000)}"
    params["options"] = f"{params.get('options') or ''} {ours}".strip()
    params["connect_timeout"] = max(2, math.ceil(timeout))
    connection = psycopg.connect(**params, autocommit=True)  # type: ignore[arg-type]
    try:
        connection.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        connection.autocommit = False  # the query runs in a (read-only) transaction
    except psycopg.Error:
        connection.close()
        raise
    return connection


def fetch_postgres(url: str, query: str, *, timeout: float) -> Rows:
    import psycopg

    try:
        connection = open_postgres(url, timeout=timeout)
    except psycopg.Error as error:
        message = without_password(str(error), url)
        raise SourceFailed(f"cannot connect: {shorten(message, 300)}") from None
    try:
        # A server-side cursor: DECLARE takes one SELECT (or VALUES) without data-modifying
        # WITH, sent with the extended protocol (one statement, never several), and only
        # MAX_ROWS rows leave the server.
        with transaction_rolled_back(connection), connection.cursor(name=CURSOR) as cursor:
            cursor.execute(query)
            return Rows(len(cursor.description or ()), cursor.fetchmany(MAX_ROWS))
    except psycopg.errors.QueryCanceled:
        raise SourceFailed(f"the query took longer than {timeout:g} s") from None
    except psycopg.Error as error:
        message = without_password(str(error), url)
        raise SourceFailed(f"the query failed: {shorten(message, 300)}") from None
    finally:
        connection.close()


@contextlib.contextmanager
def transaction_rolled_back(connection: psycopg.Connection[Any]) -> Iterator[None]:
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            connection.rollback()


def without_password(message: str, url: str) -> str:
    """`message` with the URL's password (as written and decoded) replaced by ***."""
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    for secret in {password, unquote(password or "")} - {None, ""}:
        assert secret is not None
        message = message.replace(secret, "***")
    return message
