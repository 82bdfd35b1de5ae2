"""The cycle pages for admins: New cycle, edit, delete, Plan next cycle, and their links.

The shared world (tests.factories): Acme's `admin`; `owner` and `teammate` in the platform
team; `outsider` in none. 2026-Q2 (1 April to 30 June, active) holds "Deliver faster"
(metric `adoption` 0 -> 90 %, one check-in of 30) and the private "Buy Initech". Globex's
`stranger` administers another organization.
"""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacer.accounts.models import User
from pacer.okrs import services
from pacer.okrs.models import Cycle, Objective
from tests.factories import (
    World,
    check_in,
    database_state,
    fresh,
    make_cycle,
    make_key_result,
    make_objective,
)

pytestmark = pytest.mark.django_db

NEW = reverse("cycle_new")


def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def page(response: Any) -> str:
    return str(response.content.decode())


def new_cycle_data(**fields: str) -> dict[str, str]:
    return {
        "name": "2026 Q3",
        "ref": "",
        "start": "2026-07-01",
        "end": "2026-09-30",
        "state": "planning",
        **fields,
    }


def edit_url(cycle: Cycle) -> str:
    return reverse("cycle_edit", args=[cycle.ref])


def plan_url(cycle: Cycle) -> str:
    return reverse("cycle_plan_next", args=[cycle.ref])


# --- Who may ------------------------------------------------------------------------------


def admin_pages(world: World) -> list[tuple[str, dict[str, Any]]]:
    ref = world.cycle.ref
    return [
        (NEW, new_cycle_data()),
        (edit_url(world.cycle), new_cycle_data(name="Renamed")),
        (reverse("cycle_delete", args=[ref]), {}),
        (plan_url(world.cycle), {"objectives": [world.public.pk]}),
    ]


@pytest.mark.parametrize("who", ["owner", "outsider"])
def test_members_get_403_on_every_cycle_page_and_nothing_is_written(world: World, who: str) -> None:
    client = client_for(getattr(world, who))
    before = database_state()
    for url, data in admin_pages(world):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    assert database_state() == before


def test_another_organizations_admin_finds_no_cycle_of_ours(world: World) -> None:
    client = client_for(world.stranger)
    for url, _ in admin_pages(world)[1:]:
        assert client.get(url).status_code == 404, url


def test_signed_out_people_are_sent_to_sign_in(world: World) -> None:
    response = Client().get(NEW)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_only_admins_see_the_links(world: World) -> None:
    overview = reverse("cycle_overview", args=[world.cycle.ref])
    admin, member = client_for(world.admin), client_for(world.owner)
    cycles = page(admin.get(reverse("cycle_list")))
    assert f'href="{NEW}">New cycle</a>' in cycles
    assert f'href="{edit_url(world.cycle)}">Edit' in cycles
    text = page(admin.get(overview))
    assert f'href="{edit_url(world.cycle)}">Edit cycle</a>' in text
    assert f'href="{plan_url(world.cycle)}">Plan next cycle</a>' in text
    for url in (reverse("cycle_list"), overview):
        text = page(member.get(url))
        assert "New cycle" not in text and "Edit cycle" not in text
        assert "Plan next cycle" not in text


def test_a_cycle_in_planning_offers_no_plan_next_and_a_closed_one_no_edit(
    world: World,
) -> None:
    draft = make_cycle(world.org, "draft", date(2026, 7, 1), date(2026, 9, 30), state="planning")
    admin = client_for(world.admin)
    text = page(admin.get(reverse("cycle_overview", args=[draft.ref])))
    assert "Edit cycle" in text and "Plan next cycle" not in text
    services.cycle_close(cycle=world.cycle)
    text = page(admin.get(reverse("cycle_overview", args=[world.cycle.ref])))
    assert "Edit cycle" not in text and "Plan next cycle" in text


# --- New cycle -----------------------------------------------------------------------------


def test_new_cycle_suggests_the_quarter_after_the_last_cycle(world: World) -> None:
    text = page(client_for(world.admin).get(NEW))
    assert 'value="2026 Q3"' in text
    assert 'value="2026-07-01"' in text and 'value="2026-09-30"' in text


