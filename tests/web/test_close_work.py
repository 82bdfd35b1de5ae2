"""The close page lists each objective's initiatives in their final state, and unfinished
work can be carried over to the next cycle from there."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacer.initiatives import services as work
from pacer.initiatives.models import Initiative
from pacer.initiatives.services import InitiativeSpec
from pacer.okrs import services
from tests.factories import World, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> World:
    return make_world()


def client_for(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def start(world: World, title: str, kr: Any, status: str = "in_progress") -> Initiative:
    spec = InitiativeSpec(title=title, owner=world.owner, key_results=[kr], status=status)
    return work.initiative_create(cycle=world.cycle, spec=spec)


def close_page(world: World) -> str:
    url = reverse("cycle_close", args=[world.cycle.ref])
    return client_for(world.admin).get(url).content.decode()


def test_the_close_page_shows_work_and_carries_it_over(world: World) -> None:
    billing = start(world, "Migrate billing", world.adoption)
    start(world, "Old cleanup", world.adoption, status="done")
    start(world, "Zephyr diligence", world.secret_kr)
    services.cycle_close(cycle=world.cycle)
    page = close_page(world)
    assert "Migrate billing" in page and "Old cleanup" in page and "Zephyr diligence" in page
    assert page.count(">Carry over</button>") == 2  # done work is not carried
    url = reverse("initiative_carry_over", args=[billing.ref])
    back = reverse("cycle_close", args=[world.cycle.ref])
    refused = client_for(world.admin).post(url, {"next": back}, follow=True)
    assert "plan the cycle after 2026-Q2 first" in refused.content.decode()
    services.cycle_plan_next(cycle=world.cycle, carry=[(world.public, [world.adoption])])
    answer = client_for(world.owner).post(url, {"next": back})
    assert answer.status_code == 302 and answer["Location"] == back
    copy = Initiative.objects.get(carried_from=billing)
    assert copy.cycle.state == "planning"
    assert "carried over" in close_page(world)
    # someone who may not change it: 403; someone who may not see it: 404
    assert client_for(world.outsider).post(url).status_code == 403
    secret = Initiative.objects.get(title="Zephyr diligence")
    hidden = reverse("initiative_carry_over", args=[secret.ref])
    assert client_for(world.outsider).post(hidden).status_code == 404


def test_the_close_page_reads_work_in_a_fixed_number_of_queries(world: World) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            close_page(world)
        return len(captured)

    start(world, "One", world.adoption)
    few = queries()
    for n in range(8):
        start(world, f"More {n}", world.secret_kr if n % 2 else world.adoption)
    assert queries() == few
