"""Initiatives in OKRs as code: `initiatives:` in the file (docs/okr-file.md, "Initiatives"),
imported all or nothing with the rules of pacer.initiatives, exported only as far as the
viewer may see, with `progress` and `impact` in JSON and a CSV table of their own."""

from __future__ import annotations

import csv
import io
import typing
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management.base import CommandError

from pacer.initiatives import selectors, services
from pacer.initiatives.models import Initiative, Task
from pacer.initiatives.services import InitiativeSpec
from pacer.okrs import progress as engine
from pacer.okrs import services as okr_services
from pacer.okrs.models import KeyResult, Organization
from pacer.okrs.okrfile.exporter import Exporter
from pacer.okrs.okrfile.importer import ImportFailed, import_document
from pacer.okrs.okrfile.schema import InitiativeStatus
from tests.factories import (
    ISSUE_EXAMPLE,
    World,
    export_json,
    export_text,
    fresh,
    import_yaml,
    line_number,
    make_world,
    replace_once,
    wipe_database,
)

pytestmark = pytest.mark.django_db

ORG = """\
organization: Acme
people:
  - {email: ana@acme.test, name: Ana}
  - {email: bo@acme.test, name: Bo}
  - {email: cy@acme.test, name: Cy}
teams:
  - {ref: platform, name: Platform, members: [ana@acme.test, bo@acme.test]}
cycles:
  - {ref: q2, name: Q2, start: 2026-04-01, end: 2026-06-30}
  - {ref: q3, name: Q3, start: 2026-07-01, end: 2026-09-30}
objectives:
  - ref: delivery
    title: Deliver faster
    cycle: q2
    owner: ana@acme.test
    team: platform
    key_results:
      - {ref: work, title: Ship the projects, type: initiatives}
      - {ref: adoption, title: Adoption, type: metric, start: 0, target: 100,
         checkins: [{at: 2026-04-20, value: 50}]}
  - ref: secret
    title: Buy Initech
    cycle: q2
    owner: ana@acme.test
    team: platform
    visibility: private
    key_results:
      - {ref: term-sheet, title: Sign the term sheet, type: boolean}
  - ref: later
    title: Later
    cycle: q3
    owner: ana@acme.test
    key_results:
      - {ref: later-kr, title: Later, type: boolean}
"""

WORK = """\
initiatives:
  - ref: billing
    title: Migrate billing
    description: Off the old system
    cycle: q2
    team: platform
    owner: ana@acme.test
    status: in_progress
    start: 2026-04-06
    due: 2026-05-29
    key_results: [work, adoption]
    tasks:
      - {title: Export the invoices, done: true, assignee: bo@acme.test}
      - {title: Switch over, due: 2026-05-15}
      - {title: Retire the old system}
      - {title: Tell finance, done: true}
  - ref: api
    title: Retire the old API
    cycle: q2
    owner: bo@acme.test
    status: done
    key_results: [work]
  - ref: merger-prep
    title: Prepare the merger
    cycle: q2
    owner: ana@acme.test
    key_results: [term-sheet]
    link: https://github.com/acme/merger/milestone/3
"""

FILE = ORG + WORK


def load(tmp_path: Path, text: str = FILE, **options: Any) -> Any:
    return import_yaml(tmp_path, text, **options)


