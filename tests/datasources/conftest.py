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
