"""sql sources on PostgreSQL (PACER_TEST_DB=postgres; skipped on SQLite): the test database's
server proves that the session refuses every write, whatever the query, and stops a long
statement at the timeout."""

import re
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection

from pacer.datasources import SourceFailed, read_sql
from pacer.datasources.connections import fetch, open_postgres

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = pytest.mark.skipif(
    not ON_POSTGRES, reason="the test database is not PostgreSQL (PACER_TEST_DB=postgres)"
)


def server_url(database: str) -> str:
    """A URL of `database` on the test database's server, from Django's connection settings."""
    given = connection.settings_dict
    user = quote(given["USER"] or "", safe="")
    password = f":{quote(given['PASSWORD'], safe='')}" if given["PASSWORD"] else ""
    host, port = given["HOST"] or "localhost", given["PORT"] or "5432"
    return f"postgresql://{user}{password}@{quote(host, safe='')}:{port}/{database}"


@pytest.fixture(scope="module")
def scratch_url() -> Iterator[str]:
    """A database of its own on the test server (Django's test database, migrated, is not
    needed: these tests make their tables outside its transactions)."""
    name = f"datasources_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url("postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield server_url(name)
    finally:
        with psycopg.connect(server_url("postgres"), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def warehouse(scratch_url: str, settings: Any) -> Iterator[str]:
    """A `signups_*` table of three rows (and a function adding one), in the source
    "warehouse"; yields the table's name."""
    table = f"signups_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(scratch_url, autocommit=True) as owner:
        owner.execute(f"CREATE TABLE {table} (id serial PRIMARY KEY, plan text, mrr numeric)")
        owner.execute(
            f"INSERT INTO {table} (plan, mrr) VALUES ('free', 0), ('team', 49.50), ('team', 49.50)"
        )
        owner.execute(  # a write a SELECT can reach
            f"CREATE FUNCTION {table}_add() RETURNS int LANGUAGE sql "
            f"AS $$ INSERT INTO {table} (plan, mrr) VALUES ('x', 1) RETURNING 1 $$"
        )
    settings.PACER_SQL_SOURCES = {"warehouse": scratch_url}
    try:
        yield table
    finally:
        with psycopg.connect(scratch_url, autocommit=True) as owner:
            owner.execute(f"DROP FUNCTION {table}_add(); DROP TABLE {table}")


def source_url() -> str:
    return str(django_settings.PACER_SQL_SOURCES["warehouse"])


def rows_of(table: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(source_url()) as owner:
        return owner.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def test_numbers_are_read_from_postgresql(warehouse: str) -> None:
    reading = read_sql("warehouse", f"SELECT count(*) FROM {warehouse}")
    assert reading.value == 3
    assert reading.detail == f"SQL warehouse: SELECT count(*) FROM {warehouse} → 3"
    assert read_sql("warehouse", f"SELECT sum(mrr) FROM {warehouse}").value == Decimal("99.00")


def test_the_session_is_read_only_and_bounded(warehouse: str, settings: Any) -> None:
    settings.PACER_SQL_TIMEOUT = 1.5
    flags = (
        "SELECT (current_setting('transaction_read_only') = 'on')::int"
        " + (current_setting('default_transaction_read_only') = 'on')::int"
        " + (current_setting('statement_timeout') = '1500ms')::int"
    )
    assert read_sql("warehouse", flags).value == 3


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        # DECLARE … CURSOR FOR takes a query, nothing else
        ("INSERT INTO {t} (plan, mrr) VALUES ('x', 1)", 'syntax error at or near "INSERT"'),
        ("UPDATE {t} SET mrr = 0", 'syntax error at or near "UPDATE"'),
        ("DELETE FROM {t}", 'syntax error at or near "DELETE"'),
        ("TRUNCATE {t}", 'syntax error at or near "TRUNCATE"'),
        ("DROP TABLE {t}", 'syntax error at or near "DROP"'),
        ("CREATE TABLE {t}_copy (n int)", 'syntax error at or near "CREATE"'),
        ("SET default_transaction_read_only = off", 'syntax error at or near "SET"'),
        ("WITH gone AS (DELETE FROM {t} RETURNING id) SELECT count(*) FROM gone", "data-modifying"),
        ("SELECT count(*) INTO {t}_copy FROM {t}", "SELECT ... INTO is not allowed"),
        # the extended protocol: one statement
        ("SELECT 1; DELETE FROM {t}", "cannot insert multiple commands"),
        # the read-only transaction, for writes a SELECT can reach
        ("SELECT {t}_add()", "cannot execute INSERT in a read-only transaction"),
        ("SELECT * FROM {t} FOR UPDATE", "cannot execute SELECT FOR UPDATE in a read-only"),
        ("SELECT nextval('{t}_id_seq')", "cannot execute nextval() in a read-only transaction"),
        ("SELECT set_config('transaction_read_only', 'off', true), {t}_add()", "read-write mode"),
    ],
)
def test_the_server_refuses_a_write_even_when_the_check_is_bypassed(
    warehouse: str, statement: str, refusal: str
) -> None:
    before = rows_of(warehouse)
    with pytest.raises(SourceFailed, match=re.escape(refusal)):
        fetch(source_url(), statement.format(t=warehouse), timeout=2)
    assert rows_of(warehouse) == before


def test_the_session_refuses_writes_underneath_the_cursor(warehouse: str) -> None:
    session = open_postgres(source_url(), timeout=2)
    try:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            session.execute(f"DELETE FROM {warehouse}")  # no DECLARE around it
    finally:
        session.close()
    assert len(rows_of(warehouse)) == 3


def test_a_long_statement_stops_at_the_timeout(warehouse: str, settings: Any) -> None:
    settings.PACER_SQL_TIMEOUT = 0.3
    started = time.monotonic()
    with pytest.raises(SourceFailed, match=re.escape("took longer than 0.3 s")):
        read_sql("warehouse", "SELECT count(*) FROM pg_sleep(5)")
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT true", "a true/false value (true), not a number"),
        ("SELECT NULL::int", "NULL"),
        ("SELECT 'forty-two'", "the text 'forty-two', not a number"),
        ("SELECT generate_series(1, 1000000)", "more than one row"),
        ("SELECT 1, 2", "one column; it returns 2"),
        ("SELECT 1 WHERE false", "no row"),
        ("SELECT 1/0", "the query failed: division by zero"),
    ],
)
def test_anything_but_one_number_fails(warehouse: str, query: str, message: str) -> None:
    with pytest.raises(SourceFailed, match=re.escape(message)):
        read_sql("warehouse", query)
