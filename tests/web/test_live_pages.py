"""Live pages (docs/live-pages.md): a live region's poll answers 304 until what the page shows
changes, then the fragment with a new ETag; one ETag per person; never moved by what the
person may not see; a few queries for the 304."""

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pacer.accounts.models import User
from pacer.okrs.models import Objective
from tests.factories import World, check_in, make_cycle, make_key_result, make_objective

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
ETAG = re.compile(r'data-live-etag="([^"]+)"')


def client_of(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def page_etag(client: Client, url: str) -> str:
    """The ETag the page writes into its live region (the page itself sends none)."""
    response = client.get(url)
    assert response.status_code == 200
    assert "ETag" not in response
    found = ETAG.search(response.content.decode())
    assert found, f"{url} has no live region"
    return found.group(1).replace("&quot;", '"')


def poll(client: Client, url: str, etag: str) -> Any:
    return client.get(url, headers={**HTMX, "If-None-Match": etag})


def objective_url(objective: Objective) -> str:
    return reverse("objective_detail", args=[objective.ref])


def cycle_url(world: World) -> str:
    return reverse("cycle_overview", args=[world.cycle.ref])


def dashboard_url(world: World) -> str:
    return reverse("dashboard_organization", args=[world.cycle.ref])


@pytest.mark.parametrize("page", ["objective", "cycle", "dashboard"])
def test_a_poll_is_304_until_a_check_in_then_the_new_value(world: World, page: str) -> None:
    urls = {
        "objective": objective_url(world.public),
        "cycle": cycle_url(world),
        "dashboard": dashboard_url(world),
    }
    url = urls[page]
    client = client_of(world.teammate)
    etag = page_etag(client, url)

    unchanged = poll(client, url, etag)
    assert unchanged.status_code == 304
    assert unchanged["ETag"] == etag
    assert not unchanged.content

    check_in(world.adoption, 72, date(2026, 5, 4))
    changed = poll(client, url, etag)
    assert changed.status_code == 200
    assert changed["ETag"] not in ("", etag)
    assert "private" in changed["Cache-Control"] and "no-cache" in changed["Cache-Control"]
    if page != "dashboard":  # 72 of 0 -> 90: 80 % (a dashboard counts statuses)
        assert "80%" in changed.content.decode()
    assert poll(client, url, changed["ETag"]).status_code == 304


def test_a_weak_etag_from_a_compressing_proxy_still_matches(world: World) -> None:
    client = client_of(world.owner)
    url = objective_url(world.public)
    etag = page_etag(client, url)
    assert poll(client, url, f"W/{etag}").status_code == 304


def test_a_plain_visit_with_the_etag_gets_the_page(world: World) -> None:
    """Only a poll may be answered 304: a page carries a CSRF token and one-off messages."""
    client = client_of(world.owner)
    url = objective_url(world.public)
    etag = page_etag(client, url)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_each_person_has_their_own_etag(world: World) -> None:
    url = objective_url(world.public)
    owner_tag = page_etag(client_of(world.owner), url)
    teammate_tag = page_etag(client_of(world.teammate), url)
    assert owner_tag != teammate_tag
    assert poll(client_of(world.teammate), url, owner_tag).status_code == 200


@pytest.mark.parametrize("page", ["objective", "cycle", "focus", "dashboard"])
def test_a_hidden_objectives_check_in_moves_nothing_for_who_cannot_see_it(
    world: World, page: str
) -> None:
    """The outsider may not see `private`: its check-in leaves their version as it was,
    while the owner, who sees it, gets the change."""
    today = timezone.localdate()
    now_cycle = make_cycle(world.org, "now", today - timedelta(days=10), today + timedelta(days=80))
    secret = make_objective(now_cycle, "secret-now", world.owner, team=world.team)
    secret.visibility = Objective.Visibility.PRIVATE
    secret.save()
    secret_kr = make_key_result(secret, "secret-now-kr", target=10)
    make_objective(now_cycle, "open-now", world.owner, team=world.team)
    urls = {
        "objective": objective_url(world.public),
        "cycle": reverse("cycle_overview", args=[now_cycle.ref]),
        "focus": reverse("focus"),
        "dashboard": reverse("dashboard_team", args=[now_cycle.ref, world.team.ref]),
    }
    url = urls[page]
    outsider, owner = client_of(world.outsider), client_of(world.owner)
    outsider_tag, owner_tag = page_etag(outsider, url), page_etag(owner, url)

    check_in(world.secret_kr, 1, date(2026, 5, 4))
    check_in(secret_kr, 7, today)

    assert poll(outsider, url, outsider_tag).status_code == 304
    if page != "objective":  # the public objective's page shows neither private objective
        assert poll(owner, url, owner_tag).status_code == 200


def test_a_hidden_objective_is_a_404_whatever_the_etag(world: World) -> None:
    url = objective_url(world.private)
    owner_tag = page_etag(client_of(world.owner), url)
    outsider = client_of(world.outsider)
    assert poll(outsider, url, owner_tag).status_code == 404
    assert poll(outsider, url, '"anything"').status_code == 404


def test_the_focus_page_follows_a_check_in_on_my_key_results(world: World) -> None:
    today = timezone.localdate()
    cycle = make_cycle(world.org, "now", today - timedelta(days=10), today + timedelta(days=80))
    mine = make_objective(cycle, "mine-now", world.owner, team=world.team)
    kr = make_key_result(mine, "mine-now-kr", target=10, owner=world.owner)
    client = client_of(world.owner)
    url = reverse("focus")
    etag = page_etag(client, url)
    assert poll(client, url, etag).status_code == 304
    check_in(kr, 5, today)
    changed = poll(client, url, etag)
    assert changed.status_code == 200
    assert 'id="focus-live"' in changed.content.decode()  # the page, for hx-select


@pytest.mark.parametrize("page", ["objective", "cycle", "focus", "dashboard"])
def test_the_304_costs_a_few_queries_however_much_there_is(world: World, page: str) -> None:
    """Session, person and the one version query (a dashboard: two, its snapshots apart);
    the same with 30 more key results and check-ins."""
    urls = {
        "objective": objective_url(world.public),
        "cycle": cycle_url(world),
        "focus": reverse("focus"),
        "dashboard": dashboard_url(world),
    }
    client = client_of(world.owner)

    def queries_of_a_304() -> int:
        etag = page_etag(client, urls[page])
        with CaptureQueriesContext(connection) as queries:
            assert poll(client, urls[page], etag).status_code == 304
        return len(queries)

    few = queries_of_a_304()
    for n in range(30):
        kr = make_key_result(world.public, f"more-{n}", target=10)
        check_in(kr, n % 10, date(2026, 5, 4))
    assert queries_of_a_304() == few <= (4 if page == "dashboard" else 3)


def test_live_regions_off_leave_the_pages_still(world: World, settings: Any) -> None:
    settings.PACER_LIVE_SECONDS = 0
    html = client_of(world.owner).get(cycle_url(world)).content.decode()
    assert "data-live" not in html
    assert 'id="cycle-results" aria-live="polite"' in html


def test_the_region_polls_its_own_page_at_the_setting(world: World, settings: Any) -> None:
    settings.PACER_LIVE_SECONDS = 7
    html = client_of(world.owner).get(objective_url(world.public)).content.decode()
    region = re.search(r'<div id="objective-live"[^>]*>', html)
    assert region
    assert 'hx-trigger="every 7s"' in region.group(0)
    assert f'hx-get="{objective_url(world.public)}"' in region.group(0)
    assert 'hx-disinherit="*"' in region.group(0)  # its forms keep their own targets


def test_a_dashboard_follows_the_snapshot_run(world: World) -> None:
    """The stored trends and participation change when the hourly run writes them: an open
    dashboard renders again then, though no objective moved."""
    from pacer.insights.snapshots import write_snapshots

    client = client_of(world.owner)
    etag = page_etag(client, dashboard_url(world))
    assert poll(client, dashboard_url(world), etag).status_code == 304
    write_snapshots(cycles=[world.cycle], now=timezone.now())
    assert poll(client, dashboard_url(world), etag).status_code == 200
