"""A busy database is not a bug: the edges answer 503 with Retry-After, never a 500.

A write waits for another's lock for a bounded time (SQLite's busy `timeout` in
settings.SQLITE_OPTIONS, PostgreSQL's `lock_timeout`), then the database gives up: SQLite
with "database is locked", PostgreSQL with a lock timeout. PostgreSQL may also abort a
transaction on a serialization failure or a deadlock. The transaction has been rolled back
by then, so nothing was written and the client may simply send the request again; the API
(pacer/api/errors.py) and the web (pacer/web/middleware.py) say so.
"""

from django.db import OperationalError

RETRY_AFTER_SECONDS = 5
# lock_not_available (lock_timeout), serialization_failure, deadlock_detected,
# query_canceled (statement_timeout, if an operator sets one).
POSTGRESQL_BUSY = {"55P03", "40001", "40P01", "57014"}
# SQLITE_BUSY and SQLITE_LOCKED, the primary codes of every extended "locked" code.
SQLITE_BUSY = {5, 6}
SQLITE_MESSAGES = ("database is locked", "database table is locked")


def is_busy(error: BaseException) -> bool:
    """Whether `error` says the database was busy (locked), rather than anything else."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None)  # psycopg
    if sqlstate is not None:
        return sqlstate in POSTGRESQL_BUSY
    code = getattr(cause, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in SQLITE_BUSY
    return str(error).startswith(SQLITE_MESSAGES)
