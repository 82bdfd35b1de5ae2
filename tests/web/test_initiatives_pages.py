"""The initiative page, its forms (new, edit, delete, status updates, tasks), the Work page of
a cycle (list, filters, board), the initiatives on the objective page and the work on My
focus.

People (tests.factories.make_world): `owner` leads the platform team, where `teammate` is a
member; `outsider` is in no team; `admin` administers Acme. "Deliver faster" (`public`) is
public, "Buy Initech" (`private`) is private to the platform team.
"""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pacer.accounts.models import User
from pacer.initiatives import services
from pacer.initiatives.models import Initiative, StatusUpdate, Task
from pacer.initiatives.services import InitiativeSpec
from pacer.okrs import permissions
from pacer.okrs.models import Cycle, KeyResult
from pacer.web.selectors import work as work_selectors
from tests.factories import (
    World,
    database_state,
    fresh,
    make_cycle,
    make_key_result,
    make_objective,
)

pytestmark = pytest.mark.django_db
XSS = "<img src=x onerror=alert(1)>"


def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def start(
    world: World, title: str = "Migrate billing", *, cycle: Cycle | None = None, **fields: Any
) -> Initiative:
    fields.setdefault("owner", world.owner)
    fields.setdefault("key_results", [world.adoption])
    spec = InitiativeSpec(title=title, **fields)
    return services.initiative_create(cycle=cycle or world.cycle, spec=spec)


def secret_work(world: World) -> Initiative:
    return start(world, "Initech due diligence", key_results=[world.secret_kr], team=world.team)


def page_url(initiative: Initiative) -> str:
    return reverse("initiative_detail", args=[initiative.ref])


def work_url(world: World, query: str = "") -> str:
    return reverse("cycle_work", args=[world.cycle.ref]) + query


# --- The initiative page -----------------------------------------------------------------


def test_page_shows_the_work_and_offers_the_editor_every_form(world: World) -> None:
    billing = start(world, description=XSS, link_url="https://github.com/acme/web/milestone/1")
    services.task_create(initiative=billing, title="Export invoices", assignee=world.teammate)
    services.initiative_set_status(initiative=billing, status="in_progress", note="Kicked off")
    html = client_for(world.owner).get(page_url(billing)).content.decode()
    for shown in ("Migrate billing", "In progress", "Kicked off", "Export invoices", "Teammate"):
        assert shown in html
    assert reverse("objective_detail", args=[world.public.ref]) in html  # supports, a link
    assert "Not synced yet" in html and "https://github.com/acme/web/milestone/1" in html
    assert XSS not in html and "&lt;img src=x" in html
    for form in ("Add task", "Post update", "Edit", "Delete", "Mark<span"):
        assert form in html


def test_a_reader_sees_the_work_without_forms(world: World) -> None:
    billing = start(world)
    services.task_create(initiative=billing, title="Export invoices")
    response = client_for(world.outsider).get(page_url(billing))
    html = response.content.decode()
    assert response.status_code == 200 and "Export invoices" in html
    assert "Add task" not in html and "Post update" not in html and "Mark<span" not in html
    assert (
        client_for(world.outsider).get(reverse("initiative_edit", args=[billing.ref])).status_code
        == 403
    )


def test_private_work_is_a_404_for_an_outsider_and_shown_to_its_team(world: World) -> None:
    secret = secret_work(world)
    outsider = client_for(world.outsider)
    for name in ("initiative_detail", "initiative_edit", "initiative_delete"):
        assert outsider.get(reverse(name, args=[secret.ref])).status_code == 404
    task = services.task_create(initiative=secret, title="Call the lawyers")
    done = reverse("initiative_task_done", args=[secret.ref, task.pk])
    assert outsider.post(done, {"done": "1"}).status_code == 404
    assert not fresh(task).done
    assert client_for(world.teammate).get(page_url(secret)).status_code == 200
    assert "Initech due diligence" not in outsider.get(work_url(world)).content.decode()
    assert (
        "Initech due diligence" in client_for(world.teammate).get(work_url(world)).content.decode()
    )


