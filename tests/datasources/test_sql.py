"""sql sources on SQLite files made by the tests: one number from a SELECT, the check of the
query, and the read-only connection that holds even when the check is bypassed."""

import hashlib
import re
import sqlite3
import time
import traceback
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from pacer.datasources import (
    SourceFailed,
    SourceProblem,
    check_sql,
    parse_sources,
    preview,
    read_sql,
    sql_databases,
)
from pacer.datasources.connections import fetch, open_sqlite


@pytest.fixture
def warehouse(tmp_path: Path, settings: Any) -> Path:
    """metrics.db with three signups, configured as the source "warehouse"."""
    path = tmp_path / "metrics.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE signups (id INTEGER PRIMARY KEY, plan TEXT, mrr REAL)")
        connection.executemany(
            "INSERT INTO signups (plan, mrr) VALUES (?, ?)",
            [("free", 0), ("team", 49.5), ("team", 49.5)],
        )
        connection.execute("CREATE TABLE odd (n INTEGER, label TEXT, blob BLOB)")
        connection.execute("INSERT INTO odd VALUES (NULL, 'forty-two', x'00ff')")
    connection.close()
    settings.PACER_SQL_SOURCES = {"warehouse": f"sqlite:///{path}", "local": "sqlite:////x.db"}
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_count_is_read_with_where_it_came_from(warehouse: Path) -> None:
    reading = read_sql("warehouse", "SELECT count(*) FROM signups")
    assert reading.value == 3
    assert reading.detail == "SQL warehouse: SELECT count(*) FROM signups → 3"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("select sum(mrr) from signups where plan = 'team'", "99.0"),
        ("WITH paying AS (SELECT * FROM signups WHERE mrr > 0) SELECT count(*) FROM paying", "2"),
        (
            "SELECT 100.0 * count(*) FILTER (WHERE mrr > 0) / count(*) FROM signups;",
            "66.66666666666667",
        ),
        ("SELECT '42.5'", "42.5"),  # numeric text is a number, as in http_json
        ("-- signups\nSELECT count(*)\n  FROM signups -- all of them\n", "3"),
    ],
)
def test_selects_that_return_one_number(warehouse: Path, query: str, expected: str) -> None:
    assert str(read_sql("warehouse", query).value) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("INSERT INTO signups (plan) VALUES ('x')", "only a SELECT"),
        ("UPDATE signups SET mrr = 0", "only a SELECT"),
        ("DELETE FROM signups", "only a SELECT"),
        ("DROP TABLE signups", "only a SELECT"),
        ("CREATE TABLE t AS SELECT 1", "only a SELECT"),
        ("REPLACE INTO signups (plan) VALUES ('x')", "only a SELECT"),
        ("ATTACH DATABASE '/tmp/other.db' AS other", "only a SELECT"),
        ("PRAGMA query_only = OFF", "only a SELECT"),
        ("VACUUM", "only a SELECT"),
        ("SELECT 1; DELETE FROM signups", "exactly one statement (this holds 2)"),
        ("SELECT 1; SELECT 2", "exactly one statement (this holds 2)"),
        (
            "WITH gone AS (DELETE FROM signups RETURNING id) SELECT count(*) FROM gone",
            "DELETE is not allowed",
        ),
        ("SELECT count(*) INTO copy FROM signups", "INTO is not allowed"),
        ("SELECT * FROM signups FOR UPDATE", "UPDATE is not allowed"),
        ("", "enter a SELECT"),
        ("  ;  ", "only a SELECT"),
        ("SELECT " + "1 + " * 5000 + "1", "longer than 10000"),
    ],
)
def test_the_check_refuses_anything_but_a_single_select(
    warehouse: Path, query: str, message: str
) -> None:
    with pytest.raises(SourceProblem, match=re.escape(message)) as problem:
        check_sql("warehouse", query)
    assert problem.value.field == "query"
    with pytest.raises(SourceFailed, match="the source's query is not valid"):
        read_sql("warehouse", query)
    assert read_sql("warehouse", "SELECT count(*) FROM signups").value == 3


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO signups (plan, mrr) VALUES ('x', 1)",
        "UPDATE signups SET mrr = 0",
        "DELETE FROM signups",
        "DROP TABLE signups",
        "CREATE TABLE t (n)",
        "CREATE INDEX signups_plan ON signups (plan)",
        "WITH gone AS (SELECT 1) DELETE FROM signups",
        "PRAGMA user_version = 7",
        "PRAGMA query_only = OFF",
        "PRAGMA journal_mode = WAL",
        "VACUUM",
        "ATTACH DATABASE ':memory:' AS scratch",
        "SELECT 1; DELETE FROM signups",
        "BEGIN IMMEDIATE",
    ],
)
def test_the_connection_refuses_a_write_even_when_the_check_is_bypassed(
    warehouse: Path, statement: str
) -> None:
    before = digest(warehouse)
    with pytest.raises(SourceFailed):
        fetch(f"sqlite:///{warehouse}", statement, timeout=2)
    assert digest(warehouse) == before
    assert read_sql("warehouse", "SELECT count(*) FROM signups").value == 3


