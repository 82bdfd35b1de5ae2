"""Entry points (issue 11): New objective in the navigation, pre-filled from a team page or as a
child of an objective; Close cycle on the cycle overview, its confirmation; reopening.

The shared world (tests.factories): Acme's `admin`; `owner` and `teammate` in the platform
team; `outsider` in none. 2026-Q2 (1 April to 30 June, active) holds "Deliver faster" with
the key result `adoption`, and the private "Buy Initech" with one key result.
"""

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pacer.accounts.models import User
from pacer.okrs import services
from pacer.okrs.models import Objective
from tests.factories import World, fresh, make_cycle, make_team

pytestmark = pytest.mark.django_db

NEW = reverse("objective_new")


def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def page(response: Any) -> str:
    return str(response.content.decode())


# --- New objective -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["focus", "cycle_list", "team_list", "people", "api_tokens"])
def test_every_signed_in_page_links_new_objective_in_the_navigation(
    world: World, name: str
) -> None:
    html = page(client_for(world.owner).get(reverse(name)))
    nav = html[html.index('<nav aria-label="Main">') : html.index("</nav>")]
    assert f'<a href="{NEW}">New objective</a>' in nav


def test_the_team_page_links_new_objective_with_its_team(world: World) -> None:
    html = page(client_for(world.owner).get(reverse("team_detail", args=[world.team.ref])))
    assert f'href="{NEW}?team={world.team.ref}&amp;cycle={world.cycle.ref}">New objective' in html


def test_a_team_outsider_sees_no_team_link(world: World) -> None:
    html = page(client_for(world.outsider).get(reverse("team_detail", args=[world.team.ref])))
    assert f"{NEW}?team=" not in html


def test_the_team_query_pre_fills_the_team_one_may_file_under(world: World) -> None:
    response = client_for(world.owner).get(NEW, {"team": world.team.ref})
    assert response.status_code == 200
    assert response.context["form"]["team"].value() == world.team.pk


def test_a_team_one_may_not_file_under_is_not_pre_filled(world: World) -> None:
    design = make_team(world.org, "design")
    for who in (world.owner, world.outsider):
        response = client_for(who).get(NEW, {"team": design.ref})
        assert response.status_code == 200
        assert response.context["form"]["team"].value() is None
    assert client_for(world.owner).get(NEW, {"team": "x\x00y"}).status_code == 200


def test_add_child_objective_pre_fills_the_parent(world: World) -> None:
    detail = page(client_for(world.teammate).get(reverse("objective_detail", args=["delivery"])))
    assert f'href="{NEW}?parent=delivery">Add child objective' in detail
    response = client_for(world.teammate).get(NEW, {"parent": "delivery"})
    assert response.context["form"]["parents"].value() == [world.public.pk]


def test_a_parent_one_cannot_see_is_not_pre_filled(world: World) -> None:
    for ref in ("secret-merger", "globex-plan", "nope"):
        response = client_for(world.outsider).get(NEW, {"parent": ref})
        assert response.status_code == 200
        assert not response.context["form"]["parents"].value()


def test_a_closed_cycles_objective_offers_no_child(world: World) -> None:
    services.cycle_close(cycle=world.cycle)
    detail = page(client_for(world.owner).get(reverse("objective_detail", args=["delivery"])))
    assert "Add child objective" not in detail


def test_creating_from_the_pre_filled_form_files_under_team_and_parent(world: World) -> None:
    client = client_for(world.owner)
    form = client.get(NEW, {"team": world.team.ref, "parent": "delivery"}).context["form"]
    data = {
        "title": "Faster reviews",
        "description": "",
        "cycle": world.cycle.pk,
        "team": form["team"].value(),
        "kind": "committed",
        "visibility": "public",
        "parents": form["parents"].value(),
        "key_results-TOTAL_FORMS": "0",
        "key_results-INITIAL_FORMS": "0",
    }
    response = client.post(NEW, data)
    assert response.status_code == 302, page(response)
    child = Objective.objects.get(title="Faster reviews")
    assert child.team == world.team
    assert list(child.parents.all()) == [world.public]


