"""The demo organization: `build_demo` and `pacer demo`."""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from pacer.accounts.models import User
from pacer.initiatives.models import Initiative, StatusUpdate
from pacer.okrs import demo as demo_module
from pacer.okrs.demo import ADMIN_EMAIL, DEMO_PASSWORD, MEMBER_EMAIL, build_demo, checkin_count
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Objective, Organization
from pacer.okrs.okrfile.schema import OkrFile
from pacer.okrs.progress import mean_initiative_progress, quantize_progress
from pacer.okrs.selectors import key_result_pace, objective_pace, objectives_visible_to

TODAY = date(2026, 11, 28)  # a Saturday in 2026 Q4
KR_TYPES = {
    "metric",
    "boolean",
    "milestones",
    "stay_above",
    "stay_below",
    "range",
    "linked",
    "initiatives",
}


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return build_demo(TODAY)


def key_results(document: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(o, kr) for o in document["objectives"] for kr in o["key_results"]]


def cycles_by_ref(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["ref"]: c for c in document["cycles"]}


# --- The document ----------------------------------------------------------------------


def test_build_demo_is_deterministic(doc: dict[str, Any]) -> None:
    assert build_demo(TODAY) == doc
    assert build_demo(TODAY, seed=7) == doc
    assert build_demo(TODAY, seed=8) != doc


def test_the_document_has_the_okr_file_shape(doc: dict[str, Any]) -> None:
    OkrFile.model_validate(doc)  # unknown keys or wrong types would raise
    for _, kr in key_results(doc):
        for checkin in kr["checkins"]:
            assert type(checkin["at"]) is date
            assert isinstance(checkin.get("value", 0), int | float)


def test_cycles_follow_today(doc: dict[str, Any]) -> None:
    cycles = cycles_by_ref(doc)
    assert cycles["y2026"]["start"] == date(2026, 1, 1)
    assert cycles["y2026"]["end"] == date(2026, 12, 31)
    assert cycles["q4-2026"] == {
        "ref": "q4-2026",
        "name": "2026 Q4",
        "start": date(2026, 10, 1),
        "end": date(2026, 12, 31),
        "state": "active",
    }
    assert cycles["q3-2026"]["state"] == "closed"
    assert cycles["q3-2026"]["end"] == date(2026, 9, 30)
    # The next quarter is in planning; in the last quarter it lies in the year after.
    assert cycles["q1-2027"] == {
        "ref": "q1-2027",
        "name": "2027 Q1",
        "start": date(2027, 1, 1),
        "end": date(2027, 3, 31),
        "state": "planning",
    }
    # In the first quarter the previous quarter lies in the year before.
    january = cycles_by_ref(build_demo(date(2027, 2, 10)))
    assert set(january) == {"y2027", "q1-2027", "q4-2026", "q2-2027"}
    assert january["q4-2026"]["state"] == "closed"
    assert january["q2-2027"]["state"] == "planning"


def test_the_quarter_in_planning_holds_drafts_without_checkins(doc: dict[str, Any]) -> None:
    drafts = [o for o in doc["objectives"] if o["cycle"] == "q1-2027"]
    assert 1 <= len(drafts) <= 2
    assert all(o["key_results"] and not o["parents"] for o in drafts)
    assert not any(kr["checkins"] for o in drafts for kr in o["key_results"])
    assert any(o["owner"] == MEMBER_EMAIL for o in drafts)


def test_people_and_teams(doc: dict[str, Any]) -> None:
    people = {p["email"]: p for p in doc["people"]}
    assert len(people) >= 20
    assert all(email.endswith("@demo.example") for email in people)
    assert people[ADMIN_EMAIL]["admin"] is True
    assert people[MEMBER_EMAIL]["admin"] is False
    assert [p["email"] for p in doc["people"] if p["admin"]] == [ADMIN_EMAIL]
    teams = {t["ref"]: t for t in doc["teams"]}
    roots = [t for t in teams.values() if "parent" not in t]
    assert len(roots) == 1

    def depth(ref: str) -> int:
        parent = teams[ref].get("parent")
        return 1 if parent is None else 1 + depth(parent)

    assert max(depth(ref) for ref in teams) == 3
    departments = {t["name"] for t in teams.values() if t.get("parent") == roots[0]["ref"]}
    assert {"Product", "Engineering", "Customer Success", "Project Management Office"} <= (
        departments
    )
    member_teams = [t["ref"] for t in teams.values() if MEMBER_EMAIL in t["members"]]
    assert 1 <= len(member_teams) <= 2
    for team in teams.values():
        assert set(team["leads"]) <= set(team["members"])