def test_the_file_is_opened_read_only_underneath_the_authorizer(warehouse: Path) -> None:
    connection = open_sqlite(str(warehouse), timeout=2)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
            connection.execute("PRAGMA query_only")  # the authorizer lets reads through only
        connection.set_authorizer(None)
        assert connection.execute("PRAGMA query_only").fetchone() == (1,)
        connection.execute("PRAGMA query_only = OFF")  # both outer guards gone: the mode holds
        with pytest.raises(sqlite3.OperationalError, match="readonly database"):
            connection.execute("DELETE FROM signups")
    finally:
        connection.close()


def test_a_missing_file_fails_and_is_not_created(tmp_path: Path, settings: Any) -> None:
    missing = tmp_path / "missing.db"
    settings.PACER_SQL_SOURCES = {"gone": f"sqlite:///{missing}"}
    with pytest.raises(SourceFailed, match="SQL gone: cannot open the SQLite database"):
        read_sql("gone", "SELECT 1")
    assert not missing.exists()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT plan FROM signups", "more than one row"),
        ("SELECT count(*), sum(mrr) FROM signups", "one column; it returns 2"),
        ("SELECT id FROM signups WHERE plan = 'none'", "no row"),
        ("SELECT n FROM odd", "NULL"),
        ("SELECT max(mrr) FROM signups WHERE 0", "NULL"),
        ("SELECT label FROM odd", "the text 'forty-two', not a number"),
        ("SELECT blob FROM odd", "binary data, not a number"),
        ("SELECT count(*) FROM nowhere", "the query failed: no such table: nowhere"),
    ],
)
def test_anything_but_one_number_fails(warehouse: Path, query: str, message: str) -> None:
    with pytest.raises(SourceFailed, match=re.escape(message)) as failed:
        read_sql("warehouse", query)
    assert str(failed.value).startswith("SQL warehouse: ")


def test_a_runaway_query_stops_at_the_timeout(warehouse: Path, settings: Any) -> None:
    settings.PACER_SQL_TIMEOUT = 0.3
    endless = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    )
    started = time.monotonic()
    with pytest.raises(SourceFailed, match=re.escape("took longer than 0.3 s")):
        read_sql("warehouse", endless)
    assert time.monotonic() - started < 2


def test_an_unknown_database_is_a_problem_listing_the_configured_ones(warehouse: Path) -> None:
    assert sql_databases() == ["local", "warehouse"]
    with pytest.raises(
        SourceProblem, match="unknown database 'default'; choose among local, warehouse"
    ) as problem:
        check_sql("default", "SELECT 1")
    assert problem.value.field == "database"
    with pytest.raises(SourceFailed, match="the source's database is not valid"):
        read_sql("default", "SELECT 1")  # e.g. removed from the settings after it was saved


