"""Searchable pickers (pacer/web/pickers.py): a picker over organization-sized lists shows
only the chosen value(s) and the first LIMIT matches of its search box, whatever the size;
validation still accepts any row of the whole queryset and refuses any other; "Find" (and
htmx typing) shows the form again and saves nothing; the pages read a constant number of
queries.

The shared world (tests.factories): Acme's admin; the owner leads the platform team (with
the teammate); the outsider is in no team; the owner's public "Deliver faster" and private
"Buy Initech" in 2026-Q2; Globex's admin `stranger` and objective `foreign`.
"""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pacer.accounts.models import User
from pacer.okrs import permissions, selectors
from pacer.okrs.models import Cycle, Membership, Objective
from pacer.web.forms import KeyResultForm, ObjectiveForm
from pacer.web.pickers import LIMIT
from tests.factories import World, make_objective, make_person, make_team
from tests.web.test_issue11_page_queries import grow, queries

pytestmark = pytest.mark.django_db

NEW = reverse("objective_new")


def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def options(html: str, name: str) -> list[str]:
    """The option tags of the <select name=`name`> (not the disabled "More than …" note)."""
    found = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert found, f"no select {name}"
    tags = re.findall(r"<option[^>]*>[^<]*</option>", found.group(1))
    return [tag for tag in tags if not tag.startswith("<option disabled")]


def many(world: World, n: int = 60) -> list[User]:
    """`n` more people and `n` more public objectives in Acme."""
    people = [make_person(world.org, f"zed{i:02}@acme.test", name=f"Zed {i:02}") for i in range(n)]
    for i in range(n):
        make_objective(world.cycle, f"many-{i}", world.owner, title=f"Many goal {i:02}")
    return people


def new_form_data(world: World, **fields: Any) -> dict[str, Any]:
    return {
        "title": "Picked",
        "cycle": world.cycle.pk,
        "kind": "committed",
        "visibility": "public",
        "key_results-TOTAL_FORMS": "1",
        "key_results-INITIAL_FORMS": "0",
    } | fields


def test_pickers_show_at_most_the_limit_and_the_chosen_whatever_the_size(world: World) -> None:
    many(world)
    html = client_for(world.admin).get(NEW).content.decode()
    owners = options(html, "owner")
    assert len(owners) <= LIMIT + 1
    note = f"<option disabled>More than {LIMIT}: search to narrow…</option></select>"
    assert '<select name="owner"' in html and html.count(note) >= 3  # owner, parents, KR owner
    assert any("selected" in o and "admin@acme.test" in o for o in owners)  # me, by default
    assert len(options(html, "parents")) <= LIMIT
    assert len(options(html, "key_results-0-owner")) <= LIMIT + 2  # "(no owner)", me
    assert len(html) < 200_000


def test_search_narrows_and_keeps_the_chosen_value(world: World) -> None:
    people = many(world)
    chosen = people[-1]  # "Zed 59": not among the first matches of an empty search
    data = new_form_data(world, owner=chosen.pk, owner__q="zed0", refresh="1")
    data |= {"parents__q": "goal 4", "parents": [world.public.pk]}
    response = client_for(world.admin).post(NEW, data)
    assert response.status_code == 200
    html = response.content.decode()
    owners = options(html, "owner")
    assert owners[0] == f'<option value="{chosen.pk}" selected>Zed 59 (zed59@acme.test)</option>'
    assert all("Zed 0" in o for o in owners[1:]) and len(owners) == 11  # Zed 00 … Zed 09
    parents = options(html, "parents")
    assert "Deliver faster" in parents[0] and "selected" in parents[0]
    assert len(parents) == 16  # every word matches: goal 4, 04, 14, … 54 and 40 … 49
    assert all("Many goal" in p and "4" in p for p in parents[1:])
    assert 'name="owner__q" value="zed0"' in html


def test_find_without_javascript_saves_nothing(world: World) -> None:
    data = new_form_data(world, owner=world.admin.pk, refresh="1", owner__q="x")
    data |= {"key_results-0-title": "Something", "key_results-0-target": "3"}
    before = Objective.objects.count()
    response = client_for(world.admin).post(NEW, data)
    assert response.status_code == 200
    assert Objective.objects.count() == before
    assert "errorlist" not in response.content.decode()


