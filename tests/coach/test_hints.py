"""The editor's live hints (pacer.coach.hints, views/coach.py): the objective the form
describes, linted with the organization's rules beside the other live objectives of its
cycle the writer sees; advice only, never a 500, never a private objective of others.

The shared world (tests.factories): in Acme's 2026-Q2 the platform team (led by `owner`,
with `teammate`) has the public "Deliver faster" (`delivery`, one metric) and the private
"Buy Initech" (`secret-merger`); `outsider` is in no team and cannot see the private one.
"""

import html as entities
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacer.accounts.models import User
from pacer.coach import hints
from pacer.coach.models import RuleSetting
from pacer.coach.rules import RULES
from pacer.okrs.models import Objective
from pacer.web.forms import MAX_KEY_RESULTS
from tests.factories import World, make_key_result, make_objective, make_person, make_team

pytestmark = pytest.mark.django_db
HINTS = reverse("coach_hints")
NEW = reverse("objective_new")


def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def new_form(world: World, *key_results: dict[str, str], **fields: Any) -> dict[str, Any]:
    """The new objective form as the browser sends it (a key result block per mapping)."""
    data: dict[str, Any] = {
        "title": "Grow the community",
        "cycle": str(world.cycle.pk),
        "team": str(world.team.pk),
        "kind": "aspirational",
        "visibility": "public",
        "key_results-TOTAL_FORMS": str(max(len(key_results), 1)),
        "key_results-INITIAL_FORMS": "0",
    } | fields
    for i, row in enumerate(key_results):
        data |= {f"key_results-{i}-{name}": value for name, value in row.items()}
    return data


def measured(title: str = "Weekly active users", **fields: str) -> dict[str, str]:
    return {"title": title, "type": "metric", "start": "1200", "target": "2000"} | fields


def hints_html(person: User, data: dict[str, Any], editing: Objective | None = None) -> str:
    url = HINTS + (f"?objective={editing.ref}" if editing else "")
    response = client_for(person).post(url, data)
    assert response.status_code == 200, response.content.decode()[:2000]
    return entities.unescape(response.content.decode())


def rules_found(person: User, data: dict[str, Any], editing: Objective | None = None) -> set[str]:
    text = hints_html(person, data, editing)
    return {rule for rule in RULES if f"<code>{rule}</code>" in text}


def edit_form(objective: Objective, **fields: Any) -> dict[str, Any]:
    return {
        "title": objective.title,
        "description": objective.description,
        "team": str(objective.team_id or ""),
        "owner": str(objective.owner_id),
        "kind": objective.kind,
        "visibility": objective.visibility,
    } | fields


# --- What the hints say ----------------------------------------------------------------------


def test_a_task_like_yes_no_key_result_gets_its_hint_and_fix(world: World) -> None:
    text = hints_html(
        world.owner,
        new_form(world, {"title": "Launch the new website", "type": "boolean"}, measured()),
    )
    assert "“Launch the new website” reads like an activity" in text
    assert "Write what changes once the work is done, as a number." in text
    assert "a yes/no key result with no number in it measures nothing" in text
    assert 'class="chip off_track">Error' in text  # kr-not-measurable is an error
    assert 'class="chip at_risk">Warning' in text


def test_a_well_formed_objective_gets_no_hint(world: World) -> None:
    data = new_form(
        world,
        measured(),
        measured("Cost per signup", start="12", target="8"),
        parents=str(world.public.pk),
    )
    assert rules_found(world.owner, data) == set()
    assert "passes the coach's rules" in hints_html(world.owner, data)


def test_unknown_or_inactive_owner_reads_as_none(world: World) -> None:
    gone = make_person(world.org, "gone@acme.test")
    gone.is_active = False
    gone.save()
    for owner in ("999999", str(gone.pk), str(world.stranger.pk)):
        found = rules_found(world.admin, new_form(world, measured(), owner=owner))
        assert "no-owner" in found, owner
    assert "no-owner" not in rules_found(world.admin, new_form(world, measured(), owner=""))


