"""The dashboards' pages: reachable, private objectives in no number a viewer may not see,
the lists behind the numbers, query counts that do not grow with the data."""

from datetime import UTC, date, datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pacer.insights.models import TvLink, WeeklySnapshot
from pacer.insights.snapshots import write_snapshots
from tests.factories import World, check_in, make_key_result, make_objective, make_team

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


def test_tv_link_shows_public_objectives_only_and_stops_when_revoked(world: World) -> None:
    admin = client_for(world.admin)
    response = admin.post("/cycles/2026-q2/dashboard/tv-links/", {"label": "Lobby"}, follow=True)
    assert response.status_code == 200
    url = response.context["new_tv_token"]
    assert url and "/tv/" in url
    path = url[url.index("/tv/") :]
    screen = Client().get(path)  # no session
    html = screen.content.decode()
    assert screen.status_code == 200 and 'http-equiv="refresh"' in html
    assert "Buy Initech" not in html and "Sign the term sheet" not in html
    board = screen.context["board"]
    assert board.total == 1  # the public objective only, not the private one
    team_screen = Client().get(path + "1/")
    assert team_screen.status_code == 200 and team_screen.context["board"].total == 1
    assert Client().get("/tv/not-a-token/").status_code == 404
    link = TvLink.objects.get()
    assert link.token_hash not in path  # only the hash is stored
    admin.post(f"/cycles/2026-q2/dashboard/tv-links/{link.pk}/revoke/")
    assert Client().get(path).status_code == 410


def test_only_admins_manage_tv_links(world: World) -> None:
    response = client_for(world.owner).post("/cycles/2026-q2/dashboard/tv-links/", {"label": "x"})
    assert response.status_code == 403 and not TvLink.objects.exists()


def test_private_objectives_reach_no_number_an_outsider_sees(world: World) -> None:
    write_snapshots(cycles=[world.cycle])
    outsider = client_for(world.outsider).get("/cycles/2026-q2/dashboard/")
    admin = client_for(world.admin).get("/cycles/2026-q2/dashboard/")
    assert outsider.context["board"].total == 1 and admin.context["board"].total == 2
    assert [w.objectives for w in outsider.context["board"].trend] == [1]
    assert [w.objectives for w in admin.context["board"].trend] == [2]
    listed = client_for(world.outsider).get("/cycles/2026-q2/dashboard/objectives/")
    assert "Buy Initech" not in listed.content.decode()


def test_snapshots_command_writes_the_week_once(world: World) -> None:
    call_command(
        "snapshots", "write", "--cycle", "2026-q2", "--organization", "Acme", stdout=StringIO()
    )
    call_command("snapshots", "write", stdout=StringIO())  # the same week: replaced
    rows = WeeklySnapshot.objects.filter(cycle=world.cycle)
    assert {(r.team_id, r.scope, r.objectives) for r in rows} == {
        (world.team.pk, "all", 2),
        (world.team.pk, "public", 1),
    }
    with pytest.raises(CommandError):
        call_command(
            "snapshots", "write", "--cycle", "nope", "--organization", "Acme", stdout=StringIO()
        )


def more_data(world: World, n: int) -> None:
    teams = [make_team(world.org, f"t{n}-{i}", members=(world.teammate,)) for i in range(n)]
    for i in range(n * 3):
        o = make_objective(world.cycle, f"extra-{n}-{i}", world.teammate, team=teams[i % n])
        kr = make_key_result(o, f"kr-{n}-{i}")
        check_in(kr, 10, date(2026, 5, 1))


DASHBOARD_URLS = (
    "/cycles/2026-q2/dashboard/",
    "/cycles/2026-q2/dashboard/teams/platform/",
    "/cycles/2026-q2/dashboard/objectives/?status=at_risk",
    "/cycles/2026-q2/dashboard/stale/",
    "/cycles/2026-q2/dashboard/without-okrs/",
)


def query_counts(client: Client) -> list[int]:
    counts = []
    for url in DASHBOARD_URLS:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        counts.append(len(captured))
    return counts


def test_query_counts_do_not_grow_with_the_data(world: World) -> None:
    write_snapshots(cycles=[world.cycle])
    client = client_for(world.admin)
    client.get("/cycles/2026-q2/dashboard/")  # warm the session
    more_data(world, 2)
    write_snapshots(cycles=[world.cycle])
    smaller = query_counts(client)
    more_data(world, 6)
    write_snapshots(cycles=[world.cycle])
    assert query_counts(client) == smaller