def test_objectives_cover_every_feature(doc: dict[str, Any]) -> None:
    objectives = {o["ref"]: o for o in doc["objectives"]}
    by_cycle = Counter(o["cycle"] for o in objectives.values())
    assert by_cycle["q4-2026"] + by_cycle["q3-2026"] >= 30
    assert by_cycle["y2026"] >= 3
    assert {o["kind"] for o in objectives.values()} == {"committed", "aspirational"}
    assert {kr["type"] for _, kr in key_results(doc)} == KR_TYPES
    assert any(len(o["parents"]) == 2 for o in objectives.values())
    # Quarter objectives align to the year's company objectives.
    yearly = {ref for ref, o in objectives.items() if o["cycle"] == "y2026"}
    assert any(set(o["parents"]) & yearly for o in objectives.values() if o["cycle"] != "y2026")
    for objective in objectives.values():
        for parent in objective["parents"]:
            assert parent in objectives
    # Linked key results follow an aligned child.
    for objective, kr in key_results(doc):
        if kr["type"] == "linked":
            assert objective["ref"] in objectives[kr["objective"]]["parents"]
    metrics = [kr for _, kr in key_results(doc) if kr["type"] == "metric"]
    assert any(kr["target"] < kr["start"] for kr in metrics)
    assert any(kr["target"] > kr["start"] for kr in metrics)
    assert {"%", "EUR", "days", "tickets"} <= {kr.get("unit") for _, kr in key_results(doc)}
    weights = Counter(kr.get("weight", 1) for _, kr in key_results(doc))
    assert weights[2] >= 2 and weights[1] > 10 * weights[2]
    milestone_flags = [
        m.get("done") for _, kr in key_results(doc) for m in kr.get("milestones", [])
    ]
    assert True in milestone_flags and False in milestone_flags
    assert any(
        m.get("weight", 1) != 1 for _, kr in key_results(doc) for m in kr.get("milestones", [])
    )


def test_the_semantics_examples_are_there(doc: dict[str, Any]) -> None:
    titles = {o["title"]: o for o in doc["objectives"] if o["cycle"] == "q4-2026"}
    pmo = titles["Enhance project delivery efficiency and quality"]
    assert pmo["team"] == "pmo"
    krs = {kr["unit"]: kr for kr in pmo["key_results"] if kr["unit"] != "%"}
    adoption, satisfaction = (kr for kr in pmo["key_results"] if kr["unit"] == "%")
    assert (adoption["start"], adoption["target"]) == (0, 90)
    assert (krs["days"]["start"], krs["days"]["target"]) == (40, 34)  # 15 % less
    assert satisfaction["target"] == 90
    leadership = titles["Develop leadership and team management skills"]
    kinds = [(kr["type"], kr.get("start"), kr.get("target")) for kr in leadership["key_results"]]
    assert kinds[0] == ("metric", 0, 2)
    assert kinds[1][0] == "milestones"
    assert "engagement" in leadership["key_results"][2]["title"].lower()


def test_private_objectives(doc: dict[str, Any]) -> None:
    teams = {t["ref"]: t for t in doc["teams"]}
    private = [o for o in doc["objectives"] if o["visibility"] == "private"]
    inside = [o for o in private if MEMBER_EMAIL in teams[o["team"]]["members"]]
    outside = [o for o in private if MEMBER_EMAIL not in teams[o["team"]]["members"]]
    assert len(inside) >= 1
    assert len(outside) >= 2
    assert all(o["owner"] != MEMBER_EMAIL for o in outside)


def test_the_closed_quarter_has_overrides_and_retrospectives(doc: dict[str, Any]) -> None:
    closed = [o for o in doc["objectives"] if o["cycle"] == "q3-2026"]
    overridden = [o for o in closed if "score_override" in o]
    assert len(overridden) >= 2
    assert all(o["override_reason"] for o in overridden)
    assert sum(1 for o in closed if o.get("went_well") and o.get("learned")) >= 3
    open_objectives = [o for o in doc["objectives"] if o["cycle"] != "q3-2026"]
    assert not any("score_override" in o or "went_well" in o for o in open_objectives)


