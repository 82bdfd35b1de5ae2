"""sql: one number from a SELECT on a read-only database connection named in the settings.

PACER_SQL_SOURCES names the connections an administrator trusts (`parse_sources` reads the
environment variable for settings.py); a source refers to one by name, never by URL, so
the people who configure key results never see a password. The query must be a single
SELECT (or WITH … SELECT) returning one row of one number; connections.py makes the
connection read-only and bounded whatever the query says.
"""

import re
from decimal import Decimal
from urllib.parse import urlsplit

import sqlparse
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from sqlparse import tokens
from sqlparse.exceptions import SQLParseError

from pacer.datasources import connections
from pacer.datasources.reading import (
    Reading,
    SourceFailed,
    SourceProblem,
    failed_if_invalid,
    number_from,
    shorten,
)

DEFAULT_TIMEOUT = 5.0  # seconds; settings.PACER_SQL_TIMEOUT overrides it
MAX_QUERY = 10_000
SOURCE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,49}$")
# A new entry starts at a comma followed by `name=scheme:`, so a URL may hold commas (a
# list of hosts, a password).
NEXT_ENTRY = re.compile(r",(?=[^,=/]*=\s*[A-Za-z][A-Za-z0-9+.-]*:)")
# Words that make a SELECT do more than read (SELECT … INTO creates a table, FOR UPDATE
# locks rows); DML and DDL keywords (a DELETE inside a WITH) are refused by their type.
NOT_READING = {"INTO", "ATTACH", "DETACH", "PRAGMA", "COPY", "LOCK", "GRANT", "REVOKE"}


def parse_sources(text: str) -> dict[str, str]:
    """PACER_SQL_SOURCES, "warehouse=postgres://reader:pw@db:5432/dw,local=sqlite:////x.db",
    as {name: URL}. ImproperlyConfigured (never showing a URL) when an entry is wrong."""
    sources: dict[str, str] = {}
    for number, entry in enumerate(NEXT_ENTRY.split(text.strip()) if text.strip() else [], 1):
        name, _, url = (part.strip() for part in entry.partition("="))
        if not SOURCE_NAME.match(name) or not url:
            raise ImproperlyConfigured(
                f"PACER_SQL_SOURCES: entry {number} is not name=URL (a name is letters, "
                "digits, - and _, starting with a letter)"
            )
        if name in sources:
            raise ImproperlyConfigured(f"PACER_SQL_SOURCES: {name} is named twice")
        if problem := url_problem(url):
            raise ImproperlyConfigured(f"PACER_SQL_SOURCES: {name}: {problem}")
        sources[name] = url
    return sources


def url_problem(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "the URL cannot be read"
    if parts.scheme == "sqlite":
        if not url.startswith(connections.SQLITE_PREFIX + "/"):
            return "an SQLite URL names an absolute path: sqlite:////path/to/file.db"
        return ""
    if parts.scheme in connections.POSTGRES_SCHEMES:
        return "" if parts.hostname else "a PostgreSQL URL names its host"
    return "only sqlite:/// and postgres:// URLs are supported"


def sources() -> dict[str, str]:
    return dict(getattr(settings, "PACER_SQL_SOURCES", {}))


def sql_databases() -> list[str]:
    """The names of the read-only connections configured in the settings."""
    return sorted(sources())


def timeout() -> float:
    return float(getattr(settings, "PACER_SQL_TIMEOUT", DEFAULT_TIMEOUT))


def check_sql(database: str, query: str) -> None:
    """SourceProblem unless `database` is configured and `query` is a single SELECT."""
    url_of(database)
    checked_query(query)


def read_sql(database: str, query: str) -> Reading:
    """The one number `query` returns on `database`; SourceFailed otherwise."""
    url = failed_if_invalid(url_of, database)
    text = failed_if_invalid(checked_query, query)
    try:
        rows = connections.fetch(url, text, timeout=timeout())
        number = single_value(rows)
    except SourceFailed as failed:
        raise SourceFailed(f"SQL {database}: {failed}") from None
    return Reading(number, f"SQL {database}: {shorten(text, 100)} → {number}")


def url_of(database: str) -> str:
    known = sources()
    if database in known:
        return known[database]
    if not known:
        raise SourceProblem(
            "database", "no SQL database is configured (an administrator sets PACER_SQL_SOURCES)"
        )
    raise SourceProblem(
        "database",
        f"unknown database {shorten(str(database), 50)!r}; choose among {', '.join(sorted(known))}",
    )


def checked_query(query: str) -> str:
    """The query, stripped, if it is one statement that can only read."""
    text = (query or "").strip()
    if not text:
        raise SourceProblem("query", "enter a SELECT query returning one number")
    if len(text) > MAX_QUERY:
        raise SourceProblem("query", f"the query is longer than {MAX_QUERY} characters")
    try:
        statements = [s for s in sqlparse.parse(text) if str(s).strip()]
    except SQLParseError as error:
        raise SourceProblem("query", f"the query cannot be read: {error}") from None
    if len(statements) != 1:
        raise SourceProblem("query", f"write exactly one statement (this holds {len(statements)})")
    [statement] = statements
    if statement.get_type() != "SELECT":
        raise SourceProblem("query", "only a SELECT (or WITH … SELECT) may read a source")
    for token in statement.flatten():
        word = token.normalized.upper()
        writes = token.ttype in tokens.Keyword.DML and word != "SELECT"
        if (
            writes
            or token.ttype in tokens.Keyword.DDL
            or (token.ttype in tokens.Keyword and word in NOT_READING)
        ):
            raise SourceProblem("query", f"the query may only read: {word} is not allowed")
    return text


def single_value(rows: connections.Rows) -> Decimal:
    if rows.columns != 1:
        raise SourceFailed(f"the query must return one column; it returns {rows.columns}")
    if not rows.rows:
        raise SourceFailed("the query returned no row; it must return exactly one")
    if len(rows.rows) > 1:
        raise SourceFailed("the query returned more than one row; it must return exactly one")
    [[value]] = rows.rows
    if value is None:
        raise SourceFailed("the query returned NULL, not a number")
    return number_from(value)