# --- Close cycle -------------------------------------------------------------------------


def close_url(world: World) -> str:
    return reverse("cycle_close", args=[world.cycle.ref])


def test_the_cycle_overview_links_close_cycle_for_admins_only(world: World) -> None:
    overview = reverse("cycle_overview", args=[world.cycle.ref])
    assert f'href="{close_url(world)}">Close cycle' in page(client_for(world.admin).get(overview))
    assert "Close cycle" not in page(client_for(world.owner).get(overview))
    services.cycle_close(cycle=world.cycle)
    html = page(client_for(world.admin).get(overview))
    assert "Close cycle" not in html and f'href="{close_url(world)}#reopen">Reopen cycle' in html


def test_the_close_page_summarises_what_freezes(world: World) -> None:
    html = page(client_for(world.admin).get(close_url(world)))
    # both objectives, the private one too, though the admin does not see it listed
    assert "freezes the scores of <strong>2 objectives</strong>" in html
    assert "<strong>2 key results</strong>" in html
    assert 'name="confirm"' in html
    assert "has not ended yet" not in html  # the quarter ended on 30 June 2026


def test_the_close_page_warns_when_the_cycle_has_not_ended(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pacer.web.views.cycle_close.today", lambda: date(2026, 5, 20))
    html = page(client_for(world.admin).get(close_url(world)))
    assert "2026-Q2 has not ended yet</strong>: it runs until 30 Jun 2026" in html


def test_closing_without_the_confirmation_closes_nothing(world: World) -> None:
    for data in ({"action": "close"}, {"action": "close", "confirm": "no"}):
        response = client_for(world.admin).post(close_url(world), data)
        assert response.status_code == 400
        assert "Tick “I understand” to close the cycle; nothing was closed." in page(response)
        assert not fresh(world.cycle).is_closed
        assert fresh(world.public).final_score is None


def test_closing_with_the_confirmation_closes(world: World) -> None:
    response = client_for(world.admin).post(close_url(world), {"action": "close", "confirm": "yes"})
    assert response.status_code == 302
    assert fresh(world.cycle).is_closed


def test_members_neither_close_nor_reopen(world: World) -> None:
    for action in ("close", "reopen"):
        data = {"action": action, "confirm": "yes"}
        assert client_for(world.owner).post(close_url(world), data).status_code == 403
    assert not fresh(world.cycle).is_closed
    services.cycle_close(cycle=world.cycle)
    data = {"action": "reopen", "confirm": "yes"}
    assert client_for(world.owner).post(close_url(world), data).status_code == 403
    assert fresh(world.cycle).is_closed


# --- Reopen ------------------------------------------------------------------------------


def test_reopening_needs_the_confirmation(world: World) -> None:
    services.cycle_close(cycle=world.cycle)
    html = page(client_for(world.admin).get(close_url(world)))
    assert 'id="reopen"' in html and "Reopen 2026-Q2" in html
    response = client_for(world.admin).post(close_url(world), {"action": "reopen"})
    assert response.status_code == 400
    assert "nothing was reopened" in page(response)
    assert fresh(world.cycle).is_closed

    response = client_for(world.admin).post(
        close_url(world), {"action": "reopen", "confirm": "yes"}
    )
    assert response.status_code == 302
    cycle = fresh(world.cycle)
    assert not cycle.is_closed and cycle.state == "active"
    assert fresh(world.public).final_score is None
    followed = client_for(world.admin).get(response["Location"])
    assert "Close cycle" in page(followed)


def test_an_open_cycle_is_not_reopened(world: World) -> None:
    other = make_cycle(world.org, "2026-h2", date(2026, 7, 1), date(2026, 12, 31))
    url = reverse("cycle_close", args=[other.ref])
    response = client_for(world.admin).post(url, {"action": "reopen", "confirm": "yes"})
    assert response.status_code == 302
    assert fresh(other).state == "active"