def test_the_member_owns_objectives_and_has_not_checked_in_this_week(
    doc: dict[str, Any],
) -> None:
    owned = [o for o in doc["objectives"] if o["owner"] == MEMBER_EMAIL]
    assert len(owned) >= 2
    monday = TODAY - timedelta(days=TODAY.weekday())
    waiting = [
        kr
        for o, kr in key_results(doc)
        if o["cycle"] == "q4-2026" and kr.get("owner") == MEMBER_EMAIL and kr["checkins"]
    ]
    assert waiting
    for kr in waiting:
        assert max(c["at"] for c in kr["checkins"]) < monday
    # Others did check in this week.
    assert any(c["at"] >= monday for _, kr in key_results(doc) for c in kr["checkins"])


def test_checkins_follow_time(doc: dict[str, Any]) -> None:
    cycles = cycles_by_ref(doc)
    for objective, kr in key_results(doc):
        cycle = cycles[objective["cycle"]]
        moments = [c["at"] for c in kr["checkins"]]
        assert moments == sorted(set(moments))
        for checkin in kr["checkins"]:
            assert cycle["start"] <= checkin["at"] <= min(cycle["end"], TODAY)
            assert checkin["by"] == kr["owner"]
            assert checkin["confidence"] in {"on_track", "at_risk", "off_track"}
            assert ("value" in checkin) == (
                kr["type"] not in ("milestones", "linked", "initiatives")
            )
        if kr["type"] == "boolean":
            assert {c["value"] for c in kr["checkins"]} <= {0, 1}
    notes = [c.get("note") for _, kr in key_results(doc) for c in kr["checkins"]]
    assert sum(1 for note in notes if note) > len(notes) / 4


@pytest.mark.parametrize("year", [2026, 2027])
def test_any_day_gives_a_valid_bounded_document(year: int) -> None:
    day = date(year, 1, 1)
    while day.year == year:
        document = build_demo(day)
        assert checkin_count(document) <= 2000
        cycles = cycles_by_ref(document)
        for objective, kr in key_results(document):
            cycle = cycles[objective["cycle"]]
            assert all(cycle["start"] <= c["at"] <= day for c in kr["checkins"])
        day += timedelta(days=17)


# --- pacer demo ------------------------------------------------------------------------


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_pacer_demo_loads_the_organization() -> None:
    output = run_demo("--today", TODAY.isoformat())
    assert output.strip().endswith(
        "Sign in at http://127.0.0.1:8000 as admin@demo.example / pacer-demo (organization "
        "admin) or member@demo.example / pacer-demo (member)."
    )
    organization = Organization.objects.get()
    assert organization.name == demo_module.ORGANIZATION
    assert User.objects.filter(organization=organization).count() >= 20
    assert Objective.objects.count() >= 30
    assert set(KeyResult.objects.values_list("type", flat=True)) == KR_TYPES
    assert CheckIn.objects.exists()
    assert not CheckIn.objects.filter(at__date__gt=TODAY).exists()
    assert Cycle.objects.get(ref="q3-2026").is_closed
    assert Objective.objects.filter(score_override__isnull=False).count() >= 2


@pytest.mark.django_db
def test_pacer_demo_loads_work_that_moves_key_results() -> None:
    """Initiatives with tasks behind an `initiatives` key result and a metric one, made
    through their services: one blocked, one done, tasks of demo people (the member too)."""
    output = run_demo("--today", TODAY.isoformat())
    assert f", {len(demo_module.WORK)} initiatives." in output
    initiatives = list(Initiative.objects.prefetch_related("tasks", "key_results"))
    assert 2 <= len(initiatives) <= 4
    statuses = Counter(i.status for i in initiatives)
    assert statuses["blocked"] == 1 and statuses["done"] >= 1
    assert all(
        i.tasks.all() and i.owner.is_active and i.cycle.ref == "q4-2026" for i in initiatives
    )
    tasks = [t for i in initiatives for t in i.tasks.all()]
    assert {t.done for t in tasks} == {True, False} and all(t.assignee for t in tasks)
    assert any(t.assignee.email == MEMBER_EMAIL for t in tasks if t.assignee)
    assert StatusUpdate.objects.filter(status="blocked").exclude(note="").exists()
    (kr,) = KeyResult.objects.filter(type="initiatives")
    mine = [i for i in initiatives if kr in i.key_results.all()]
    assert 0 < kr.progress < 1
    assert kr.progress == quantize_progress(
        mean_initiative_progress((i.status, i.progress) for i in mine)
    )
    supported = {k.type for i in initiatives for k in i.key_results.all()}
    assert supported == {"initiatives", "metric"}
    for initiative in initiatives:
        done = sum(t.done for t in initiative.tasks.all())
        assert initiative.progress == quantize_progress(Decimal(done) / initiative.tasks.count())
    call_command("recompute", "--check", stdout=StringIO())  # rolled up as the engine says


