"""The data sources' tests share one HTTP receiver (tests/servers.py) for the whole folder:
stopping a receiver takes half a second (its polling interval), which each test would pay."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.servers import HttpReceiver


@pytest.fixture(scope="session")
def shared_receiver() -> Iterator[HttpReceiver]:
    from tests.servers import start_http_receiver

    receiver, server = start_http_receiver()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http_receiver(shared_receiver: HttpReceiver, settings: Any) -> HttpReceiver:
    """tests/conftest.py's receiver (127.0.0.1 allowed as a target), emptied for each test."""
    with shared_receiver.lock:
        shared_receiver.documents.clear()
        shared_receiver.received.clear()
        shared_receiver.answers.clear()
    settings.PACER_OUTBOUND_ALLOW = [*settings.PACER_OUTBOUND_ALLOW, "127.0.0.1"]
    return shared_receiver


@pytest.fixture
def world(db: Any) -> Any:
    """tests/factories.py's world, its cycle running until two months from today (so a
    source's check-in lies in the key result's window)."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import fresh, make_world

    world = make_world()
    world.cycle.end = timezone.localdate() + timedelta(days=60)
    world.cycle.save(update_fields=["end"])
    world.adoption = fresh(world.adoption)
    world.public = fresh(world.public)
    return world


@pytest.fixture
def metrics_db(tmp_path: Any, settings: Any) -> Any:
    """A SQLite file with a `signups` table of three rows, configured as "warehouse"."""
    import sqlite3

    path = tmp_path / "metrics.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE signups (id INTEGER PRIMARY KEY, plan TEXT)")
        connection.executemany(
            "INSERT INTO signups (plan) VALUES (?)", [("free",), ("team",), ("team",)]
        )
    connection.close()
    settings.PACER_SQL_SOURCES = {"warehouse": f"sqlite:///{path}"}
    return path