def test_htmx_search_answers_the_picker_to_swap(world: World) -> None:
    many(world)
    data = new_form_data(world, owner=world.admin.pk, owner__q="zed1", refresh="1")
    response = client_for(world.admin).post(NEW, data, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and '<select name="owner" id="id_owner"' in html
    search = re.search(r'<input type="search" id="id_owner__q"[^>]*>', html)
    assert search and 'hx-select="#id_owner"' in search.group(0)
    assert 'hx-target="#id_owner"' in search.group(0) and "refresh" in search.group(0)
    assert len(options(html, "owner")) == 11  # the admin (chosen) and Zed 10 … Zed 19


def kr_form(user: User, **data: Any) -> KeyResultForm:
    return KeyResultForm(
        {"title": "K", "type": "linked", **data},
        people=permissions.active_people(user),
        objectives=selectors.objectives_visible_to(user),
    )


def test_validation_accepts_any_row_of_the_queryset_not_only_the_shown(world: World) -> None:
    people = many(world)
    form = kr_form(world.owner, owner=people[-1].pk, linked_objective=world.public.pk)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["owner"] == people[-1]


def test_validation_refuses_rows_outside_the_queryset(world: World) -> None:
    assert not selectors.objectives_visible_to(world.outsider).filter(pk=world.private.pk)
    form = kr_form(world.outsider, owner=world.stranger.pk, linked_objective=world.private.pk)
    assert not form.is_valid()
    assert set(form.errors) == {"owner", "linked_objective"}
    objective_form = ObjectiveForm(
        {"parents": [world.foreign.pk], "owner": world.stranger.pk, "title": "T"},
        cycles=Cycle.objects.filter(organization=world.org),
        teams=permissions.teams_to_file_under(world.admin),
        parents=selectors.objectives_visible_to(world.admin),
        owners=permissions.owners_assignable_by(world.admin),
    )
    assert not objective_form.is_valid()
    assert {"parents", "owner"} <= set(objective_form.errors)


def test_labels_and_text_are_escaped(world: World) -> None:
    make_person(world.org, "evil@acme.test", name="<b>Evil</b>")
    data = new_form_data(world, owner__q="<b>", refresh="1")
    html = client_for(world.admin).post(NEW, data).content.decode()
    assert "&lt;b&gt;Evil&lt;/b&gt;" in html and "<b>Evil" not in html
    assert 'value="&lt;b&gt;"' in html


def test_team_member_picker_find_saves_nothing_and_searches(world: World) -> None:
    many(world)
    team = make_team(world.org, "search-team")
    url = reverse("team_member_add", args=[team.ref])
    data = {"person": world.teammate.pk, "person__q": "zed2", "refresh": "1"}
    response = client_for(world.admin).post(url, data)
    assert response.status_code == 200
    assert not Membership.objects.filter(team=team).exists()
    people = options(response.content.decode(), "person")
    assert people[0] == '<option value="">---------</option>'  # a required choice
    assert "selected" in people[1] and "Teammate" in people[1] and len(people) == 12


def test_team_edit_parent_picker_find_saves_nothing(world: World) -> None:
    team = make_team(world.org, "child-team")
    url = reverse("team_edit", args=[team.ref])
    data = {"name": "Renamed", "parent": world.team.pk, "parent__q": "plat", "refresh": "1"}
    response = client_for(world.admin).post(url, data)
    assert response.status_code == 200
    team.refresh_from_db()
    assert (team.name, team.parent_id) == ("Child-Team", None)
    parents = options(response.content.decode(), "parent")
    assert any("selected" in p and "Platform" in p for p in parents)


def test_person_edit_find_saves_nothing_and_time_zone_is_chosen(world: World) -> None:
    url = reverse("person_edit", args=[world.teammate.pk])
    html = client_for(world.admin).get(url).content.decode()
    assert f'<option value="{world.teammate.time_zone}" selected>' in html
    assert html.count(" selected>") >= 2  # the time zone and the teammate's team
    data = {"role": "admin", "time_zone": "Europe/Berlin", "teams__q": "plat", "refresh": "1"}
    response = client_for(world.admin).post(url, data)
    assert response.status_code == 200
    world.teammate.refresh_from_db()
    assert world.teammate.role == User.Role.MEMBER
    assert '<option value="Europe/Berlin" selected>' in response.content.decode()


TEAM_AND_PERSON_PAGES = [
    ("team edit", lambda w: reverse("team_edit", args=[w.team.ref])),
    ("person edit", lambda w: reverse("person_edit", args=[w.teammate.pk])),
    ("new objective", lambda w: NEW),
    ("key result edit", lambda w: reverse("key_result_edit", args=[w.public.ref, w.adoption.ref])),
]


@pytest.mark.parametrize(
    ("name", "url_of"), TEAM_AND_PERSON_PAGES, ids=[p[0] for p in TEAM_AND_PERSON_PAGES]
)
def test_picker_pages_read_a_constant_number_of_queries(
    world: World, name: str, url_of: Any
) -> None:
    client = client_for(world.admin)
    url = url_of(world)
    grow(world, "a", 2)
    small = queries(client, url)
    grow(world, "b", 30)
    large = queries(client, url)
    assert small == large, f"{name}: {small} queries, then {large} with more data"


def test_people_filter_team_select_keeps_the_chosen_team(world: World) -> None:
    html = client_for(world.admin).get(reverse("people"), {"team": "platform"}).content.decode()
    assert '<option value="platform" selected>Platform</option>' in html
    assert '<option value="">Any team</option>' in html
    html = client_for(world.admin).get(reverse("people")).content.decode()
    assert '<option value="" selected>Any team</option>' in html


def test_move_picker_lists_few_targets_and_find_moves_nothing(world: World) -> None:
    many(world)
    client = client_for(world.admin)
    html = client.get(reverse("objective_edit", args=[world.public.ref])).content.decode()
    name = f"move{world.adoption.pk}-objective"
    assert len(options(html, name)) <= LIMIT + 1  # and the empty choice
    url = reverse("key_result_move", args=[world.public.ref, world.adoption.ref])
    response = client.post(url, {name: world.private.pk, f"{name}__q": "goal 07", "refresh": "1"})
    assert response.status_code == 200
    world.adoption.refresh_from_db()
    assert world.adoption.objective_id == world.public.pk
    shown = options(response.content.decode(), name)
    assert any("selected" in o and "Buy Initech" in o for o in shown)
    assert any("Many goal 07" in o for o in shown)


def test_invite_teams_picker_find_invites_nobody(world: World) -> None:
    for i in range(30):
        make_team(world.org, f"squad-{i:02}")
    url = reverse("person_invite")
    data = {"email": "new@acme.test", "teams": [world.team.pk], "teams__q": "squad-1"}
    response = client_for(world.admin).post(url, data | {"refresh": "1"})
    assert response.status_code == 200
    assert not User.objects.filter(email="new@acme.test").exists()
    teams = options(response.content.decode(), "teams")
    assert "selected" in teams[0] and "Platform" in teams[0]
    assert len(teams) == 11 and all("Squad-1" in team for team in teams[1:])
