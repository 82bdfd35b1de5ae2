"""Fixtures of the tracker tests: one fake server per tracker (tests/trackers/fakes.py) on
127.0.0.1, allowed as an outgoing target for the test, and stopped after it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

import pytest

from tests.trackers.fakes import Fake, FakeGitHub, FakeGitLab, FakeJira, serve

F = TypeVar("F", bound=Fake)


def running(fake: F, settings: Any) -> Iterator[F]:
    settings.PACER_OUTBOUND_ALLOW = ["127.0.0.1"]
    server = serve(fake)
    try:
        yield fake
    finally:
        fake.released.set()  # let a stalled request go before the server stops
        server.shutdown()
        server.server_close()


@pytest.fixture
def github(settings: Any) -> Iterator[FakeGitHub]:
    yield from running(FakeGitHub(), settings)


@pytest.fixture
def gitlab(settings: Any) -> Iterator[FakeGitLab]:
    yield from running(FakeGitLab(), settings)


@pytest.fixture
def jira_cloud(settings: Any) -> Iterator[FakeJira]:
    yield from running(FakeJira(cloud=True), settings)


@pytest.fixture
def jira_server(settings: Any) -> Iterator[FakeJira]:
    yield from running(FakeJira(cloud=False), settings)
