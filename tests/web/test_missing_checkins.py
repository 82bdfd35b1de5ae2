"""Who has not checked in: per person, stale key results of a cycle, for leads and admins.

People from the objective page tests' `world`; `teammate` becomes the platform team's lead.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pacer.okrs import services
from pacer.okrs.models import Membership, Objective, Team
from tests.web.test_objective_pages import (
    XSS,
    World,
    client_for,
    make_kr,
    make_objective,
    make_person,
    world,
)

pytestmark = pytest.mark.django_db
__all__ = ["world"]


def url(world: World) -> str:
    return reverse("missing_checkins", args=[world.quarter.ref])


def make_lead(world: World) -> None:
    Membership.objects.filter(team=world.platform, person=world.teammate).update(is_lead=True)


def check_in(kr: object, days_ago: int) -> None:
    at = timezone.now() - timedelta(days=days_ago)
    services.checkin_create(key_result=kr, value=Decimal(5), at=at)  # type: ignore[arg-type]


def sections(text: str) -> dict[str, str]:
    """Each person's section of the page, by the person's name."""
    parts = text.split('<section class="card missing-person"')[1:]
    return {re.search(r'<h2 id="missing-\d+">(.*?) <span', p).group(1): p for p in parts}  # type: ignore[union-attr]


def test_lists_stale_key_results_per_person(world: World) -> None:
    make_lead(world)
    objective = make_objective(world, "Platform goal")  # owned by Olivia
    make_kr(objective, "Never checked")
    stale = make_kr(objective, "Stale", owner=world.teammate)
    fresh = make_kr(objective, "Fresh", owner=world.teammate)
    make_kr(objective, XSS)
    check_in(stale, days_ago=8)
    check_in(fresh, days_ago=0)  # in the current weekly period, whatever the day
    make_kr(objective, "Linked", type="linked", linked_objective=make_objective(world, "Other"))
    make_kr(objective, "Moved by work", type="initiatives")  # no value to await, like linked
    archived = make_objective(world, "Archived goal", archived_at=timezone.now())
    make_kr(archived, "Archived KR")
    other_quarter = make_objective(world, "Later", cycle=world.next_quarter)
    make_kr(other_quarter, "Next quarter KR")

    response = client_for(world.teammate).get(url(world))
    assert response.status_code == 200
    text = response.content.decode()
    found = sections(text)
    assert set(found) == {"Olivia", "Tom"}
    for title in ("Never checked", "Stale", "&lt;img"):
        assert title in found["Olivia"]  # she owns the objective
    assert "Stale" in found["Tom"] and "Never checked" not in found["Tom"]
    for absent in ("Fresh", "Linked", "Moved by work", "Archived KR", "Next quarter KR", XSS):
        assert absent not in text
    assert "never checked in" in found["Olivia"]


def test_private_objectives_hidden_from_a_lead_outside_their_team(world: World) -> None:
    other_team = Team.objects.create(organization=world.organization, ref="growth", name="Growth")
    lead = make_person(world.organization, "Lea")
    Membership.objects.create(team=other_team, person=lead, is_lead=True)
    Membership.objects.create(team=other_team, person=world.owner)
    secret = make_objective(world, "Secret", visibility=Objective.Visibility.PRIVATE)
    make_kr(secret, "Secret KR")
    text = client_for(lead).get(url(world)).content.decode()
    assert "Secret" not in text


def test_only_leads_and_admins(world: World) -> None:
    assert client_for(world.owner).get(url(world)).status_code == 403
    assert client_for(world.admin).get(url(world)).status_code == 200
    overview = reverse("cycle_overview", args=[world.quarter.ref])
    assert url(world) not in client_for(world.owner).get(overview).content.decode()
    assert url(world) in client_for(world.admin).get(overview).content.decode()


def test_query_count_is_constant(world: World) -> None:
    make_lead(world)

    def grow(n: int) -> None:
        for i in range(n):
            person = make_person(world.organization, f"P{i}x{n}")
            Membership.objects.create(team=world.platform, person=person)
            objective = make_objective(world, f"Goal {i}-{n}", owner=person)
            make_kr(objective, "Mine", owner=person)
            make_kr(objective, "Teammate's", owner=world.teammate)

    def queries() -> tuple[int, int]:
        client = client_for(world.teammate)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url(world))
        assert response.status_code == 200
        return len(captured), response.content.decode().count("missing-person")

    grow(2)
    few, shown_few = queries()
    grow(12)
    many, shown_many = queries()
    assert shown_many > shown_few
    assert many == few