def test_without_sources_the_problem_names_the_setting(settings: Any) -> None:
    del settings.PACER_SQL_SOURCES
    assert sql_databases() == []
    with pytest.raises(SourceProblem, match="PACER_SQL_SOURCES"):
        check_sql("warehouse", "SELECT 1")


def test_preview_checks_then_reads(warehouse: Path) -> None:
    assert preview("sql", database="warehouse", query="SELECT count(*) FROM signups").value == 3
    with pytest.raises(SourceProblem) as problem:
        preview("sql", database="warehouse", query="DELETE FROM signups")
    assert problem.value.field == "query"
    with pytest.raises(SourceFailed, match="more than one row"):
        preview("sql", database="warehouse", query="SELECT id FROM signups")


@pytest.mark.parametrize(
    "url",
    [
        "postgres://reader:s3cret-pw@127.0.0.1:1/dw",
        "postgresql://reader:s3cret%2Fpw@127.0.0.1:1/dw?sslmode=disable",
        "postgres://reader:s3cret-pw@127.0.0.1:1/dw?bogus_option=1",
        "postgres://reader:s3cret pw@127.0.0.1:1/dw",  # libpq's own message quotes it
    ],
)
def test_a_connection_error_never_shows_the_password(settings: Any, url: str) -> None:
    settings.PACER_SQL_SOURCES = {"warehouse": url}
    with pytest.raises(SourceFailed, match="SQL warehouse: cannot connect") as failed:
        read_sql("warehouse", "SELECT 1")
    assert "s3cret" not in "".join(traceback.format_exception(failed.value))


def test_sources_are_parsed_from_the_environment_variable() -> None:
    text = (
        " warehouse=postgres://reader:p,w@db1.example.com:5432,db2.example.com/dw ,"
        "local=sqlite:////var/lib/pacer/metrics.db,"
        "read-replica = postgresql://reader@10.0.0.5/app?sslmode=require"
    )
    assert parse_sources(text) == {
        "warehouse": "postgres://reader:p,w@db1.example.com:5432,db2.example.com/dw",
        "local": "sqlite:////var/lib/pacer/metrics.db",
        "read-replica": "postgresql://reader@10.0.0.5/app?sslmode=require",
    }
    assert parse_sources("") == parse_sources("  ") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("postgres://reader:s3cret@db/dw", "entry 1 is not name=URL"),
        ("ok=sqlite:////a.db,=postgres://reader:s3cret@db/dw", "entry 2 is not name=URL"),
        ("a=sqlite:////a.db,a=sqlite:////b.db", "a is named twice"),
        ("a=mysql://reader:s3cret@db/dw", "a: only sqlite:/// and postgres:// URLs"),
        ("a=sqlite:///relative.db", "a: an SQLite URL names an absolute path"),
        ("a=postgres:///dw", "a: a PostgreSQL URL names its host"),
        ("a=sqlite:////a.db,bad name=postgres://reader:s3cret@db/dw", "entry 2 is not"),
        ("a=postgres://reader:s3cret@[db/dw", "a: the URL cannot be read"),
    ],
)
def test_a_wrong_sources_setting_is_refused_without_showing_it(text: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)) as refused:
        parse_sources(text)
    assert "s3cret" not in str(refused.value)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT count(*) FROM signups WHERE created_at >= date '2026-07-01'",
        "SELECT 100.0 * count(*) FILTER (WHERE plan <> 'free') / count(*) FROM accounts",
        "WITH active AS (SELECT DISTINCT user_id FROM events WHERE at > now() - interval '7 days')"
        "\nSELECT count(*) FROM active",
        "SELECT sum(length(replace(name, 'a', ''))) FROM t",  # replace() is not REPLACE INTO
        "SELECT count(*) FROM t WHERE status = 'update' AND set_id = 1",
        'SELECT count(*) FROM "update"',
        "SELECT max(updated_at) FROM t",
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM latency",
        "SELECT avg(score)::numeric(10,2) FROM nps;",
    ],
)
def test_everyday_selects_pass_the_check(warehouse: Path, query: str) -> None:
    check_sql("warehouse", query)