def test_editing_an_objective_whose_owner_left_says_no_owner(world: World) -> None:
    world.owner.is_active = False
    world.owner.save()
    data = edit_form(world.public, owner="")  # not chosen: the current owner stays
    assert "no-owner" in rules_found(world.admin, data, world.public)


def test_editing_lints_the_saved_key_results(world: World) -> None:
    text = hints_html(world.owner, edit_form(world.public), world.public)
    assert "1 key result (fewer than 2)" in text
    make_key_result(world.public, "cost", title="Cost per deploy", start=10, target=5)
    assert "too-few-key-results" not in rules_found(
        world.owner, edit_form(world.public), world.public
    )


def test_a_key_result_out_of_the_cycle_and_a_target_from_a_change(world: World) -> None:
    late = measured(due="2026-09-01")
    by_change = {"title": "Signups", "type": "metric", "start": "100", "change_by": "50"}
    text = hints_html(world.owner, new_form(world, late, by_change))
    assert "is due 2026-09-01, outside cycle 2026-q2" in text
    assert "needs a start and a target" not in text  # 100 increased by 50 %: 150


def test_an_unaligned_team_objective_and_company_level_ones(world: World) -> None:
    web = make_team(world.org, "web", members=(world.owner,), parent=world.team)
    below = new_form(world, measured(), measured(), team=str(web.pk))
    assert "Team web's objective supports no objective above it" in hints_html(world.owner, below)
    aligned = below | {"parents": str(world.public.pk)}
    assert "unaligned" not in rules_found(world.owner, aligned)
    for team in ("", str(world.team.pk)):  # no team, or one at the top: company-level
        top = new_form(world, measured(), measured(), team=team)
        assert "unaligned" not in rules_found(world.owner, top)


# --- Beside the cycle's other objectives -------------------------------------------------------


def test_a_duplicate_title_names_the_visible_objective(world: World) -> None:
    text = hints_html(world.teammate, new_form(world, measured(), title="Deliver faster!"))
    assert "“Deliver faster!” repeats “Deliver faster” (delivery)" in text


def test_the_edited_objective_is_not_its_own_duplicate(world: World) -> None:
    data = edit_form(world.public)
    assert "duplicate-title" not in rules_found(world.owner, data, world.public)


def test_a_private_objective_the_writer_cannot_see_never_shows(world: World) -> None:
    data = new_form(world, measured(), title="Buy Initech", team="")
    text = hints_html(world.outsider, data)
    assert "duplicate-title" not in text
    assert "secret-merger" not in text
    assert "Sign the term sheet" not in text
    # Its owner sees it, and is told.
    assert "(secret-merger)" in hints_html(world.owner, data)


def test_too_many_objectives_counts_the_draft_in_its_owners_group(world: World) -> None:
    for i in range(6):  # with "Deliver faster" and "Buy Initech": 8 of the owner's, then the draft
        make_objective(world.cycle, f"more-{i}", world.owner, team=world.team)
    text = hints_html(world.owner, new_form(world, measured(), measured()))
    assert "Owner owner@acme.test has 9 objectives in cycle 2026-q2 (more than 5)" in text
    assert "Team platform has 9 objectives" in text
    # Someone else's objective, of no team, is not in those groups.
    other = new_form(world, measured(), measured(), team="", owner=str(world.admin.pk))
    assert "too-many-objectives" not in rules_found(world.admin, other)


# --- The organization's settings ----------------------------------------------------------------


def test_the_organizations_settings_turn_rules_off_and_set_thresholds(world: World) -> None:
    data = new_form(world, {"title": "Launch the new website", "type": "boolean"})
    assert {"task-like-kr", "too-few-key-results"} <= rules_found(world.owner, data)
    RuleSetting.objects.create(organization=world.org, rule="task-like-kr", enabled=False)
    RuleSetting.objects.create(organization=world.org, rule="too-few-key-results", threshold=1)
    found = rules_found(world.owner, data)
    assert "task-like-kr" not in found
    assert "too-few-key-results" not in found
    assert "kr-not-measurable" in found
    # Another organization's settings change nothing here.
    RuleSetting.objects.create(
        organization=world.other_org, rule="kr-not-measurable", enabled=False
    )
    assert "kr-not-measurable" in rules_found(world.owner, data)