@pytest.mark.django_db
def test_every_demo_person_signs_in_with_the_demo_password() -> None:
    """Issue 11: every demo person may sign in (26 of 28 were invited, without a password);
    the one who left (deactivated) still cannot."""
    output = run_demo("--today", TODAY.isoformat())
    assert "Every person of the demo signs in with their email and pacer-demo." in output
    admin = authenticate(username=ADMIN_EMAIL, password=DEMO_PASSWORD)
    member = authenticate(username=MEMBER_EMAIL, password=DEMO_PASSWORD)
    assert isinstance(admin, User) and admin.is_org_admin
    assert isinstance(member, User) and not member.is_org_admin
    active = User.objects.filter(is_active=True)
    assert active.count() == 27
    for person in active:
        assert authenticate(username=person.email, password=DEMO_PASSWORD) == person
    (gone,) = User.objects.filter(is_active=False)
    assert authenticate(username=gone.email, password=DEMO_PASSWORD) is None
    # The member does not see the private objectives of teams they are not in.
    hidden = Objective.objects.exclude(pk__in=objectives_visible_to(member))
    assert hidden.count() >= 2
    assert objectives_visible_to(admin).count() == Objective.objects.count()


@pytest.mark.django_db
def test_statuses_at_today_are_mixed() -> None:
    run_demo("--today", TODAY.isoformat())
    bands = Organization.objects.get().bands
    objectives = Objective.objects.select_related("cycle").filter(cycle__ref="q4-2026")
    objective_statuses = Counter(
        objective_pace(o, on=TODAY, bands=bands).status for o in objectives
    )
    assert {"on_track", "at_risk", "off_track"} <= set(objective_statuses)
    kr_statuses = Counter(
        key_result_pace(kr, kr.objective.cycle, on=TODAY, bands=bands).status
        for kr in KeyResult.objects.select_related("objective__cycle")
    )
    assert set(kr_statuses) == {"done", "on_track", "at_risk", "off_track"}
    assert kr_statuses["on_track"] < sum(kr_statuses.values()) * 0.7


@pytest.mark.django_db
def test_pacer_demo_twice_changes_nothing_and_if_empty_skips() -> None:
    run_demo("--today", TODAY.isoformat())
    checkins = CheckIn.objects.count()
    assert "nothing to change" in run_demo("--today", TODAY.isoformat())
    output = run_demo("--if-empty", "--today", TODAY.isoformat())
    assert "The database already holds an organization; demo not loaded." in output
    assert "Sign in at http://127.0.0.1:8000" in output
    assert CheckIn.objects.count() == checkins
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_pacer_demo_if_empty_loads_into_an_empty_database() -> None:
    run_demo("--if-empty", "--today", TODAY.isoformat())
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_refused_demo_data_is_a_command_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from pacer.okrs.management.commands import demo as command

    def broken(today: date) -> dict[str, Any]:
        document = build_demo(today)
        document["objectives"][0]["key_results"][0]["target"] = "lots"
        return document

    monkeypatch.setattr(command, "build_demo", broken)
    with pytest.raises(CommandError, match="key_results"):
        run_demo("--today", TODAY.isoformat())
    assert not Organization.objects.exists()
    assert not User.objects.exists()


def test_a_bad_today_is_refused() -> None:
    with pytest.raises(CommandError, match="--today"):
        run_demo("--today", "28.11.2026")
