"""The dashboards' pages: reachable, private objectives in no number a viewer may not see,
the lists behind the numbers, query counts that do not grow with the data."""

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from pacer.insights.snapshots import write_snapshots
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_the_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is inside 2026-Q2 (the world's cycle)."""
    moment = datetime(2026, 5, 13, 10, 0, tzinfo=UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def client_for(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_pages_answer(world: World) -> None:
    write_snapshots(cycles=[world.cycle])
    client = client_for(world.admin)
    for url in (
        "/dashboard/",
        "/cycles/2026-q2/dashboard/",
        "/cycles/2026-q2/dashboard/teams/platform/",
        f"/cycles/2026-q2/dashboard/people/{world.owner.pk}/",
        "/cycles/2026-q2/dashboard/objectives/?status=on_track",
        "/cycles/2026-q2/dashboard/stale/?team=platform",
        "/cycles/2026-q2/dashboard/without-key-results/",
        "/cycles/2026-q2/dashboard/without-okrs/",
    ):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