# --- Bad input: a fragment or a 4xx, never a 500 -----------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {
            "cycle": "abc",
            "team": "9" * 40,
            "description": "²",
            "owner": "-1",
            "parents": ["x", "99999999999999999"],
        },
        {
            "cycle": "²",
            "team": "99999999",
            "kind": "nope",
            "title": "x" * 100_000,
            "description": "\x00",
        },
        {"key_results-TOTAL_FORMS": "many", "key_results-0-title": "Raise revenue"},
        {
            "key_results-0-title": "Raise revenue",
            "key_results-0-type": "nope",
            "key_results-0-start": "1e999999999",
            "key_results-0-target": "NaN",
            "key_results-0-due": "2026-02-30",
        },
        {
            "key_results-0-title": "Raise revenue",
            "key_results-0-start": "999999999999999999",
            "key_results-0-change_by": "999999",
        },
        {
            "key_results-0-title": "Keep uptime",
            "key_results-0-type": "range",
            "key_results-0-low": "½",
        },
    ],
)
def test_bad_input_is_a_fragment(world: World, fields: dict[str, Any]) -> None:
    data = {"title": "Grow", **fields} if fields else {}
    response = client_for(world.owner).post(HINTS, data)
    assert response.status_code == 200
    assert "hint" in response.content.decode()


def test_at_most_seven_key_results_are_read(world: World) -> None:
    assert hints.MAX_KEY_RESULTS == MAX_KEY_RESULTS
    rows = [measured(f"Metric {i}") for i in range(10)]
    text = hints_html(world.owner, new_form(world, *rows, parents=str(world.public.pk)))
    assert "7 key results (more than 5)" in text


def test_refusals(world: World) -> None:
    owner = client_for(world.owner)
    assert owner.get(HINTS).status_code == 405
    assert owner.post(HINTS + "?objective=../etc").status_code == 400
    assert owner.post(HINTS + "?objective=no-such").status_code == 404
    assert owner.post(HINTS + f"?objective={world.foreign.ref}").status_code == 404
    outsider = client_for(world.outsider)
    assert outsider.post(HINTS + f"?objective={world.public.ref}").status_code == 403
    assert outsider.post(HINTS + f"?objective={world.private.ref}").status_code == 404
    anonymous = Client().post(HINTS, {"title": "x"})
    assert anonymous.status_code == 302


# --- Part of the form, never of saving ------------------------------------------------------------


def test_the_forms_have_the_hints_region(world: World) -> None:
    owner = client_for(world.owner)
    new = owner.get(NEW).content.decode()
    assert f'hx-post="{HINTS}"' in new
    assert 'id="coach-hints" aria-live="polite"' in new
    edit = owner.get(reverse("objective_edit", args=[world.public.ref])).content.decode()
    assert f'hx-post="{HINTS}?objective={world.public.ref}"' in edit


def test_an_objective_with_hints_still_saves(world: World) -> None:
    data = new_form(world, {"title": "Launch the new website", "type": "boolean"})
    response = client_for(world.owner).post(NEW, data)
    assert response.status_code == 302
    assert Objective.objects.filter(title="Grow the community").exists()


def test_queries_do_not_grow_with_the_cycle(world: World) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            hints_html(world.owner, new_form(world, measured()))
        return len(captured)

    small = count()
    for i in range(15):
        make_objective(world.cycle, f"grown-{i}", world.teammate, team=world.team)
    assert count() == small


def test_cycle_without_dates_in_reach_is_still_linted(world: World) -> None:
    """A cycle of another organization is not one: the draft is linted without a cycle."""
    other_cycle = world.foreign.cycle
    text = hints_html(
        world.owner, new_form(world, measured(due=str(date(2020, 1, 1))), cycle=str(other_cycle.pk))
    )
    assert "outside cycle" not in text
    assert "globex" not in text.lower()
