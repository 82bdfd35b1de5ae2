"""Data sources: read one number for a metric key result from somewhere else.

Two kinds (KINDS): "http_json" (GET a URL, a JSONPath picks the value) and "sql" (a SELECT
on a read-only connection named in PACER_SQL_SOURCES). Pure: no models, no writes. For each
kind, `check_*` validates a configuration (SourceProblem, with the field to correct) and
`read_*` reads (a Reading, or SourceFailed for the sync log). docs/datasources.md.
"""

from typing import Any

from pacer.datasources.http_json import check_http_json, read_http_json
from pacer.datasources.reading import Reading, SourceFailed, SourceProblem
from pacer.datasources.sql import check_sql, parse_sources, read_sql, sql_databases

KINDS = ("http_json", "sql")

__all__ = [
    "KINDS",
    "Reading",
    "SourceFailed",
    "SourceProblem",
    "check",
    "check_http_json",
    "check_sql",
    "parse_sources",
    "preview",
    "read",
    "read_http_json",
    "read_sql",
    "sql_databases",
]


def check(kind: str, **config: Any) -> None:
    """SourceProblem unless `config` is a valid configuration of a source of `kind`."""
    if kind == "http_json":
        check_http_json(**config)
    elif kind == "sql":
        check_sql(**config)
    else:
        raise SourceProblem("kind", f"unknown kind {kind!r}; choose among {', '.join(KINDS)}")


def read(kind: str, **config: Any) -> Reading:
    """A Reading from a source of `kind`, or SourceFailed (the scheduled run)."""
    if kind == "http_json":
        return read_http_json(**config)
    if kind == "sql":
        return read_sql(**config)
    raise SourceFailed(f"unknown kind {kind!r}")


def preview(kind: str, **config: Any) -> Reading:
    """What the form shows before saving: SourceProblem for a wrong configuration, else the
    reading, or SourceFailed saying why there is none."""
    check(kind, **config)
    return read(kind, **config)