def refused(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        load(tmp_path, text)
    return failure.value.errors


def state() -> list[tuple[Any, ...]]:
    """Every initiative and task as stored, with the key results each supports."""
    rows: list[tuple[Any, ...]] = []
    for i in Initiative.objects.order_by("pk").prefetch_related("key_results", "tasks"):
        refs = sorted(kr.ref for kr in i.key_results.all())
        rows.append((i.pk, i.ref, i.title, i.status, i.progress, refs, i.link_url))
        rows += [(t.pk, t.title, t.done, t.assignee_id, t.due, t.position) for t in i.tasks.all()]
    return rows


# --- Import --------------------------------------------------------------------------------


def test_import_creates_initiatives_with_tasks_in_order_and_rolls_up(tmp_path: Path) -> None:
    report = load(tmp_path)
    assert (report.created["initiatives"], report.created["tasks"]) == (3, 4)
    billing = Initiative.objects.get(ref="billing")
    assert billing.team is not None and billing.team.ref == "platform"
    assert (billing.title, billing.status, billing.owner.email) == (
        "Migrate billing",
        "in_progress",
        "ana@acme.test",
    )
    assert (billing.start, billing.due) == (date(2026, 4, 6), date(2026, 5, 29))
    tasks = list(billing.tasks.order_by("position"))
    assert [(t.title, t.done, t.position) for t in tasks] == [
        ("Export the invoices", True, 0),
        ("Switch over", False, 1),
        ("Retire the old system", False, 2),
        ("Tell finance", True, 3),
    ]
    assert tasks[0].assignee is not None and tasks[0].assignee.email == "bo@acme.test"
    assert tasks[0].done_at is not None
    assert tasks[1].due == date(2026, 5, 15) and tasks[1].done_at is None
    assert billing.progress == Decimal("0.5")  # 2 of 4 tasks
    assert Initiative.objects.get(ref="api").progress == 1  # done, no tasks
    assert Initiative.objects.get(ref="merger-prep").progress == 0  # linked, never synced
    # The key result of type initiatives: the mean q of its work, as the services keep it.
    work = KeyResult.objects.get(ref="work")
    assert work.progress == Decimal("0.75")
    assert work.progress == services.progress_of(billing) / 2 + Decimal("0.5")


def test_import_updates_by_ref_in_place_and_tasks_follow_the_file(tmp_path: Path) -> None:
    load(tmp_path)
    billing = Initiative.objects.get(ref="billing")
    first_task = billing.tasks.get(position=0)
    changed = replace_once(FILE, "status: in_progress", "status: blocked")
    changed = replace_once(changed, "key_results: [work, adoption]", "key_results: [adoption]")
    changed = replace_once(
        changed,
        "      - {title: Switch over, due: 2026-05-15}\n"
        "      - {title: Retire the old system}\n"
        "      - {title: Tell finance, done: true}\n",
        "      - {title: Switch over, done: true}\n",
    )
    report = load(tmp_path, changed)
    assert report.updated["initiatives"] == 1 and report.updated["tasks"] == 3  # 1 + 2 gone
    again = Initiative.objects.get(ref="billing")
    assert again.pk == billing.pk and again.status == "blocked"
    assert [kr.ref for kr in again.key_results.all()] == ["adoption"]
    assert [(t.title, t.done) for t in again.tasks.order_by("position")] == [
        ("Export the invoices", True),
        ("Switch over", True),
    ]
    assert again.tasks.get(position=0).pk == first_task.pk  # kept in place
    assert again.progress == 1
    # work lost billing: only api (done) is left behind it.
    assert KeyResult.objects.get(ref="work").progress == 1


def test_importing_the_same_file_again_changes_nothing(tmp_path: Path) -> None:
    load(tmp_path)
    before = state()
    report = load(tmp_path)
    assert not report.changed, report.summary()
    assert state() == before


def test_dry_run_reports_and_writes_nothing(tmp_path: Path) -> None:
    load(tmp_path, ORG)
    report = load(tmp_path, dry_run=True)
    assert report.created["initiatives"] == 3 and "would be imported" in report.summary()
    assert not Initiative.objects.exists() and not Task.objects.exists()
    assert KeyResult.objects.get(ref="work").progress == 0


# --- Errors: file, line and path; nothing written --------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        (
            "key_results: [work, adoption]",
            "key_results: [work, nope]",
            "key_results: [work, nope]",
            "initiatives[0].key_results[1]: no key result 'nope' in this file or in Pacer",
        ),
        (
            "key_results: [term-sheet]",
            "key_results: [later-kr]",
            "key_results: [later-kr]",
            "initiatives[2].key_results[0]: later-kr is in the cycle q3, not q2",
        ),
        (
            "status: done",
            "status: stalled",
            "status: stalled",
            "initiatives[1].status: ",
        ),
        (
            "due: 2026-05-29",
            "due: 2026-04-01",
            "due: 2026-04-01",
            "initiatives[0].due: must not be before the start (2026-04-06)",
        ),
        (
            "{title: Retire the old system}",
            "{title: Retire the old system, assignee: zed@acme.test}",
            "zed@acme.test",
            "initiatives[0].tasks[2].assignee: unknown person 'zed@acme.test'",
        ),
        (
            "{title: Tell finance, done: true}",
            "{title: Tell finance, done: true, colour: red}",
            "colour: red",
            "initiatives[0].tasks[3].colour: Extra inputs are not permitted",
        ),
        (
            "link: https://github.com/acme/merger/milestone/3",
            "link: https://example.org/board/3",
            "https://example.org/board/3",
            "initiatives[2].link: No tracker is connected for example.org",
        ),
        (
            "    owner: bo@acme.test\n",
            "    owner: bo@acme.test\n    cycle: q8\n",
            "    cycle: q8",
            "initiatives[1].cycle: duplicate key (first on line",
        ),
        (
            "  - ref: api\n",
            "  - ref: billing  # again\n",
            "# again",
            "initiatives[1].ref: duplicate ref 'billing'",
        ),
        (
            "    cycle: q2\n    owner: bo@acme.test\n",
            "    cycle: q9\n    owner: bo@acme.test\n",
            "cycle: q9",
            "initiatives[1].cycle: unknown cycle 'q9'",
        ),
    ],
)
def test_a_bad_initiative_names_file_line_and_path_and_nothing_is_written(
    tmp_path: Path, old: str, new: str, needle: str, message: str
) -> None:
    load(tmp_path, ORG)
    text = replace_once(FILE, old, new)
    errors = refused(tmp_path, text)
    line = line_number(text, needle)
    assert any(e.startswith(f"{tmp_path / 'okrs.yaml'}:{line}: {message}") for e in errors), errors
    assert not Initiative.objects.exists() and not Task.objects.exists()


