# ruff: noqa: F811
"""The change history (docs/history.md): every write path leaves exactly one entry per changed
object, with the right author, path (web, api, cli, import) and change (old -> new); derived
roll-ups leave none; the export never shows others' private objectives."""

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.db import connection, transaction
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacer.accounts.models import User
from pacer.okrs import selectors, services
from pacer.okrs.errors import DomainError
from pacer.okrs.models import (
    Alignment,
    CheckIn,
    KeyResult,
    Membership,
    Milestone,
    Objective,
    Team,
)

# The API tests' people and OKRs (`world` is their fixture, used as each test's argument).
from tests.api.conftest import World, world  # noqa: F401
from tests.factories import (
    ISSUE_EXAMPLE,
    check_in,
    make_cycle,
    make_key_result,
    make_milestones,
    make_objective,
    make_person,
    run_command,
    write_file,
)

pytestmark = pytest.mark.django_db


@contextmanager
def recorded() -> Iterator[list[LogEntry]]:
    """The entries written inside the block, oldest first."""
    before = LogEntry.objects.aggregate(last=Max("id"))["last"] or 0
    entries: list[LogEntry] = []
    yield entries
    entries.extend(
        LogEntry.objects.filter(id__gt=before)
        .select_related("content_type", "actor")
        .order_by("id")
    )


def the_one(entries: list[LogEntry]) -> LogEntry:
    assert len(entries) == 1, [(e.content_type.model, e.changes) for e in entries]
    return entries[0]


def via(entry: LogEntry) -> str:
    return (entry.additional_data or {}).get("via", "")


def assert_entry(
    entry: LogEntry, model: type, action: int, actor: User | None, path: str, **changes: Any
) -> None:
    assert entry.content_type.model_class() is model
    assert entry.action == action
    assert entry.actor == actor
    assert via(entry) == path
    for name, pair in changes.items():
        assert entry.changes[name] == list(pair), (name, entry.changes)


def one_per_object(entries: list[LogEntry]) -> None:
    counts = Counter((e.content_type.model, e.object_id) for e in entries)
    assert all(n == 1 for n in counts.values()), counts


