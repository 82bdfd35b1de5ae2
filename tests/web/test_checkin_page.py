"""The weekly check-in page: every key result a person checks in on, in one form."""

from datetime import timedelta
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


# --- What awaits me first (the rhythm rule), the rest folded ------------------------------


def section(html: str, heading_id: str) -> str:
    """The part of the page from a heading to the end of its section or details."""
    part = html.split(f'id="{heading_id}"', 1)[1]
    return part.split("</section>", 1)[0].split("</details>", 1)[0]


def test_what_awaits_me_comes_first_and_counts_as_on_my_focus(world: World) -> None:
    mine = make_objective(world, "Mine")
    make_kr(mine, "Never checked in")
    checked = make_kr(mine, "Checked in this week")
    services.checkin_create(key_result=checked, value=Decimal(10), author=None)
    make_kr(mine, "Reached", current=Decimal(100), progress=Decimal(1))  # done
    make_kr(mine, "Owned by Tariq", owner=world.teammate)
    teams = make_objective(world, "Team's", owner=world.teammate)
    make_kr(teams, "Team KR")
    theirs = make_objective(world, "Elsewhere", owner=world.outsider, team=None)
    elsewhere = make_kr(theirs, "Mine in theirs", owner=world.owner)
    client = client_for(world.owner)
    html = client.get(URL).content.decode()
    focus = client.get(reverse("focus")).content.decode()
    count = '<span class="count">2</span>'
    awaiting = section(html, "awaiting-heading")
    assert count in section(focus, "awaiting-heading") and count in awaiting
    assert "Never checked in" in awaiting and "Mine in theirs" in awaiting
    for title in ("Checked in this week", "Reached", "Owned by Tariq", "Team KR"):
        assert title not in awaiting, title
    assert f'name="kr{elsewhere.pk}-value"' in awaiting  # its owner checks in on it
    assert html.index('id="awaiting-heading"') < html.index("<details")
    rest = section(html, "rest-heading")
    for title in ("Checked in this week", "Reached", "Owned by Tariq", "Team KR"):
        assert title in rest, title
    assert "<details" in html and '<details class="checkin-rest" open' not in html  # folded
    assert '<th scope="col">Owner</th>' in html and '<th scope="col">Due</th>' in html
    tariq = rest.split("Owned by Tariq</a>", 1)[1].split("</tr>", 1)[0]
    assert world.teammate.name in tariq  # the owner column


def test_the_rest_is_open_when_nothing_awaits(world: World) -> None:
    kr = make_kr(make_objective(world))
    services.checkin_create(key_result=kr, value=Decimal(10), author=None)
    html = client_for(world.owner).get(URL).content.decode()
    assert "All caught up" in html and '<details class="checkin-rest" open' in html
    assert f'name="kr{kr.pk}-value"' in html and "autofocus" in html


def test_due_is_the_key_results_due_date_else_the_checkin_periods_last_day(world: World) -> None:
    objective = make_objective(world)
    make_kr(objective, "Dated", due=world.quarter.end)
    make_kr(objective, "Undated")
    html = client_for(world.owner).get(URL).content.decode()
    dated = html.split("Dated</a>", 1)[1].split("</tr>", 1)[0]
    undated = html.split("Undated</a>", 1)[1].split("</tr>", 1)[0]
    assert world.quarter.end.strftime("%-d %b") in dated
    assert "check-in" in undated and "Sun " in undated


def test_a_row_may_keep_the_value_and_change_only_the_confidence_or_add_a_note(
    world: World,
) -> None:
    objective = make_objective(world)
    a, b = make_kr(objective, "A"), make_kr(objective, "B")
    for kr in (a, b):
        services.checkin_create(
            key_result=kr, value=Decimal(40), author=None, at=timezone.now() - timedelta(days=8)
        )
    data = {f"kr{a.pk}-confidence": "at_risk", f"kr{b.pk}-note": "Waiting on legal"}
    response = client_for(world.owner).post(URL, data)
    assert response.status_code == 302
    latest_a, latest_b = (kr.checkins.order_by("-at").first() for kr in (a, b))
    assert latest_a is not None and latest_b is not None
    assert (latest_a.value, latest_a.confidence) == (40, "at_risk")
    assert (latest_b.value, latest_b.note) == (40, "Waiting on legal")


def test_a_value_far_outside_the_range_asks_for_confirmation_then_saves(world: World) -> None:
    objective = make_objective(world)
    far = make_kr(objective, "Adoption", target=Decimal(80))
    other = make_kr(objective, "Other")
    client = client_for(world.owner)
    response = client.post(URL, {f"kr{far.pk}-value": "1e9", f"kr{other.pk}-value": "30"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "is far outside this key result&#x27;s range (0 % → 80 %)" in html
    assert f'name="kr{far.pk}-confirm_far"' in html and "Yes, save 1000000000 % anyway" in html
    assert 'value="1e9"' in html  # what was typed stays
    assert not far.checkins.exists() and other.checkins.count() == 1  # the rest is saved
    confirmed = {f"kr{far.pk}-value": "1e9", f"kr{far.pk}-confirm_far": "on"}
    assert client.post(URL, confirmed).status_code == 302
    assert far.checkins.get().value == Decimal("1e9")


def test_a_value_within_ten_spans_needs_no_confirmation(world: World) -> None:
    kr = make_kr(make_objective(world), "Adoption", target=Decimal(80))
    response = client_for(world.owner).post(URL, {f"kr{kr.pk}-value": "880"})
    assert response.status_code == 302 and kr.checkins.get().value == 880


def test_the_objective_pages_checkin_asks_the_same_confirmation(world: World) -> None:
    objective = make_objective(world)
    kr = make_kr(objective, "Adoption", target=Decimal(80))
    url = reverse("key_result_checkin", args=[objective.ref, kr.ref])
    client = client_for(world.owner)
    html = client.post(url, {f"kr{kr.pk}-value": "1e9"}).content.decode()
    assert "is far outside" in html and f'name="kr{kr.pk}-confirm_far"' in html
    assert not kr.checkins.exists()
    client.post(url, {f"kr{kr.pk}-value": "1e9", f"kr{kr.pk}-confirm_far": "on"})
    assert kr.checkins.get().value == Decimal("1e9")


def test_i_check_in_on_a_key_result_i_own_under_another_teams_objective(world: World) -> None:
    theirs = make_objective(world, "Elsewhere", owner=world.teammate, team=None)
    mine = make_kr(theirs, "Mine in theirs", owner=world.outsider)
    other = make_kr(theirs, "Not mine")
    client = client_for(world.outsider)
    html = client.get(URL).content.decode()
    assert f'name="kr{mine.pk}-value"' in html and f'name="kr{other.pk}-value"' not in html
    data = {f"kr{mine.pk}-value": "40", f"kr{other.pk}-value": "50"}  # the other is ignored
    assert client.post(URL, data).status_code == 302
    assert [c.value for c in mine.checkins.all()] == [Decimal(40)]
    assert not other.checkins.exists()
    page = client.get(reverse("objective_detail", args=[theirs.ref])).content.decode()
    assert f'name="kr{mine.pk}-value"' in page and f'name="kr{other.pk}-value"' not in page
    inline = reverse("key_result_checkin", args=[theirs.ref, mine.ref])
    assert client.post(inline, {f"kr{mine.pk}-value": "45"}).status_code in (200, 302)
    assert mine.checkins.count() == 2
    refused = reverse("key_result_checkin", args=[theirs.ref, other.ref])
    assert client.post(refused, {f"kr{other.pk}-value": "45"}).status_code == 403
    assert not other.checkins.exists()
