"""The weekly check-in page: every key result a person checks in on, in one form."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from pacer.okrs import services
from pacer.okrs.models import CheckIn, Cycle, Objective
from tests.web.test_objective_pages import World, client_for, make_kr, make_objective, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]  # the fixture, shared with the objective page tests

URL = reverse("checkin_week")


def test_lists_key_results_of_my_objectives_and_my_teams_only(world: World) -> None:
    mine = make_kr(make_objective(world, "Mine", team=None), "My KR")
    team = make_kr(make_objective(world, "Team's", owner=world.teammate), "Team KR")
    make_kr(make_objective(world, "Other", owner=world.outsider, team=None), "Other KR")
    html = client_for(world.owner).get(URL).content.decode()
    assert "My KR" in html and "Team KR" in html and "Other KR" not in html
    assert f'name="kr{mine.pk}-value"' in html and f'name="kr{team.pk}-value"' in html
    assert "autofocus" in html


def test_shows_last_value_confidence_and_note(world: World) -> None:
    kr = make_kr(make_objective(world))
    services.checkin_create(
        key_result=kr, value=Decimal(42), confidence="at_risk", note="Slow week", author=None
    )
    html = client_for(world.owner).get(URL).content.decode()
    assert "42 %" in html and "At risk" in html and "Slow week" in html


def test_closed_and_archived_objectives_are_left_out(world: World) -> None:
    closed_cycle = Cycle.objects.create(
        organization=world.organization,
        ref="old",
        name="Old",
        start=world.quarter.start,
        end=world.quarter.end,
        state=Cycle.State.CLOSED,
    )
    make_kr(make_objective(world, cycle=closed_cycle), "Closed KR")
    archived = make_objective(world, "Archived")
    Objective.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    make_kr(archived, "Archived KR")
    html = client_for(world.owner).get(URL).content.decode()
    assert "Closed KR" not in html and "Archived KR" not in html


def test_milestones_rows_take_no_value(world: World) -> None:
    kr = make_kr(make_objective(world), "Steps", type="milestones", start=None, target=None)
    html = client_for(world.owner).get(URL).content.decode()
    assert f'name="kr{kr.pk}-value"' not in html
    assert f'name="kr{kr.pk}-confidence"' in html


def test_saves_several_rows_in_one_submit_and_skips_blank_rows(world: World) -> None:
    objective = make_objective(world)
    a, b, blank = make_kr(objective, "A"), make_kr(objective, "B"), make_kr(objective, "Blank")
    steps = make_kr(objective, "Steps", type="milestones", start=None, target=None)
    data = {
        f"kr{a.pk}-value": "20",
        f"kr{a.pk}-confidence": "on_track",
        f"kr{b.pk}-value": "30",
        f"kr{b.pk}-note": "Good",
        f"kr{steps.pk}-confidence": "at_risk",
        f"kr{blank.pk}-value": "",
    }
    response = client_for(world.owner).post(URL, data)
    assert response.status_code == 302
    assert CheckIn.objects.count() == 3
    assert not CheckIn.objects.filter(key_result=blank).exists()
    objective.refresh_from_db()
    assert objective.progress == Decimal("0.125")  # (0.2 + 0.3 + 0 + 0) / 4


def test_bad_row_is_reported_and_kept_valid_rows_are_saved(world: World) -> None:
    objective = make_objective(world)
    good, bad = make_kr(objective, "Good"), make_kr(objective, "Bad")
    flag = make_kr(objective, "Flag", type="boolean", start=None, target=None)
    data = {
        f"kr{good.pk}-value": "50",
        f"kr{bad.pk}-value": "fifty",
        f"kr{bad.pk}-note": "typed by hand",
        f"kr{flag.pk}-confidence": "on_track",  # a yes/no row without its value
    }
    response = client_for(world.owner).post(URL, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Saved 1 check-in; 2 rows need another look" in html
    assert "Enter a number." in html and 'value="fifty"' in html and "typed by hand" in html
    assert "is required" in html
    assert list(CheckIn.objects.values_list("key_result_id", flat=True)) == [good.pk]


def test_anonymous_is_sent_to_login() -> None:
    from django.test import Client

    response = Client().get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