def web(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


CREATE, UPDATE, DELETE = LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE


# --- Check-ins -------------------------------------------------------------------------


def test_web_checkin(world: World) -> None:
    url = reverse("key_result_checkin", args=["delivery", "adoption"])
    with recorded() as entries:
        response = web(world.teammate).post(url, {f"kr{world.adoption.pk}-value": "45"})
    assert response.status_code in (200, 302)
    entry = the_one(entries)
    assert_entry(entry, CheckIn, CREATE, world.teammate, "web")
    assert Decimal(entry.changes["value"][1]) == 45
    assert entry.additional_data["objective"] == world.public.pk


def test_api_checkin_with_a_token(world: World) -> None:
    with recorded() as entries:
        response = world.client(world.owner).call(
            "POST", "/key-results/adoption/checkins", {"value": 50, "note": "Halfway"}
        )
    assert response.status_code == 201, response.content
    entry = the_one(entries)
    assert_entry(entry, CheckIn, CREATE, world.owner, "api", note=("None", "Halfway"))


def test_cli_checkin_by_a_person(world: World) -> None:
    with recorded() as entries:
        run_command(
            "checkin", "adoption", "60", "--by", "teammate@acme.test", "--organization", "Acme"
        )
    entry = the_one(entries)
    assert_entry(entry, CheckIn, CREATE, world.teammate, "cli")
    assert entry.actor_email == "teammate@acme.test"


def test_checkin_delete_over_the_api(world: World) -> None:
    checkin = CheckIn.objects.get(key_result=world.adoption)
    with recorded() as entries:
        response = world.client(world.admin).call("DELETE", f"/checkins/{checkin.pk}")
    assert response.status_code == 204, response.content
    entry = the_one(entries)
    assert_entry(entry, CheckIn, DELETE, world.admin, "api")
    assert Decimal(entry.changes["value"][0]) == 30


def test_derived_rollups_leave_no_entry_and_cost_one_query(world: World) -> None:
    """A check-in changes its key result's and objective's stored numbers, and those of a
    key result in another objective that follows it: one entry, for the check-in only."""
    year = make_cycle(world.org, "2026", date(2026, 1, 1), date(2026, 12, 31))
    follower = make_objective(year, "follow", world.admin)
    make_key_result(follower, "follows-delivery", type="linked", linked_objective=world.public)
    with recorded() as entries:
        check_in(world.adoption, 90, date(2026, 5, 1), author=world.owner)
    assert_entry(the_one(entries), CheckIn, CREATE, None, "")
    assert Objective.objects.get(pk=follower.pk).progress == 1

    def queries(value: int, on: date) -> int:
        with CaptureQueriesContext(connection) as captured:
            check_in(world.adoption, value, on, author=world.owner)
        return len(captured)

    with disable_auditlog():
        without = queries(40, date(2026, 5, 2))
    assert (
        queries(50, date(2026, 5, 3)) == without + 1
    )  # the entry's INSERT; roll-up saves read nothing more


# --- Objectives ------------------------------------------------------------------------


def test_web_objective_create_with_a_key_result_and_a_parent(world: World) -> None:
    year = make_cycle(world.org, "2026", date(2026, 1, 1), date(2026, 12, 31))
    parent = make_objective(year, "company", world.admin, title="Company goal")
    data = {
        "title": "Faster onboarding",
        "cycle": world.cycle.pk,
        "team": world.team.pk,
        "kind": "committed",
        "visibility": "public",
        "parents": [parent.pk],
        "key_results-TOTAL_FORMS": "1",
        "key_results-INITIAL_FORMS": "0",
        "key_results-0-title": "Time to first value",
        "key_results-0-type": "metric",
        "key_results-0-start": "10",
        "key_results-0-target": "3",
    }
    with recorded() as entries:
        assert web(world.owner).post(reverse("objective_new"), data).status_code == 302
    objective = Objective.objects.get(title="Faster onboarding")
    assert [e.content_type.model_class() for e in entries] == [Objective, KeyResult, Alignment]
    one_per_object(entries)
    for entry in entries:
        assert (entry.actor, via(entry), entry.action) == (world.owner, "web", CREATE)
        assert entry.additional_data["objective"] == objective.pk
    assert entries[0].changes["title"] == ["None", "Faster onboarding"]
    assert entries[2].changes["parent"] == ["None", str(parent.pk)]


def test_web_objective_update_records_old_and_new(world: World) -> None:
    version = selectors.objective_version(world.public)
    data: dict[str, Any] = {"title": "Deliver much faster", "kind": "aspirational"}
    data["visibility"] = "public"
    data |= {"team": world.team.pk, "version": version}
    with recorded() as entries:
        response = web(world.owner).post(reverse("objective_edit", args=["delivery"]), data)
    assert response.status_code == 302
    assert_entry(
        the_one(entries),
        Objective,
        UPDATE,
        world.owner,
        "web",
        title=("Deliver faster", "Deliver much faster"),
    )


def test_api_objective_update(world: World) -> None:
    api = world.client(world.owner)
    version = api.get_json("/objectives/delivery")["version"]
    with recorded() as entries:
        api.call("PATCH", "/objectives/delivery", {"title": "Ship", "version": version})
    assert_entry(
        the_one(entries), Objective, UPDATE, world.owner, "api", title=("Deliver faster", "Ship")
    )


def test_api_objective_create(world: World) -> None:
    body = {
        "title": "New thing",
        "cycle": "2026-q2",
        "key_results": [{"title": "One", "type": "boolean"}],
    }
    with recorded() as entries:
        response = world.client(world.owner).call("POST", "/objectives", body)
    assert response.status_code == 201, response.content
    assert [e.content_type.model_class() for e in entries] == [Objective, KeyResult]
    assert all((e.actor, via(e)) == (world.owner, "api") for e in entries)


def test_api_align_and_unalign(world: World) -> None:
    year = make_cycle(world.org, "2026", date(2026, 1, 1), date(2026, 12, 31))
    parent = make_objective(year, "company", world.admin, title="Company goal")
    api = world.client(world.owner)
    with recorded() as aligned:
        api.call("POST", "/objectives/delivery/parents/company")
    assert_entry(the_one(aligned), Alignment, CREATE, world.owner, "api")
    assert aligned[0].changes["parent"] == ["None", str(parent.pk)]
    with recorded() as unaligned:
        api.call("DELETE", "/objectives/delivery/parents/company")
    assert_entry(the_one(unaligned), Alignment, DELETE, world.owner, "api")
    assert unaligned[0].additional_data["objective"] == world.public.pk


def test_web_archive_and_restore(world: World) -> None:
    client = web(world.owner)
    with recorded() as archived:
        client.post(reverse("objective_archive", args=["delivery"]))
    entry = the_one(archived)
    assert_entry(entry, Objective, UPDATE, world.owner, "web")
    assert entry.changes["archived_at"][0] == "None" and entry.changes["archived_at"][1] != "None"
    with recorded() as restored:
        client.post(reverse("objective_restore", args=["delivery"]))
    entry = the_one(restored)
    assert_entry(entry, Objective, UPDATE, world.owner, "web")
    assert entry.changes["archived_at"][1] == "None"


def test_api_archive_and_restore(world: World) -> None:
    api = world.client(world.teammate)
    with recorded() as archived:
        api.call("POST", "/objectives/delivery/archive")
    assert_entry(the_one(archived), Objective, UPDATE, world.teammate, "api")
    with recorded() as restored:
        api.call("POST", "/objectives/delivery/restore")
    assert_entry(the_one(restored), Objective, UPDATE, world.teammate, "api")


# --- Key results and milestones --------------------------------------------------------


def test_web_key_result_create_and_move(world: World) -> None:
    data = {"new_kr-title": "Weekly active teams", "new_kr-type": "metric"}
    data |= {"new_kr-start": "10", "new_kr-target": "40", "new_kr-weight": "1"}
    client = web(world.owner)
    with recorded() as created:
        response = client.post(reverse("key_result_add", args=["delivery"]), data)
    assert response.status_code == 302
    assert_entry(the_one(created), KeyResult, CREATE, world.owner, "web")
    target = make_objective(world.cycle, "target", world.owner, team=world.team)
    with recorded() as moved:
        url = reverse("key_result_move", args=["delivery", "adoption"])
        client.post(url, {f"move{world.adoption.pk}-objective": target.pk})
    entry = the_one(moved)
    assert_entry(
        entry,
        KeyResult,
        UPDATE,
        world.owner,
        "web",
        objective=(str(world.public.pk), str(target.pk)),
    )
    assert entry.additional_data["objective"] == target.pk


def test_api_key_result_update(world: World) -> None:
    with recorded() as entries:
        response = world.client(world.owner).call(
            "PATCH", "/key-results/adoption", {"title": "Adopted", "target": 95}
        )
    assert response.status_code == 200, response.content
    entry = the_one(entries)
    assert_entry(entry, KeyResult, UPDATE, world.owner, "api", title=("Adoption", "Adopted"))
    assert [Decimal(v) for v in entry.changes["target"]] == [90, 95]
    assert "progress" not in entry.changes and "current" not in entry.changes


def test_web_milestone_done(world: World) -> None:
    kr = make_key_result(world.public, "launch", type="milestones")
    first, _ = make_milestones(kr, ("Beta", 1, False), ("GA", 1, False))
    with recorded() as entries:
        url = reverse("milestone_toggle", args=["delivery", first.pk])
        web(world.owner).post(url, {"done": "1"})
    assert_entry(the_one(entries), Milestone, UPDATE, world.owner, "web", done=("False", "True"))


# --- Cycles, scores, settings ----------------------------------------------------------


def test_web_cycle_close_freezes_each_score_once(world: World) -> None:
    with recorded() as entries:
        response = web(world.admin).post(
            reverse("cycle_close", args=["2026-q2"]), {"action": "close", "confirm": "yes"}
        )
    assert response.status_code == 302
    one_per_object(entries)
    by_model = Counter(e.content_type.model for e in entries)
    assert by_model == {"cycle": 1, "objective": 2, "keyresult": 2}
    assert [(e.actor, via(e)) for e in entries] == [(world.admin, "web")] * len(entries)
    cycle_entry = next(e for e in entries if e.content_type.model == "cycle")
    assert cycle_entry.changes["state"] == ["active", "closed"]
    delivery = next(e for e in entries if e.object_id == world.public.pk and e.object_repr)
    assert delivery.changes == {"final_score": ["None", "0.3"]}


def test_api_override_and_retrospective(world: World) -> None:
    body = {"score_override": 0.7, "override_reason": "Signed late", "learned": "Start early"}
    with recorded() as entries:
        response = world.client(world.owner).call("PUT", "/objectives/delivery/retrospective", body)
    assert response.status_code == 200, response.content
    entry = the_one(entries)
    assert_entry(
        entry,
        Objective,
        UPDATE,
        world.owner,
        "api",
        override_reason=("", "Signed late"),
        learned=("", "Start early"),
    )
    assert entry.changes["score_override"][0] == "None"
    assert Decimal(entry.changes["score_override"][1]) == Decimal("0.7")


def test_api_organization_settings(world: World) -> None:
    with recorded() as entries:
        response = world.client(world.admin).call("PATCH", "/organization", {"at_risk_gap": 0.2})
    assert response.status_code == 200, response.content
    entry = the_one(entries)
    assert_entry(entry, type(world.org), UPDATE, world.admin, "api")
    assert [Decimal(v) for v in entry.changes["at_risk_gap"]] == [Decimal("0.1"), Decimal("0.2")]


# --- Import ------------------------------------------------------------------------------


def test_import_create_then_update(tmp_path: Path, db: Any) -> None:
    importer = make_person(None, "ops@acme.test")
    with recorded() as created:
        run_command("import", str(ISSUE_EXAMPLE), "--by", "ops@acme.test")
    assert created and all(e.action == CREATE for e in created)
    assert all((e.actor, via(e)) == (importer, "import") for e in created)
    one_per_object(created)
    kinds = {e.content_type.model for e in created}
    assert {"organization", "team", "membership", "cycle", "objective", "keyresult"} <= kinds
    assert {"checkin", "alignment", "user"} <= kinds

    with recorded() as again:
        run_command("import", str(ISSUE_EXAMPLE))
    assert again == []  # nothing changed, nothing recorded

    text = ISSUE_EXAMPLE.read_text().replace("title: Grow the company", "title: Grow Acme", 1)
    with recorded() as updated:
        run_command("import", str(write_file(tmp_path, text)))
    entry = the_one(updated)
    assert_entry(entry, Objective, UPDATE, None, "import", title=("Grow the company", "Grow Acme"))


def test_import_team_and_membership_changes(tmp_path: Path, db: Any) -> None:
    base = """\
organization: Teamco
people:
  - {email: a@team.test, name: A}
  - {email: b@team.test, name: B}
  - {email: c@team.test, name: C}
teams:
  - {ref: core, name: Core, members: [a@team.test, b@team.test], leads: [a@team.test]}
cycles:
  - {ref: y2026, name: "2026", start: 2026-01-01, end: 2026-12-31}
objectives: []
"""
    run_command("import", str(write_file(tmp_path, base)))
    changed = base.replace(
        "{ref: core, name: Core, members: [a@team.test, b@team.test], leads: [a@team.test]}",
        "{ref: core, name: Core team, members: [a@team.test, c@team.test], leads: [c@team.test]}",
    )
    with recorded() as entries:
        run_command("import", str(write_file(tmp_path, changed, "changed.yaml")))
    one_per_object(entries)
    assert all(via(e) == "import" for e in entries)
    summary = sorted((e.content_type.model, e.action, e.object_repr) for e in entries)
    assert summary == [
        ("membership", CREATE, "C in Core team"),
        ("membership", UPDATE, "A in Core team"),
        ("membership", DELETE, "B in Core team"),
        ("team", UPDATE, "Core team"),
    ]
    team = next(e for e in entries if e.content_type.model == "team")
    assert team.changes == {"name": ["Core", "Core team"]}
    lead = next(e for e in entries if e.action == UPDATE and e.content_type.model == "membership")
    assert lead.changes == {"is_lead": ["True", "False"]}
    assert Team.objects.get(ref="core").memberships.count() == 2
    assert Membership.objects.filter(person__email="c@team.test", is_lead=True).exists()


def test_import_milestone_change_is_one_update(tmp_path: Path, db: Any) -> None:
    base = """\
organization: Mileco
people:
  - {email: a@mile.test, name: A}
cycles:
  - {ref: y2026, name: "2026", start: 2026-01-01, end: 2026-12-31}
objectives:
  - ref: launch
    title: Launch
    cycle: y2026
    owner: a@mile.test
    key_results:
      - ref: steps
        title: Steps
        type: milestones
        milestones:
          - {title: Beta, done: false}
          - {title: GA, done: false}
"""
    run_command("import", str(write_file(tmp_path, base)))
    done = base.replace("{title: Beta, done: false}", "{title: Beta, done: true}")
    with recorded() as entries:
        run_command("import", str(write_file(tmp_path, done, "done.yaml")))
    assert_entry(the_one(entries), Milestone, UPDATE, None, "import", done=("False", "True"))


# --- Reading: the objective page and the export ----------------------------------------


def test_activity_list_shows_who_what_old_and_new_and_via(world: World) -> None:
    api = world.client(world.owner)
    version = api.get_json("/objectives/delivery")["version"]
    api.call("PATCH", "/objectives/delivery", {"title": "<b>Ship</b>", "version": version})
    html = web(world.teammate).get(reverse("objective_detail", args=["delivery"])).content
    activity = html.decode().split('<ol class="activity">')[1].split("</ol>")[0]
    assert "changed the objective" in activity and "via api" in activity
    assert "Owner" in activity  # the author's name
    assert "title: <del>Deliver faster</del> → <ins>&lt;b&gt;Ship&lt;/b&gt;</ins>" in activity
    assert "<b>Ship</b>" not in activity


def test_activity_list_hides_a_private_parents_title(world: World) -> None:
    year = make_cycle(world.org, "2026", date(2026, 1, 1), date(2026, 12, 31))
    secret = make_objective(
        year, "hidden", world.admin, visibility="private", title="Top secret plan"
    )
    services.objective_align(child=world.public, parent=secret)
    page = web(world.outsider).get(reverse("objective_detail", args=["delivery"])).content
    assert "Top secret plan" not in page.decode()
    assert "a private objective" in page.decode()
    page = web(world.admin).get(reverse("objective_detail", args=["delivery"])).content
    assert "Top secret plan" in page.decode()


def export(*args: str) -> str:
    return run_command("history", "export", *args)


def test_export_as_a_person_hides_private_objectives(world: World, tmp_path: Path) -> None:
    world.client(world.owner).call("POST", "/key-results/secret-kr/checkins", {"value": 1})
    everything = json.loads(export())["history"]
    private = [e for e in everything if e["objective"] == world.private.pk]
    assert len(private) >= 3  # the objective, its key result, the check-in
    for email in ("outsider@acme.test",):
        shown = export("--as", email)
        assert "Buy Initech" not in shown and "Sign the term sheet" not in shown
        assert all(e["objective"] != world.private.pk for e in json.loads(shown)["history"])
        assert any(e["objective"] == world.public.pk for e in json.loads(shown)["history"])
    as_owner = json.loads(export("--as", "owner@acme.test"))["history"]
    assert any(e["objective"] == world.private.pk for e in as_owner)
    out = tmp_path / "history.csv"
    export("--format", "csv", "--as", "outsider@acme.test", "-o", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows and "Buy Initech" not in out.read_text()
    api_entry = next(r for r in as_owner if r["via"] == "api")
    assert api_entry["actor"] == "owner@acme.test" and api_entry["model"] == "checkin"
    later = export("--since", "2999-01-01")
    assert json.loads(later) == {"history": []}


def test_a_person_named_in_the_history_cannot_be_deleted(world: World) -> None:
    world.client(world.teammate).call("POST", "/objectives/delivery/archive")
    with pytest.raises(DomainError, match="deactivate"), transaction.atomic():
        world.teammate.delete()
    with pytest.raises(DomainError), transaction.atomic():
        User.objects.filter(pk=world.teammate.pk).delete()
    assert User.objects.filter(pk=world.teammate.pk).exists()
