"""The Review and Calibration pages: who may open them, what they show, how to reach them,
and the close page's miss reasons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from pacer.accounts.models import User
from pacer.okrs import services
from pacer.okrs.models import CheckIn, KeyResult
from tests.factories import World, fresh

pytestmark = pytest.mark.django_db


def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def closed_with_confidence(world: World) -> None:
    """adoption (owner's, score 0.3) and the secret key result get an "on track" check-in,
    then the cycle closes: each is one forecast of 0.9 that missed."""
    CheckIn.objects.filter(key_result=world.adoption).update(confidence="on_track")
    CheckIn.objects.create(
        key_result=world.secret_kr,
        value=1,
        confidence="on_track",
        at=datetime(2026, 5, 1, tzinfo=UTC),
    )
    services.cycle_close(cycle=world.cycle)


@pytest.mark.parametrize(
    ("viewer", "subject", "status"),
    [
        ("teammate", "teammate", 200),  # themself
        ("owner", "teammate", 200),  # the lead of their team
        ("admin", "teammate", 200),
        ("outsider", "teammate", 403),  # same organization, no lead of theirs
        ("teammate", "owner", 403),  # a teammate, not a lead
        ("stranger", "teammate", 404),  # another organization
    ],
)
def test_who_sees_a_persons_calibration(
    world: World, viewer: str, subject: str, status: int
) -> None:
    url = reverse("person_calibration", args=[getattr(world, subject).pk])
    assert client_for(getattr(world, viewer)).get(url).status_code == status


@pytest.mark.parametrize(
    ("viewer", "status"),
    [("owner", 200), ("admin", 200), ("teammate", 403), ("outsider", 403), ("stranger", 404)],
)
def test_who_sees_a_teams_calibration(world: World, viewer: str, status: int) -> None:
    url = reverse("team_calibration", args=[world.team.ref])
    assert client_for(getattr(world, viewer)).get(url).status_code == status


def test_the_calibration_page_shows_brier_and_count_without_hidden_objectives(
    world: World,
) -> None:
    closed_with_confidence(world)
    url = reverse("person_calibration", args=[world.owner.pk])
    own = client_for(world.owner).get(url).content.decode()
    assert 'data-testid="brier">0.810<' in own
    assert 'data-testid="brier-count">2<' in own  # adoption and the private one
    team = client_for(world.admin).get(reverse("team_calibration", args=[world.team.ref]))
    assert 'data-testid="brier-count">2<' in team.content.decode()
    assert "<svg" in own and "Perfect calibration" in own


def test_links_to_calibration_only_for_who_may_open_it(world: World) -> None:
    people = reverse("people")
    as_lead = client_for(world.owner).get(people).content.decode()
    assert reverse("person_calibration", args=[world.teammate.pk]) in as_lead
    assert reverse("person_calibration", args=[world.outsider.pk]) not in as_lead
    as_member = client_for(world.teammate).get(people).content.decode()
    assert reverse("person_calibration", args=[world.owner.pk]) not in as_member
    assert reverse("person_calibration", args=[world.teammate.pk]) in as_member
    team_page = reverse("team_detail", args=[world.team.ref])
    team_url = reverse("team_calibration", args=[world.team.ref])
    assert team_url in client_for(world.owner).get(team_page).content.decode()
    assert team_url not in client_for(world.teammate).get(team_page).content.decode()


def test_the_review_page_counts_only_what_the_viewer_sees(world: World) -> None:
    closed_with_confidence(world)
    KeyResult.objects.filter(pk=world.secret_kr.pk).update(miss_reason="external")
    url = reverse("cycle_review", args=[world.cycle.ref])
    outsider = client_for(world.outsider).get(url).content.decode()
    teammate = client_for(world.teammate).get(url).content.decode()
    assert "Buy Initech" not in outsider and "Sign the term sheet" not in outsider
    assert "1 key result scored below 0.7" in outsider
    assert "2 key results scored below 0.7" in teammate
    assert '<th scope="row">External factors</th><td>0</td>' in outsider
    assert '<th scope="row">External factors</th><td>1</td>' in teammate
    assert client_for(world.stranger).get(url).status_code == 404


def test_the_review_is_linked_from_the_cycle_pages(world: World) -> None:
    url = reverse("cycle_review", args=[world.cycle.ref])
    client = client_for(world.admin)
    assert url in client.get(reverse("cycle_overview", args=[world.cycle.ref])).content.decode()
    assert url in client.get(reverse("cycle_list")).content.decode()
    services.cycle_close(cycle=world.cycle)
    assert url in client.get(reverse("cycle_close", args=[world.cycle.ref])).content.decode()


def test_the_review_page_reads_in_a_constant_number_of_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    client = client_for(world.teammate)
    url = reverse("cycle_review", args=[world.cycle.ref])
    client.get(url)
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        assert client.get(url).status_code == 200


def test_the_close_page_sets_why_a_key_result_was_missed(world: World) -> None:
    services.cycle_close(cycle=world.cycle)
    client = client_for(world.admin)
    url = reverse("cycle_close", args=[world.cycle.ref])
    opened = client.get(url, {"open": world.public.pk}).content.decode()
    assert "Why “Adoption” was missed" in opened
    prefix = f"k{world.adoption.pk}"
    data = {"action": "miss_reason", "key_result": world.adoption.pk}
    refused = client.post(
        url, {**data, f"{prefix}-miss_reason": "other", f"{prefix}-miss_note": ""}
    )
    assert refused.status_code == 400
    assert "say in a note why" in refused.content.decode()
    assert fresh(world.adoption).miss_reason == ""
    saved = client.post(
        url, {**data, f"{prefix}-miss_reason": "other", f"{prefix}-miss_note": "Flooded"}
    )
    assert saved.status_code == 302
    assert (fresh(world.adoption).miss_reason, fresh(world.adoption).miss_note) == (
        "other",
        "Flooded",
    )
    assert "Other: Flooded" in client.get(url).content.decode()


def test_the_close_page_refuses_a_hidden_or_unknown_key_result(world: World) -> None:
    client = client_for(world.admin)
    url = reverse("cycle_close", args=[world.cycle.ref])
    for raw in ("", "abc", "999999", str(world.foreign.pk)):
        response = client.post(url, {"action": "miss_reason", "key_result": raw})
        assert response.status_code == 404


def test_the_review_offers_the_cycles_reports(world: World) -> None:
    page = client_for(world.teammate).get(reverse("cycle_review", args=[world.cycle.ref]))
    assert reverse("cycle_report", args=[world.cycle.ref, "xlsx"]) in page.content.decode()