def test_an_admin_creates_a_cycle(world: World) -> None:
    response = client_for(world.admin).post(NEW, new_cycle_data())
    cycle = Cycle.objects.get(organization=world.org, ref="2026-q3")
    assert response.status_code == 302
    assert response["Location"] == reverse("cycle_overview", args=["2026-q3"])
    assert (cycle.name, cycle.start, cycle.end, cycle.state) == (
        "2026 Q3",
        date(2026, 7, 1),
        date(2026, 9, 30),
        "planning",
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"end": "2026-06-30"},
            "end",
            "the cycle ends (2026-06-30) before it starts (2026-07-01)",
        ),
        ({"ref": "2026-q2"}, "ref", "2026-q2 is already taken in this organization"),
        ({"ref": "new"}, "ref", "new is reserved; choose another"),
        ({"ref": "Q3 2026"}, "ref", "use lower-case letters and digits joined by - or _"),
        ({"start": "1 July"}, "start", "Enter a valid date."),
        ({"name": " "}, "name", "This field is required."),
        ({"state": "closed"}, "state", "Select a valid choice."),
    ],
)
def test_bad_input_is_a_400_with_the_fields_message_and_nothing_written(
    world: World, fields: dict[str, str], field: str, message: str
) -> None:
    admin = client_for(world.admin)
    before = database_state()
    response = admin.post(NEW, new_cycle_data(**fields))
    assert response.status_code == 400
    assert database_state() == before
    assert message in response.context["form"].errors[field][0]
    summary = page(response).split('class="error-summary"')[1].split("</div>")[0]
    assert f'href="#id_{field}"' in summary and message in summary


# --- Edit ----------------------------------------------------------------------------------


def test_an_admin_renames_moves_and_plans_a_cycle(world: World) -> None:
    url = edit_url(world.cycle)
    admin = client_for(world.admin)
    assert 'value="2026-04-01"' in page(admin.get(url))
    data = new_cycle_data(name="Second quarter", start="2026-04-01", end="2026-07-15")
    response = admin.post(url, data)
    assert response.status_code == 302
    cycle = fresh(world.cycle)
    assert (cycle.ref, cycle.name, cycle.end, cycle.state) == (
        "2026-q2",
        "Second quarter",
        date(2026, 7, 15),
        "planning",
    )


def test_an_edit_the_service_refuses_is_a_400_and_nothing_changes(world: World) -> None:
    make_key_result(world.public, "due-soon", due=date(2026, 6, 15))
    admin = client_for(world.admin)
    before = database_state()
    response = admin.post(
        edit_url(world.cycle), new_cycle_data(start="2026-04-01", end="2026-05-31")
    )
    assert response.status_code == 400
    assert database_state() == before
    assert "non_field_errors" not in response.context["form"].errors
    assert response.context["form"].errors["start"] == [
        "a key result of this cycle is due outside the new dates"
    ]


def test_a_closed_cycle_is_not_edited(world: World) -> None:
    services.cycle_close(cycle=world.cycle)
    admin = client_for(world.admin)
    before = database_state()
    response = admin.post(edit_url(world.cycle), new_cycle_data(name="Renamed"), follow=True)
    assert database_state() == before
    assert "The cycle 2026-Q2 is closed; its numbers are frozen." in page(response)


# --- Delete --------------------------------------------------------------------------------


def test_an_unused_cycle_is_deleted_after_confirmation(world: World) -> None:
    spare = make_cycle(world.org, "spare", date(2027, 1, 1), date(2027, 3, 31))
    url = reverse("cycle_delete", args=[spare.ref])
    admin = client_for(world.admin)
    assert "Delete SPARE?" in page(admin.get(url))
    assert Cycle.objects.filter(pk=spare.pk).exists()  # a GET deletes nothing
    assert f'href="{url}"' in page(admin.get(edit_url(spare)))
    response = admin.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("cycle_list")
    assert not Cycle.objects.filter(pk=spare.pk).exists()


def test_a_used_cycle_is_not_deleted_and_the_page_says_why(world: World) -> None:
    admin = client_for(world.admin)
    before = database_state()
    response = admin.post(reverse("cycle_delete", args=[world.cycle.ref]))
    assert response.status_code == 400
    assert database_state() == before
    assert "the cycle still has objectives; only an empty cycle is deleted" in page(response)
    assert "Not deleted" in page(response)


# --- Plan next cycle -------------------------------------------------------------------------


def test_plan_next_offers_unfinished_objectives_with_their_key_results(world: World) -> None:
    speed = make_key_result(world.public, "speed", title="Ship weekly", target=10)
    check_in(speed, 10, date(2026, 5, 4))  # done: offered, not ticked
    done = make_objective(world.cycle, "done", world.owner, title="Finished goal")
    check_in(make_key_result(done, "finished"), 100, date(2026, 5, 4))
    archived = make_objective(world.cycle, "archived", world.owner, title="Dropped goal")
    services.objective_archive(objective=archived)
    text = page(client_for(world.admin).get(plan_url(world.cycle)))
    assert "After 2026-Q2 comes <strong>2026 Q3</strong>" in text
    assert "it will be created in planning" in text
    assert "Deliver faster" in text and "Buy Initech" in text
    assert "Finished goal" not in text and "Dropped goal" not in text
    assert f'id="carry-{world.public.pk}">' in text  # not ticked at first
    assert f'id="carry-kr-{world.adoption.pk}" checked>' in text
    assert f'id="carry-kr-{speed.pk}">' in text