def test_anonymous_is_sent_to_sign_in(world: World) -> None:
    response = Client().get(page_url(start(world)))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- New, edit, delete -------------------------------------------------------------------


def new_url(world: World, query: str = "") -> str:
    return reverse("cycle_initiative_new", args=[world.cycle.ref]) + query


def test_add_initiative_from_a_key_result_chooses_it_and_creates_the_work(world: World) -> None:
    client = client_for(world.teammate)
    objective_html = client.get(
        reverse("objective_detail", args=[world.public.ref])
    ).content.decode()
    link = new_url(world, f"?key_result={world.adoption.pk}")
    assert link in objective_html
    form_html = client.get(link).content.decode()
    assert f'<option value="{world.adoption.pk}" selected>' in form_html
    response = client.post(
        new_url(world),
        {
            "title": "Self-serve onboarding",
            "owner": world.teammate.pk,
            "team": world.team.pk,
            "status": "planned",
            "start": "2026-04-10",
            "due": "2026-05-30",
            "key_results": [world.adoption.pk],
            "link": "",
        },
    )
    initiative = Initiative.objects.get(title="Self-serve onboarding")
    assert response.status_code == 302 and response["Location"] == page_url(initiative)
    assert list(initiative.key_results.all()) == [world.adoption]
    assert initiative.cycle == world.cycle and initiative.owner == world.teammate
    shown = client.get(reverse("objective_detail", args=[world.public.ref])).content.decode()
    assert "Self-serve onboarding" in shown and page_url(initiative) in shown


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " "}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"due": "2026-04-01", "start": "2026-04-10"}, "due"),
        ({"due": "not a date"}, "due"),
        ({"status": "stalled"}, "status"),
        ({"link": "ftp://tracker.test/1"}, "link"),
        ({"owner": "999999"}, "owner"),
        ({"key_results": ["999999"]}, "key_results"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    world: World, changes: dict[str, Any], field: str
) -> None:
    data = {"title": "Ok", "owner": world.owner.pk, "status": "planned", **changes}
    client = client_for(world.owner)
    before = database_state()
    response = client.post(new_url(world), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert database_state() == before and not Initiative.objects.exists()


def test_a_private_key_result_is_not_offered_to_an_outsider(world: World) -> None:
    data = {"title": "Ok", "owner": world.outsider.pk, "status": "planned"}
    response = client_for(world.outsider).post(
        new_url(world), {**data, "key_results": [world.secret_kr.pk]}
    )
    assert response.status_code == 400 and "key_results" in response.context["form"].errors
    assert "Sign the term sheet" not in response.content.decode()
    assert not Initiative.objects.exists()


def test_edit_and_delete_with_confirmation(world: World) -> None:
    billing = start(world)
    client = client_for(world.teammate)  # a member of the goal's team
    edit = reverse("initiative_edit", args=[billing.ref])
    assert client.get(edit).status_code == 200
    data = {"title": "Migrate billing to Stripe", "owner": world.owner.pk, "status": "blocked"}
    assert client.post(edit, {**data, "key_results": [world.adoption.pk]}).status_code == 302
    billing = fresh(billing)
    assert billing.title == "Migrate billing to Stripe" and billing.status == "blocked"
    bad = client.post(edit, {**data, "title": ""})
    assert bad.status_code == 400 and "title" in bad.context["form"].errors
    delete = reverse("initiative_delete", args=[billing.ref])
    assert "Delete the initiative" in client.get(delete).content.decode()
    assert Initiative.objects.filter(pk=billing.pk).exists()
    response = client.post(delete)
    assert response.status_code == 302 and response["Location"] == work_url(world)
    assert not Initiative.objects.filter(pk=billing.pk).exists()


def test_status_update_with_a_note_and_a_bad_status(world: World) -> None:
    billing = start(world)
    url = reverse("initiative_status", args=[billing.ref])
    client = client_for(world.owner)
    response = client.post(url, {"status": "blocked", "note": "Waiting on legal"})
    assert response.status_code == 302
    assert fresh(billing).status == "blocked"
    assert "Waiting on legal" in client.get(page_url(billing)).content.decode()
    bad = client.post(url, {"status": "stalled", "note": "x"})
    assert bad.status_code == 400 and "status" in bad.context["status_form"].errors
    assert StatusUpdate.objects.count() == 1
    assert client_for(world.outsider).post(url, {"status": "done"}).status_code == 403
    assert fresh(billing).status == "blocked"


def test_a_closed_cycle_shows_its_work_frozen(world: World) -> None:
    from pacer.okrs import services as okr_services

    billing = start(world)
    task = services.task_create(initiative=billing, title="Step")
    okr_services.cycle_close(cycle=world.cycle)
    client = client_for(world.owner)
    html = client.get(page_url(billing)).content.decode()
    assert "is closed" in html and "Add task" not in html
    response = client.post(
        reverse("initiative_task_done", args=[billing.ref, task.pk]), {"done": "1"}
    )
    assert response.status_code == 302 and not fresh(task).done


# --- Tasks -------------------------------------------------------------------------------


def test_tasks_add_tick_move_edit_and_delete(world: World) -> None:
    billing = start(world)
    client = client_for(world.owner)
    add = reverse("initiative_task_add", args=[billing.ref])
    for title in ("Export", "Import", "Switch over"):
        assert client.post(add, {"task-title": title, "task-assignee": ""}).status_code == 302
    export, imp, switch = Task.objects.order_by("position")
    bad = client.post(add, {"task-title": " ", "task-due": "soon"})
    assert bad.status_code == 400
    assert {"title", "due"} <= set(bad.context["task_form"].errors)
    assert Task.objects.count() == 3

    tick = reverse("initiative_task_done", args=[billing.ref, export.pk])
    fragment = client.post(tick, {"done": "1"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and '<h2 id="tasks-heading"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode() and "33%" in fragment.content.decode()
    assert fresh(billing).progress > 0 and fresh(world.adoption).progress == world.adoption.progress

    move = reverse("initiative_task_move", args=[billing.ref, switch.pk])
    assert client.post(move, {"direction": "up"}).status_code == 302
    assert list(Task.objects.order_by("position").values_list("title", flat=True)) == [
        "Export",
        "Switch over",
        "Import",
    ]
    first_up = reverse("initiative_task_move", args=[billing.ref, export.pk])
    refused = client.post(first_up, {"direction": "up"}, headers={"HX-Request": "true"})
    assert "was not moved" in refused.content.decode()

    edit = reverse("initiative_task_edit", args=[billing.ref, imp.pk])
    data = {"title": "Import ledgers", "assignee": world.teammate.pk, "due": "2026-05-01"}
    assert client.post(edit, data).status_code == 302
    assert fresh(imp).assignee == world.teammate and fresh(imp).due == date(2026, 5, 1)
    bad_edit = client.post(edit, {**data, "title": ""})
    assert bad_edit.status_code == 400 and "title" in bad_edit.context["form"].errors

    delete = reverse("initiative_task_delete", args=[billing.ref, imp.pk])
    assert "Delete the task" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert not Task.objects.filter(pk=imp.pk).exists()


def test_the_assignee_ticks_their_own_task_and_nothing_else(world: World) -> None:
    billing = start(world)
    mine = services.task_create(initiative=billing, title="Mine", assignee=world.outsider)
    other = services.task_create(initiative=billing, title="Other")
    client = client_for(world.outsider)
    html = client.get(page_url(billing)).content.decode()
    assert 'Mark<span class="visually-hidden"> “Mine”' in html
    assert "“Other”" not in html  # no button for a task that is not theirs
    assert (
        client.post(
            reverse("initiative_task_done", args=[billing.ref, mine.pk]), {"done": "1"}
        ).status_code
        == 302
    )
    assert fresh(mine).done
    denied = client.post(
        reverse("initiative_task_done", args=[billing.ref, other.pk]), {"done": "1"}
    )
    assert denied.status_code == 403 and not fresh(other).done
    add = reverse("initiative_task_add", args=[billing.ref])
    assert client.post(add, {"task-title": "Sneaky"}).status_code == 403


# --- The Work page -----------------------------------------------------------------------


def test_work_is_listed_by_impact_and_filtered(world: World) -> None:
    work_kr = make_key_result(world.public, "work", type="initiatives", title="Ship projects")
    big = start(world, "Big lever", key_results=[world.adoption, work_kr], team=world.team)
    small = start(world, "Small lever", owner=world.teammate, due=date(2026, 5, 1))
    start(world, "Finished", status="done")
    html = client_for(world.outsider).get(work_url(world)).content.decode()
    assert html.index("Big lever") < html.index("Small lever") < html.index("Finished")
    teammate_only = client_for(world.owner).get(work_url(world, "?owner=teammate@acme.test"))
    assert "Small lever" in teammate_only.content.decode()
    assert "Big lever" not in teammate_only.content.decode()
    User.objects.filter(pk=world.teammate.pk).update(name="Tina Mate")
    by_name = client_for(world.owner).get(work_url(world, "?owner=tina")).content.decode()
    assert "Small lever" in by_name and "Big lever" not in by_name
    assert 'id="work-owner" name="owner" value="tina"' in by_name
    by_team = client_for(world.owner).get(work_url(world, f"?team={world.team.ref}")).content
    assert b"Big lever" in by_team and b"Small lever" not in by_team
    done = client_for(world.owner).get(work_url(world, "?status=done")).content
    assert b"Finished" in done and b"Big lever" not in done
    overdue = client_for(world.owner).get(work_url(world, "?overdue=1")).content  # it is past June
    assert b"Small lever" in overdue and b"Big lever" not in overdue
    odd = client_for(world.owner).get(work_url(world, "?status=%00x&team=\x00&overdue=maybe"))
    assert odd.status_code == 200
    assert big.pk and small.pk


def test_board_moves_a_card_to_another_status(world: World) -> None:
    billing = start(world)
    client = client_for(world.owner)
    board = client.get(work_url(world, "?view=board")).content.decode()
    assert 'id="column-blocked"' in board and f'id="move-{billing.pk}"' in board
    move = reverse("initiative_move", args=[billing.ref])
    back = work_url(world, "?view=board")
    response = client.post(move, {"status": "in_progress", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert fresh(billing).status == "in_progress"
    assert StatusUpdate.objects.filter(initiative=billing, status="in_progress").exists()
    offsite = client.post(move, {"status": "blocked", "next": "https://evil.test/"})
    assert offsite["Location"].startswith("/cycles/")
    refused = client.post(move, {"status": "stalled", "next": back})
    assert refused.status_code == 302 and fresh(billing).status == "blocked"
    assert client_for(world.outsider).post(move, {"status": "done"}).status_code == 403
    outsider_board = client_for(world.outsider).get(work_url(world, "?view=board")).content
    assert f'id="move-{billing.pk}"'.encode() not in outsider_board


def test_changeable_ids_agrees_with_the_permission(world: World) -> None:
    mine = start(world, "Owner's", owner=world.owner)
    teams = start(world, "Team's", owner=world.admin, team=world.team, key_results=[])
    goal = start(world, "Goal's", owner=world.admin)
    loose = start(world, "Loose", owner=world.admin, key_results=[])
    loaded = list(work_selectors.initiatives_for_page(world.admin))
    for person in (world.admin, world.owner, world.teammate, world.outsider, world.stranger):
        expected = {i.pk for i in loaded if permissions.can_change_initiative(person, i)}
        assert work_selectors.changeable_ids(person, loaded) == expected, person
    assert {mine.pk, teams.pk, goal.pk, loose.pk}


def many_initiatives(world: World, count: int, *, offset: int = 0) -> None:
    for n in range(count):
        initiative = start(
            world,
            f"Work {offset + n}",
            team=world.team,
            owner=world.teammate if n % 2 else world.owner,
            due=date(2026, 5, 1) + timedelta(days=n),
        )
        services.task_create(initiative=initiative, title="Step", assignee=world.teammate)


@pytest.mark.parametrize("query", ["", "?view=board", "?overdue=1&team=platform"])
def test_work_page_queries_do_not_grow_with_the_work(
    world: World, django_assert_max_num_queries: Any, query: str
) -> None:
    client = client_for(world.teammate)
    many_initiatives(world, 2)
    client.get(work_url(world, query))  # warm the session
    with django_assert_max_num_queries(20) as few:
        assert client.get(work_url(world, query)).status_code == 200
    many_initiatives(world, 12, offset=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(work_url(world, query)).status_code == 200


def test_objective_page_queries_do_not_grow_with_initiatives(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = client_for(world.teammate)
    url = reverse("objective_detail", args=[world.public.ref])
    many_initiatives(world, 1)
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        assert client.get(url).status_code == 200
    make_key_result(world.public, "more", type="initiatives")
    many_initiatives(world, 10, offset=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert "Work 10" in html


def test_work_home_and_links_from_cycle_and_team_pages(world: World) -> None:
    client = client_for(world.owner)
    assert client.get(reverse("work_home"))["Location"] == work_url(world)
    overview = client.get(reverse("cycle_overview", args=[world.cycle.ref])).content.decode()
    assert work_url(world) in overview
    team = client.get(reverse("team_detail", args=[world.team.ref])).content.decode()
    assert work_url(world, f"?team={world.team.ref}") in team
    assert 'href="/work/"' in client.get("/").content.decode()


# --- My focus ----------------------------------------------------------------------------


@pytest.fixture
def running(world: World) -> KeyResult:
    """A cycle running today with a public objective of the platform team and its key result."""
    today = date.today()
    cycle = make_cycle(world.org, "running", today - timedelta(days=30), today + timedelta(days=60))
    objective = make_objective(cycle, "now", world.owner, team=world.team, title="Run now")
    return make_key_result(objective, "signups", title="Signups")


def test_my_tasks_on_focus_due_first_and_ticked_from_there(
    world: World, running: KeyResult
) -> None:
    cycle = running.objective.cycle
    today = date.today()
    onboarding = start(world, "Onboarding", cycle=cycle, key_results=[running])
    later = services.task_create(
        initiative=onboarding,
        title="Later step",
        assignee=world.teammate,
        due=today + timedelta(days=9),
    )
    services.task_create(initiative=onboarding, title="Undated step", assignee=world.teammate)
    services.task_create(
        initiative=onboarding, title="First step", assignee=world.teammate, due=today
    )
    services.task_create(initiative=onboarding, title="Someone else's", assignee=world.owner)
    secret = secret_work(world)  # private: its assignee may not see it, nor its task
    services.task_create(initiative=secret, title="Zephyr step", assignee=world.outsider)
    client = client_for(world.teammate)
    html = client.get("/").content.decode()
    assert html.index("First step") < html.index("Later step") < html.index("Undated step")
    assert "Someone else&#x27;s" not in html and "Someone else's" not in html
    tick = reverse("initiative_task_done", args=[onboarding.ref, later.pk])
    response = client.post(tick, {"done": "1", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert fresh(later).done
    assert "Later step" not in client.get("/").content.decode()
    assert "Zephyr step" not in client_for(world.outsider).get("/").content.decode()


def test_blocked_and_overdue_work_of_my_teams_counts_at_risk(
    world: World, running: KeyResult
) -> None:
    cycle = running.objective.cycle
    yesterday = date.today() - timedelta(days=1)
    start(world, "Stuck", cycle=cycle, key_results=[running], team=world.team, status="blocked")
    start(world, "Late", cycle=cycle, key_results=[running], team=world.team, due=yesterday)
    start(world, "Fine", cycle=cycle, key_results=[running], team=world.team)
    start(
        world,
        "Late but done",
        cycle=cycle,
        key_results=[running],
        team=world.team,
        due=yesterday,
        status="done",
    )
    html = client_for(world.teammate).get("/").content.decode()
    section = html[html.index('id="slipping-heading"') :]
    assert "Stuck" in section and "Late" in section
    assert "Fine" not in section and "Late but done" not in section
    count = section.split('<span class="count">')[1].split("<")[0]
    assert int(count) >= 2
    assert "Stuck" not in client_for(world.outsider).get("/").content.decode()


def test_a_huge_id_in_a_picker_is_a_bad_choice_not_a_crash(world: World) -> None:
    huge = "9" * 30
    client = client_for(world.owner)
    assert client.get(new_url(world, f"?key_result={huge}")).status_code == 200
    data = {"title": "Ok", "owner": huge, "status": "planned", "key_results": [huge]}
    response = client.post(new_url(world), data)
    assert response.status_code == 400
    assert {"owner", "key_results"} <= set(response.context["form"].errors)
    add = reverse("initiative_task_add", args=[start(world).ref])
    assert client.post(add, {"task-title": "Ok", "task-assignee": huge}).status_code == 400


def test_odd_next_and_team_values_are_ignored(world: World) -> None:
    billing = start(world)
    task = services.task_create(initiative=billing, title="Step")
    client = client_for(world.owner)
    tick = reverse("initiative_task_done", args=[billing.ref, task.pk])
    for target in ("//evil.test/", "https://evil.test/", "/\x00x", "javascript:alert(1)"):
        response = client.post(tick, {"done": "1", "next": target})
        assert response["Location"] == page_url(billing) + "#tasks"
    assert client.get(new_url(world, "?team=%00&key_result=%00")).status_code == 200


def test_the_work_page_shows_fifty_at_a_time_in_the_contracts_order(world: World) -> None:
    """A cycle's work is paged (bounded work per request); the order by impact, due and
    title runs across the pages exactly as over the whole list."""
    from pacer.initiatives.selectors import by_impact, with_work

    for n in range(55):
        start(
            world,
            f"Work {n:02d}",
            status="done" if n % 7 == 0 else "in_progress",
            due=date(2026, 5, 1) + timedelta(days=n % 5),
            key_results=[world.adoption] if n % 2 else [],
        )
    expected = [
        w.initiative.title
        for w in by_impact(list(with_work(Initiative.objects.all())), date(2026, 4, 15))
    ]
    filters = work_selectors.parse_work_filters({})
    first = work_selectors.cycle_initiatives(
        world.admin, world.cycle, filters, on=date(2026, 4, 15)
    )
    second = work_selectors.cycle_initiatives(
        world.admin, world.cycle, filters, on=date(2026, 4, 15), page="2"
    )
    assert len(first.work) == 50 and len(second.work) == 5
    assert [w.initiative.title for w in first.work + second.work] == expected
    html = client_for(world.admin).get(work_url(world, "?page=2")).content.decode()
    assert "Page 2 of 2" in html
    assert all(f">{t}<" in html for t in expected[50:])
    assert not any(f">{t}<" in html for t in expected[:50])
    past_the_end = client_for(world.admin).get(work_url(world, "?page=99")).content.decode()
    assert "Page 2 of 2" in past_the_end and f">{expected[-1]}<" in past_the_end
    odd = client_for(world.admin).get(work_url(world, "?page=x")).content.decode()
    assert "Page 1 of 2" in odd