def test_a_bad_initiative_leaves_the_rest_of_the_file_unwritten(tmp_path: Path) -> None:
    text = replace_once(FILE, "key_results: [work, adoption]", "key_results: [work, nope]")
    refused(tmp_path, text)
    assert not KeyResult.objects.exists() and not Initiative.objects.exists()


def test_a_closed_cycle_refuses_changes_to_its_work(tmp_path: Path) -> None:
    closed = replace_once(FILE, "end: 2026-06-30}", "end: 2026-06-30, state: closed}")
    load(tmp_path, closed)
    assert Initiative.objects.get(ref="billing").cycle.is_closed
    assert not load(tmp_path, closed).changed
    text = replace_once(closed, "{title: Switch over, due: 2026-05-15}", "{title: Switch over}")
    errors = refused(tmp_path, text)
    line = line_number(text, "{title: Switch over}")
    assert errors == [
        f"{tmp_path / 'okrs.yaml'}:{line}: initiatives[0].tasks[1]: belongs to a closed cycle"
    ]
    assert Task.objects.get(title="Switch over").due == date(2026, 5, 15)


def test_the_file_statuses_are_the_engines() -> None:
    assert typing.get_args(InitiativeStatus) == engine.INITIATIVE_STATUSES


# --- Export ---------------------------------------------------------------------------------


def test_yaml_export_lists_initiatives_and_imports_back_byte_for_byte(tmp_path: Path) -> None:
    load(tmp_path)
    text = export_text("yaml")
    document = yaml.safe_load(text)
    assert [i["ref"] for i in document["initiatives"]] == ["api", "billing", "merger-prep"]
    billing = document["initiatives"][1]
    assert billing["key_results"] == ["adoption", "work"]  # sorted
    assert billing["tasks"][1] == {"title": "Switch over", "due": date(2026, 5, 15)}
    assert "progress" not in billing  # computed fields are JSON only
    wipe_database()
    load(tmp_path, text)
    assert export_text("yaml") == text


def test_an_organization_without_work_exports_no_initiatives_key(tmp_path: Path) -> None:
    load(tmp_path, ORG)
    assert "initiatives" not in yaml.safe_load(export_text("yaml"))


def test_export_as_a_person_holds_only_the_work_they_may_see(tmp_path: Path) -> None:
    load(tmp_path)
    outsider = [i["ref"] for i in export_json("--as", "cy@acme.test")["initiatives"]]
    member = [i["ref"] for i in export_json("--as", "bo@acme.test")["initiatives"]]
    assert outsider == ["api", "billing"] and member == ["api", "billing", "merger-prep"]
    assert "merger" not in export_text("yaml", "--as", "cy@acme.test")
    assert "merger" not in export_text("csv", "--table", "initiatives", "--as", "cy@acme.test")
    assert "merger" not in export_text("csv", "--table", "tasks", "--as", "cy@acme.test")


def test_export_of_one_cycle_holds_its_work_only(tmp_path: Path) -> None:
    load(tmp_path)
    assert "initiatives" not in export_json("--cycle", "q3")
    assert len(export_json("--cycle", "q2")["initiatives"]) == 3


