"""Fast writes for the generator: explicit primary keys, COPY on PostgreSQL, executemany on
SQLite, and a delete of one whole organization in dependency order."""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models

BATCH = 5000


def next_ids(*model_classes: type[models.Model]) -> dict[type[models.Model], int]:
    """The first free primary key of each table (rows of other organizations stay)."""
    first = {}
    for model in model_classes:
        top = model._default_manager.aggregate(top=models.Max("pk"))["top"]
        first[model] = (top or 0) + 1
    return first


def db_datetime(value: datetime) -> Any:
    """An aware datetime as the backend stores it (SQLite: naive UTC text)."""
    if connection.vendor == "sqlite":
        return str(value.astimezone(UTC).replace(tzinfo=None))
    return value


def column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


def insert(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert `rows` (values in the order of the field `names`); returns how many."""
    opts = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column(model, name)) for name in names)
    table = quote(opts.db_table)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(names))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        iterator = iter(rows)
        while batch := list(islice(iterator, BATCH)):
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def reset_sequences(*model_classes: type[models.Model]) -> None:
    """After explicit keys, PostgreSQL's sequences must move past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
