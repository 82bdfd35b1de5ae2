"""The Work timeline of a cycle: the initiatives the reader may see as bars from start to due,
with the Work page's filters and paging, escaped titles and a fixed number of queries."""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacer.initiatives import services
from pacer.initiatives.models import Initiative
from pacer.initiatives.services import InitiativeSpec
from tests.factories import World, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> World:
    return make_world()


def start(world: World, title: str, kr: Any, **fields: Any) -> Initiative:
    spec = InitiativeSpec(title=title, owner=world.owner, key_results=[kr], **fields)
    return services.initiative_create(cycle=world.cycle, spec=spec)


def timeline(world: World, person: Any, query: str = "") -> str:
    client = Client()
    client.force_login(person)
    answer = client.get(reverse("cycle_work_timeline", args=[world.cycle.ref]) + query)
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_admin_sees_bars_for_the_work_and_the_outsider_not_the_private(world: World) -> None:
    onboarding = start(
        world, "Roll out onboarding", world.adoption, start=date(2026, 4, 10), due=date(2026, 5, 20)
    )
    start(world, "Zephyr diligence", world.secret_kr, status="blocked")
    page = timeline(world, world.admin)
    assert 'role="img"' in page and '<title id="work-timeline-title">' in page
    assert page.count('<rect class="tl-bar ') == 2 + 6  # two bars, six legend swatches
    assert '<rect class="tl-bar blocked open"' in page  # no dates: dashed to the edges
    assert reverse("initiative_detail", args=[onboarding.ref]) in page
    assert "Apr 2026" in page and "Jun 2026" in page
    hidden = timeline(world, world.outsider)
    assert "Roll out onboarding" in hidden and "Zephyr diligence" not in hidden


def test_filters_apply_and_a_title_with_markup_is_escaped(world: World) -> None:
    start(world, "<script>alert(1)</script> & co", world.adoption)
    start(world, "Done already", world.adoption, status="done")
    page = timeline(world, world.admin, "?status=planned")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "Done already" not in page


def test_the_work_page_links_to_the_timeline_keeping_its_filters(world: World) -> None:
    client = Client()
    client.force_login(world.admin)
    page = client.get(reverse("cycle_work", args=[world.cycle.ref]) + "?status=blocked")
    url = reverse("cycle_work_timeline", args=[world.cycle.ref])
    assert f'href="{url}?status=blocked">Timeline</a>' in page.content.decode()


def test_the_timeline_reads_in_a_fixed_number_of_queries(world: World) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            timeline(world, world.teammate)
        return len(captured)

    start(world, "One", world.adoption)
    few = queries()
    for n in range(8):
        start(
            world, f"More {n}", world.secret_kr if n % 2 else world.adoption, due=date(2026, 6, 1)
        )
    assert queries() == few