def test_json_progress_and_impact_are_the_engines(tmp_path: Path) -> None:
    load(tmp_path)
    exported = {i["ref"]: i for i in export_json()["initiatives"]}
    rows = list(selectors.with_work(Initiative.objects.all()))
    for work in selectors.by_impact(rows, date(2026, 11, 15)):
        entry = exported[work.initiative.ref]
        assert entry["progress"] == float(work.initiative.progress)
        assert entry["impact"] == float(work.impact)
    billing = exported["billing"]
    # work (p 0.75) and adoption (p 0.5), weight 1 of 2 each: 0.5 * 0.25 + 0.5 * 0.5
    assert (billing["progress"], billing["impact"]) == (0.5, 0.375)
    assert (exported["api"]["progress"], exported["api"]["impact"]) == (1, 0)
    assert list(billing)[-3:] == ["progress", "impact", "tasks"]


def csv_table(table: str, *args: str) -> list[dict[str, str]]:
    text = export_text("csv", "--table", table, *args)
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_an_initiatives_table_and_a_tasks_table(tmp_path: Path) -> None:
    load(tmp_path)
    initiatives = {row["initiative_ref"]: row for row in csv_table("initiatives")}
    assert list(initiatives) == ["api", "billing", "merger-prep"]
    billing = initiatives["billing"]
    assert billing["key_results"] == "adoption work"
    assert (billing["tasks"], billing["tasks_done"], billing["progress"]) == ("4", "2", "0.5")
    assert (billing["impact"], billing["start"], billing["team"]) == (
        "0.375",
        "2026-04-06",
        "platform",
    )
    assert initiatives["merger-prep"]["link"] == "https://github.com/acme/merger/milestone/3"
    tasks = csv_table("tasks")
    assert [(t["initiative_ref"], t["position"], t["task"], t["done"]) for t in tasks] == [
        ("billing", "0", "Export the invoices", "true"),
        ("billing", "1", "Switch over", "false"),
        ("billing", "2", "Retire the old system", "false"),
        ("billing", "3", "Tell finance", "true"),
    ]
    assert tasks[0]["assignee"] == "bo@acme.test"
    # The default table is still one row per key result.
    assert "key_result_ref" in export_text("csv").splitlines()[0]


def test_table_is_only_for_csv(tmp_path: Path) -> None:
    load(tmp_path)
    with pytest.raises(CommandError, match="--table"):
        export_text("json", "--table", "tasks")


# --- Work made through the services -----------------------------------------------------


@pytest.fixture
def world(db: Any) -> World:
    return make_world()


def test_work_made_in_the_app_survives_export_and_import(tmp_path: Path, world: World) -> None:
    kr = okr_services.key_result_create(
        objective=world.public,
        spec=okr_services.KeyResultSpec(title="Ship the projects", type="initiatives"),
    )
    billing = services.initiative_create(
        cycle=world.cycle,
        spec=InitiativeSpec(title="Migrate billing", owner=world.owner, key_results=[kr]),
    )
    for n in range(3):
        services.task_create(initiative=billing, title=f"Step {n}", assignee=world.teammate)
    services.task_set_done(task=billing.tasks.get(position=1), done=True)
    services.initiative_create(
        cycle=world.cycle,
        spec=InitiativeSpec(title="Secret work", owner=world.owner, key_results=[world.secret_kr]),
    )
    text = Exporter(world.org).to_yaml()
    progress = fresh(kr).progress
    assert not load(tmp_path, text).changed
    wipe_database()
    load(tmp_path, text)
    assert Exporter(Organization.objects.get(name="Acme")).to_yaml() == text
    assert KeyResult.objects.get(ref=kr.ref).progress == progress == Decimal("0.333333333333")
    assert Initiative.objects.get(ref=billing.ref).progress == progress


def test_the_example_of_the_docs_imports(tmp_path: Path) -> None:
    """docs/okr-file.md's example, with the objectives it names (tests/fixtures)."""
    docs = (Path(__file__).parent.parent / "docs" / "okr-file.md").read_text()
    example = yaml.safe_load(docs.split("```yaml\n")[1].split("```")[0])
    document = yaml.safe_load(ISSUE_EXAMPLE.read_text())
    delivery = next(o for o in document["objectives"] if o["ref"] == "delivery")
    delivery["key_results"].append(example["objectives"][0]["key_results"][-1])
    document["initiatives"] = example["initiatives"]
    import_document(document, source="example")
    rollout = Initiative.objects.get(ref="pm-tool-rollout")
    assert (rollout.progress, rollout.tasks.count()) == (Decimal("0.5"), 2)
    # projects: the mean of 0.5 and the linked one's 0 (never synced)
    assert KeyResult.objects.get(ref="projects").progress == Decimal("0.25")
