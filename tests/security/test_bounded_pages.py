"""The weekly check-in page and My focus stay the same size whatever a person owns.

The review's measurement: with 1,000 objectives `/checkin/` took 2.74 s and 3.8 MB, `/`
1.38 s and 5.6 MB, growing with the data. Now the check-in page shows one page of key
results (with links to the others) and My focus shows the first few of each list with a
link to all of them: the same number of queries and about the same size at 20 objectives
and at 1,000.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pacer.accounts.models import User
from pacer.okrs.models import Cycle, KeyResult, Objective
from pacer.web.views.checkin import CHECKIN_PAGE_SIZE
from pacer.web.views.overview import FOCUS_LIMIT
from tests.factories import make_cycle, make_organization, make_person, make_team

pytestmark = pytest.mark.django_db

SMALL, LARGE = 20, 1000


class Scene:
    """Olga owns objectives in the current quarter, each with two metrics she has not
    checked in on this week, a key result in Tom's objectives and team objectives that
    slip; `grow` adds more of each."""

    def __init__(self) -> None:
        org = make_organization()
        self.olga = make_person(org, "olga@acme.test")
        self.tom = make_person(org, "tom@acme.test")
        self.team = make_team(org, "core", members=(self.olga, self.tom))
        today = timezone.localdate()
        self.cycle = make_cycle(org, "now", today - timedelta(days=45), today + timedelta(days=45))
        self.count = 0

    def grow(self, to: int) -> None:
        objectives = Objective.objects.bulk_create(
            Objective(
                organization_id=self.cycle.organization_id,
                cycle=self.cycle,
                ref=f"goal-{n}",
                title=f"Goal {n:04}",
                owner=self.olga if n % 2 == 0 else self.tom,
                team=self.team,
                progress=Decimal("0.1"),  # behind: at risk or off track
            )
            for n in range(self.count, to)
        )
        KeyResult.objects.bulk_create(
            KeyResult(
                organization_id=self.cycle.organization_id,
                objective=objective,
                ref=f"{objective.ref}-{k}",
                title=f"{objective.title} metric {k}",
                start=Decimal(0),
                target=Decimal(100),
                current=Decimal(0),
                position=k,
                owner=self.olga if k == 1 else None,
            )
            for objective in objectives
            for k in range(2)
        )
        self.count = to
        if connection.vendor == "postgresql":
            # As autovacuum would after such growth: with the statistics of the tables as
            # earlier tests left them, the planner may pick a plan made for a few rows.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE okrs_objective, okrs_keyresult")


def measure(person: User, url: str) -> tuple[int, int]:
    client = Client()
    client.force_login(person)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.content)


@pytest.fixture
def scene() -> Scene:
    scene = Scene()
    scene.grow(SMALL)
    return scene


@pytest.mark.parametrize("url", [reverse("checkin_week"), reverse("focus")])
def test_same_queries_and_bounded_size_at_twenty_and_a_thousand(scene: Scene, url: str) -> None:
    small_queries, small_size = measure(scene.olga, url)
    scene.grow(LARGE)
    large_queries, large_size = measure(scene.olga, url)
    assert large_queries == small_queries
    assert large_size < 1.5 * small_size
    assert large_size < 250_000


def test_the_checkin_page_pages_through_everything(scene: Scene) -> None:
    client = Client()
    client.force_login(scene.olga)
    scene.grow(LARGE)
    first = client.get(reverse("checkin_week")).content.decode()
    assert first.count('name="kr') == CHECKIN_PAGE_SIZE * 3  # value, confidence, note
    assert "?page=2" in first and f"of {2 * LARGE}" in first
    last_page = -(-2 * LARGE // CHECKIN_PAGE_SIZE)
    last = client.get(reverse("checkin_week") + f"?page={last_page}").content.decode()
    # What awaits Olga comes first (her objectives' and her own key results), the rest last.
    assert "Goal 0999 metric 0" in last and "Goal 0000" not in last


def test_a_save_from_a_later_page_saves_its_rows_and_comes_back(scene: Scene) -> None:
    scene.grow(LARGE)
    client = Client()
    client.force_login(scene.olga)
    url = reverse("checkin_week") + "?page=3"
    page = client.get(url).content.decode()
    kr = KeyResult.objects.get(title="Goal 0070 metric 0")  # awaiting: 3 rows per 2 goals
    assert f'name="kr{kr.pk}-value"' in page
    response = client.post(url, {f"kr{kr.pk}-value": "12"})
    assert response.status_code == 302 and response["Location"] == url
    assert KeyResult.objects.get(pk=kr.pk).current == Decimal(12)


def test_a_save_takes_only_key_results_the_person_checks_in_on(scene: Scene) -> None:
    other_cycle = Cycle.objects.create(
        organization_id=scene.cycle.organization_id,
        ref="closed",
        name="Closed",
        start=scene.cycle.start,
        end=scene.cycle.end,
        state=Cycle.State.CLOSED,
    )
    closed = Objective.objects.create(
        organization_id=scene.cycle.organization_id, cycle=other_cycle, ref="old",
        title="Old", owner=scene.olga,
    )  # fmt: skip
    kr = KeyResult.objects.create(
        organization_id=closed.organization_id, objective=closed, ref="old-kr", title="Old KR",
        start=0, target=100,
    )  # fmt: skip
    client = Client()
    client.force_login(scene.olga)
    client.post(reverse("checkin_week"), {f"kr{kr.pk}-value": "50"})
    assert not kr.checkins.exists()


def test_focus_shows_the_first_of_each_list_and_links_to_all(scene: Scene) -> None:
    scene.grow(LARGE)
    client = Client()
    client.force_login(scene.olga)
    page = client.get(reverse("focus")).content.decode()
    mine = page.split('id="mine-heading"', 1)[1].split("</section>", 1)[0]
    assert mine.count('class="card objective-card"') == FOCUS_LIMIT
    overview = reverse("cycle_overview", args=[scene.cycle.ref])
    assert f"{overview}?owner=olga%40acme.test" in mine and f"{LARGE // 2}" in mine
    awaiting = page.split('id="awaiting-heading"', 1)[1].split("</section>", 1)[0]
    assert awaiting.count("<tr") <= FOCUS_LIMIT + 1 and 'href="/checkin/"' in awaiting
    slipping = page.split('id="slipping-heading"', 1)[1].split("</section>", 1)[0]
    assert slipping.count("<tr") <= FOCUS_LIMIT + 1
    assert f"{overview}?status=" in slipping