def test_plan_next_creates_the_quarter_and_copies_the_chosen_key_result(world: World) -> None:
    speed = make_key_result(world.public, "speed", title="Ship weekly", target=10)
    data = {
        "objectives": [world.public.pk],
        # A key result of an objective left unticked is left out.
        "key_results": [speed.pk, world.secret_kr.pk],
    }
    response = client_for(world.admin).post(plan_url(world.cycle), data, follow=True)
    q3 = Cycle.objects.get(organization=world.org, ref="2026-q3")
    assert response.redirect_chain == [(reverse("cycle_overview", args=["2026-q3"]), 302)]
    assert "Created 2026 Q3 (planning) and copied 1 objective into it." in page(response)
    (copy,) = Objective.objects.filter(cycle=q3)
    assert copy.title == "Deliver faster"
    assert [kr.title for kr in copy.key_results.all()] == ["Ship weekly"]
    assert q3.state == "planning"


def test_plan_next_picks_the_existing_next_cycle_and_marks_earlier_copies(
    world: World,
) -> None:
    q3 = make_cycle(world.org, "q3", date(2026, 7, 1), date(2026, 9, 30), state="planning")
    admin = client_for(world.admin)
    admin.post(plan_url(world.cycle), {"objectives": [world.public.pk]})
    assert Objective.objects.filter(cycle=q3, title="Deliver faster").exists()
    text = page(admin.get(plan_url(world.cycle)))
    assert "which\n  exists already (planning)" in text
    assert "Already in Q3" in text
    assert Cycle.objects.filter(organization=world.org, start=date(2026, 7, 1)).count() == 1


def test_plan_next_from_a_cycle_in_planning_is_refused(world: World) -> None:
    draft = make_cycle(world.org, "draft", date(2026, 7, 1), date(2026, 9, 30), state="planning")
    admin = client_for(world.admin)
    message = "DRAFT is still in planning: plan the next cycle from an active or closed one"
    assert message in page(admin.get(plan_url(draft)))
    before = database_state()
    response = admin.post(plan_url(draft), {})
    assert response.status_code == 400
    assert database_state() == before


def test_plan_next_refuses_an_objective_it_did_not_offer(world: World) -> None:
    check_in(world.adoption, 90, date(2026, 5, 4))  # "Deliver faster" is done
    admin = client_for(world.admin)
    before = database_state()
    response = admin.post(plan_url(world.cycle), {"objectives": [world.public.pk]})
    assert response.status_code == 400
    assert database_state() == before
    assert "Select a valid choice." in response.context["form"].errors["objectives"][0]
    assert 'href="#id_objectives"' in page(response)


def test_plan_next_shows_the_services_refusal(world: World) -> None:
    q3 = make_cycle(world.org, "q3", date(2026, 7, 1), date(2026, 9, 30))
    services.cycle_close(cycle=q3)
    admin = client_for(world.admin)
    before = database_state()
    response = admin.post(plan_url(world.cycle), {"objectives": [world.public.pk]})
    assert response.status_code == 400
    assert database_state() == before
    assert "the cycle Q3 is closed; its numbers are frozen" in page(response)


# --- Query counts ----------------------------------------------------------------------------


def grow(world: World, cycles: int, objectives: int) -> None:
    start = Cycle.objects.filter(organization=world.org).count()
    for n in range(start, start + cycles):
        cycle = make_cycle(world.org, f"extra-{n}", date(2027, 1, 1), date(2027, 3, 31))
        make_objective(cycle, f"extra-goal-{n}", world.owner)
    for n in range(objectives):
        objective = make_objective(world.cycle, f"more-{start}-{n}", world.owner, team=world.team)
        make_key_result(objective, f"more-{start}-{n}-a")
        make_key_result(objective, f"more-{start}-{n}-b")


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


QUERY_PAGES: list[tuple[str, str, Any]] = [
    ("cycles", "admin", lambda w: reverse("cycle_list")),
    ("cycles", "owner", lambda w: reverse("cycle_list")),
    ("overview", "admin", lambda w: reverse("cycle_overview", args=[w.cycle.ref])),
    ("new", "admin", lambda w: NEW),
    ("edit", "admin", lambda w: edit_url(w.cycle)),
    ("plan next", "admin", lambda w: plan_url(w.cycle)),
]


@pytest.mark.parametrize(
    ("name", "who", "url_of"), QUERY_PAGES, ids=[f"{p[0]}-{p[1]}" for p in QUERY_PAGES]
)
def test_query_count_does_not_grow_with_data(
    world: World, name: str, who: str, url_of: Any
) -> None:
    client = client_for(getattr(world, who))
    grow(world, 2, 3)
    small = queries_for(client, url_of(world))
    grow(world, 10, 15)
    large = queries_for(client, url_of(world))
    assert small == large, f"{name}: {small} queries, then {large} with more data"
