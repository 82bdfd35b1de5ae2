"""`pacer import`: creates and updates by ref, is idempotent, and refuses bad files whole.

The rules are those of docs/okr-file.md: the whole file is checked before anything is
written; on any error nothing changes, the command exits with code 1 and every message names
the file, the line and the field.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from pacer.accounts.models import User
from pacer.okrs.models import (
    Alignment,
    CheckIn,
    Cycle,
    KeyResult,
    Membership,
    Milestone,
    Objective,
    Organization,
    Team,
)
from pacer.okrs.okrfile.importer import ImportFailed, import_file
from tests.factories import (
    ISSUE_EXAMPLE,
    D,
    database_state,
    export_json,
    export_text,
    full_snapshot,
    import_fixture,
    import_yaml,
    key_results_by_ref,
    line_number,
    midnight,
    objectives_by_ref,
    replace_once,
    run_pacer,
    write_file,
)

pytestmark = pytest.mark.django_db

# A valid file for the organization of the issue's example: it adds a person, changes a
# team's members and adds an objective. Each bad-input test breaks exactly one thing in it.
GOOD = """\
organization: Acme
people:
  - {email: ana@acme.test, name: Ana Lima, admin: true}
  - {email: bob@acme.test, name: Bob Stone}
teams:
  - {ref: acme, name: Acme}
  - {ref: pmo, name: Project Management Office, parent: acme,
     members: [ana@acme.test, bob@acme.test], leads: [ana@acme.test]}
cycles:
  - {ref: y2026, name: "2026", start: 2026-01-01, end: 2026-12-31, state: active}
  - {ref: q4-2026, name: "2026 Q4", start: 2026-10-01, end: 2026-12-31}
objectives:
  - ref: hiring
    title: Hire a strong team
    cycle: q4-2026
    team: pmo
    owner: bob@acme.test
    parents: [company-growth]
    key_results:
      - ref: engineers
        title: Engineers hired
        type: metric
        start: 0
        target: 5
        weight: 1
        due: 2026-12-15
        checkins:
          - {at: 2026-10-20, value: 2, confidence: on_track, by: bob@acme.test}
      - ref: offer-rate
        title: Offer acceptance rate
        type: range
        low: 60
        high: 90
      - {ref: contract-signed, title: Recruiting contract signed, type: boolean}
      - {ref: hiring-follows, title: Onboarding, type: linked, objective: some-child-objective}
"""

LAST_LINE = (
    "      - {ref: hiring-follows, title: Onboarding, type: linked, "
    "objective: some-child-objective}\n"
)


@pytest.fixture
def seeded() -> None:
    """The database already holds the organization of the issue's example."""
    import_fixture(ISSUE_EXAMPLE)


def refuse(directory: Path, text: str) -> tuple[str, str]:
    """Import `text`, which must be refused without changing anything; (path, message)."""
    before = full_snapshot()
    path = write_file(directory, text, "bad.yaml")
    with pytest.raises(ImportFailed) as failure:
        import_file(str(path))
    assert full_snapshot() == before, "a refused import changed the database"
    message = str(failure.value)
    for line in failure.value.errors:
        assert line.startswith(f"{path}:"), line
    return str(path), message


# --- The issue's example ---------------------------------------------------------------


def test_issue_example_imports_everything_it_lists() -> None:
    report = import_fixture(ISSUE_EXAMPLE)

    assert report.changed and not report.dry_run
    assert report.created["objectives"] == 3
    assert report.created["key results"] == 8
    assert report.created["check-ins"] == 1
    organization = Organization.objects.get(name="Acme")
    assert organization.at_risk_gap == D("0.10") and organization.off_track_gap == D("0.25")
    ana = User.objects.get(email="ana@acme.test")
    assert ana.organization == organization and ana.is_org_admin and ana.name == "Ana Lima"
    pmo = Team.objects.get(ref="pmo")
    assert pmo.parent == Team.objects.get(ref="acme")
    assert Membership.objects.get(team=pmo, person=ana).is_lead
    delivery = Objective.objects.get(ref="delivery")
    assert delivery.kind == "committed" and delivery.cycle.ref == "q4-2026"
    assert [o.ref for o in delivery.parents.all()] == ["company-growth"]
    assert list(KeyResult.objects.filter(objective=delivery).values_list("ref", flat=True)) == [
        "adoption",
        "trainings",
        "uptime",
        "latency",
        "nps",
        "launched",
        "roll-up",
    ]
    adoption = KeyResult.objects.get(ref="adoption")
    assert (adoption.weight, adoption.unit, adoption.current) == (D(2), "%", D(30))
    assert adoption.checkins.get().note == "Two teams live"
    assert KeyResult.objects.get(ref="roll-up").linked_objective.ref == "some-child-objective"
    # adoption 30/90 (weight 2) and trainings 1/3 of the milestone weight; 8 weights in all.
    assert delivery.progress == D("0.125")


def test_import_command_reports_what_it_created(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("import", str(ISSUE_EXAMPLE), stdout=out)
    assert "was imported" in out.getvalue()
    assert "created 3 objectives" in out.getvalue()


def test_importing_the_same_file_twice_changes_nothing() -> None:
    import_fixture(ISSUE_EXAMPLE)
    rows, exports = full_snapshot()

    report = import_fixture(ISSUE_EXAMPLE)

    assert not report.changed
    assert report.summary().endswith("nothing to change.")
    # Not a single row was saved again (updated_at included).
    assert full_snapshot() == (rows, exports)


def test_importing_a_file_with_every_kind_of_row_twice_changes_nothing(
    seeded: None, tmp_path: Path
) -> None:
    import_yaml(tmp_path, GOOD)
    before = full_snapshot()

    assert not import_yaml(tmp_path, GOOD).changed
    assert full_snapshot() == before


def test_dry_run_writes_nothing_to_an_empty_database(tmp_path: Path) -> None:
    report = import_yaml(tmp_path, ISSUE_EXAMPLE.read_text(), dry_run=True)

    assert report.dry_run and report.changed
    assert "would be imported" in report.summary()
    assert all(not rows for rows in database_state().values())


def test_dry_run_writes_nothing_to_existing_data(seeded: None, tmp_path: Path) -> None:
    before = full_snapshot()

    report = import_yaml(tmp_path, GOOD, dry_run=True)

    assert report.created["objectives"] == 1 and report.created["people"] == 1
    assert full_snapshot() == before


def test_dry_run_command_says_what_would_change(seeded: None, tmp_path: Path) -> None:
    before = full_snapshot()
    out = io.StringIO()
    call_command("import", str(write_file(tmp_path, GOOD)), "--dry-run", stdout=out)
    assert "would be imported" in out.getvalue()
    assert full_snapshot() == before


# --- Updates by ref --------------------------------------------------------------------


def test_changed_title_updates_the_objective_with_that_ref(seeded: None, tmp_path: Path) -> None:
    delivery = Objective.objects.get(ref="delivery")
    text = replace_once(
        ISSUE_EXAMPLE.read_text(),
        "title: Enhance project delivery efficiency and quality",
        "title: Deliver projects faster and better",
    )

    report = import_yaml(tmp_path, text)

    assert report.updated["objectives"] == 1 and not +report.created
    assert Objective.objects.get(ref="delivery").pk == delivery.pk
    assert Objective.objects.get(ref="delivery").title == "Deliver projects faster and better"
    assert Objective.objects.count() == 3


def test_changed_key_result_target_updates_it_and_its_progress(
    seeded: None, tmp_path: Path
) -> None:
    text = replace_once(ISSUE_EXAMPLE.read_text(), "target: 90", "target: 60")

    import_yaml(tmp_path, text)

    adoption = KeyResult.objects.get(ref="adoption")
    assert adoption.target == D(60)
    assert adoption.progress == D("0.5")  # 30 of 60
    # delivery: (2 * 0.5 + 1 * 1/3) / 8
    assert Objective.objects.get(ref="delivery").progress == D("0.166666666667")


def test_objective_left_out_of_the_file_stays(seeded: None, tmp_path: Path) -> None:
    import_yaml(tmp_path, GOOD)  # lists only `hiring`
    assert set(Objective.objects.values_list("ref", flat=True)) == {
        "company-growth",
        "some-child-objective",
        "delivery",
        "hiring",
    }
    assert KeyResult.objects.filter(objective__ref="delivery").count() == 7


def test_checkin_with_an_existing_at_is_updated_not_added(seeded: None, tmp_path: Path) -> None:
    text = replace_once(
        ISSUE_EXAMPLE.read_text(),
        "value: 30, confidence: on_track, note: Two teams live",
        "value: 45, confidence: at_risk, note: Three teams live",
    )

    report = import_yaml(tmp_path, text)

    assert report.updated["check-ins"] == 1 and not +report.created
    checkin = CheckIn.objects.get(key_result__ref="adoption")
    assert (checkin.value, checkin.confidence, checkin.note) == (
        D(45),
        "at_risk",
        "Three teams live",
    )
    assert checkin.at == midnight(checkin.at.date())
    adoption = KeyResult.objects.get(ref="adoption")
    assert (adoption.current, adoption.progress, adoption.confidence) == (
        D(45),
        D("0.5"),
        "at_risk",
    )


def test_checkin_at_the_same_moment_written_as_datetime_is_the_same_checkin(
    seeded: None, tmp_path: Path
) -> None:
    text = replace_once(
        ISSUE_EXAMPLE.read_text(),
        "at: 2026-10-14, value: 30",
        'at: "2026-10-14T02:00:00+02:00", value: 31',
    )
    import_yaml(tmp_path, text)
    assert list(CheckIn.objects.values_list("value", flat=True)) == [D(31)]


def test_checkin_with_a_new_at_is_added_and_history_kept(seeded: None, tmp_path: Path) -> None:
    text = replace_once(
        ISSUE_EXAMPLE.read_text(),
        "          - {at: 2026-10-14, value: 30, confidence: on_track, note: Two teams live, "
        "by: ana@acme.test}\n",
        "          - {at: 2026-11-02, value: 60, confidence: on_track}\n",
    )

    report = import_yaml(tmp_path, text)

    assert report.created["check-ins"] == 1
    values = CheckIn.objects.filter(key_result__ref="adoption").order_by("at")
    assert [c.value for c in values] == [D(30), D(60)]  # the old one is history: kept
    assert KeyResult.objects.get(ref="adoption").current == D(60)


def test_parents_list_is_replaced_by_the_file(seeded: None, tmp_path: Path) -> None:
    text = ISSUE_EXAMPLE.read_text()
    text = replace_once(
        text,
        "objectives:\n",
        "objectives:\n"
        "  - {ref: quality, title: Raise quality, cycle: y2026, owner: ana@acme.test}\n",
    )
    text = replace_once(text, "parents: [company-growth]", "parents: [quality]")

    import_yaml(tmp_path, text)

    delivery = Objective.objects.get(ref="delivery")
    assert [o.ref for o in delivery.parents.all()] == ["quality"]
    assert Alignment.objects.count() == 2  # some-child-objective -> delivery, delivery -> quality


def test_missing_parents_key_removes_every_alignment(seeded: None, tmp_path: Path) -> None:
    text = replace_once(
        ISSUE_EXAMPLE.read_text(),
        "    parents: [company-growth]           # refs of objectives, several allowed\n",
        "",
    )
    import_yaml(tmp_path, text)
    assert not Objective.objects.get(ref="delivery").parents.exists()


def test_milestones_are_replaced_by_the_file(seeded: None, tmp_path: Path) -> None:
    text = replace_once(
        ISSUE_EXAMPLE.read_text(),
        "milestones: [{title: Programme A, done: true}, {title: Programme B, weight: 2}]",
        "milestones: [{title: Programme C, weight: 3, done: true}, {title: Programme D}]",
    )

    import_yaml(tmp_path, text)

    trainings = KeyResult.objects.get(ref="trainings")
    assert [(m.title, m.weight, m.done) for m in trainings.milestones.order_by("position")] == [
        ("Programme C", D(3), True),
        ("Programme D", D(1), False),
    ]
    assert trainings.progress == D("0.75")
    assert Milestone.objects.count() == 2


def test_team_members_and_leads_are_replaced_by_the_file(seeded: None, tmp_path: Path) -> None:
    import_yaml(tmp_path, GOOD)
    text = replace_once(
        GOOD,
        "members: [ana@acme.test, bob@acme.test], leads: [ana@acme.test]",
        "members: [bob@acme.test], leads: [bob@acme.test]",
    )

    import_yaml(tmp_path, text)

    memberships = Membership.objects.filter(team__ref="pmo")
    assert [(m.person.email, m.is_lead) for m in memberships] == [("bob@acme.test", True)]


def test_closed_cycle_state_in_the_file_closes_it_after_loading_checkins(
    tmp_path: Path,
) -> None:
    text = replace_once(
        ISSUE_EXAMPLE.read_text(),
        '{ref: q4-2026, name: "2026 Q4", start: 2026-10-01, end: 2026-12-31}',
        '{ref: q4-2026, name: "2026 Q4", start: 2026-10-01, end: 2026-12-31, state: closed}',
    )

    import_yaml(tmp_path, text)

    assert Cycle.objects.get(ref="q4-2026").is_closed
    delivery = Objective.objects.get(ref="delivery")
    assert delivery.final_score == D("0.1")  # 0.125 rounded, frozen
    assert KeyResult.objects.get(ref="adoption").final_score == D("0.3")
    assert not import_yaml(tmp_path, text).changed


WORK_KR = (
    "      - {ref: hiring-work, title: Hiring projects land, type: initiatives, checkins: [%s]}\n"
)


def test_initiatives_key_result_imports_takes_no_value_and_exports_as_given(
    seeded: None, tmp_path: Path
) -> None:
    at = "{at: 2026-10-20, confidence: at_risk, by: bob@acme.test%s}"
    _, message = refuse(tmp_path, GOOD + WORK_KR % (at % ", value: 3"))
    assert "objectives[0].key_results[4].checkins[0].value" in message
    assert "initiatives key result takes no value" in message
    import_yaml(tmp_path, GOOD + WORK_KR % (at % ""))
    kr = KeyResult.objects.get(ref="hiring-work")
    assert (kr.type, kr.start, kr.target, kr.progress, kr.confidence) == (
        "initiatives",
        None,
        None,
        0,
        "at_risk",
    )
    exported = export_text("yaml")
    entry = (
        "  - ref: hiring-work\n    title: Hiring projects land\n    type: initiatives\n"
        "    checkins:\n    - {at: 2026-10-20, confidence: at_risk, by: bob@acme.test}\n"
    )
    assert entry in exported  # no start, target or value: nothing the type does not take
    assert not import_yaml(tmp_path, exported, name="again.yaml").changed


# --- Bad files: refused whole, with file, line and field --------------------------------


def test_good_file_is_accepted(seeded: None, tmp_path: Path) -> None:
    """The file every bad-input case breaks in one place is itself valid."""
    report = import_yaml(tmp_path, GOOD)
    assert report.created["objectives"] == 1 and report.created["key results"] == 4
    assert KeyResult.objects.get(ref="hiring-follows").linked_objective.ref == (
        "some-child-objective"
    )


@dataclass(frozen=True)
class Bad:
    """GOOD with `old` replaced by `new`; the message must hold `field` and `message`,
    at the line holding `where` (by default the first line of `new`)."""

    old: str
    new: str
    field: str
    message: str
    where: str = ""

    def text(self) -> str:
        return replace_once(GOOD, self.old, self.new)

    def line(self) -> int:
        where = self.where or self.new.strip().splitlines()[0].strip()
        return line_number(self.text(), where)


def appended(extra: str) -> tuple[str, str]:
    return LAST_LINE, LAST_LINE + extra


BAD_FILES = {
    "unknown-team": Bad(
        "    team: pmo\n", "    team: pm0\n", "objectives[0].team", "unknown team 'pm0'"
    ),
    "team-tree-loop": Bad(
        "  - {ref: acme, name: Acme}\n",
        "  - {ref: acme, name: Acme, parent: pmo}\n",
        "teams[0].parent",
        "team 'acme' would be its own ancestor",
    ),
    "unknown-parent-team": Bad(
        "parent: acme,", "parent: acme-hq,", "teams[1].parent", "unknown team 'acme-hq'"
    ),
    "unknown-owner": Bad(
        "    owner: bob@acme.test\n",
        "    owner: carol@acme.test\n",
        "objectives[0].owner",
        "unknown person 'carol@acme.test'",
    ),
    "unknown-checkin-author": Bad(
        "by: bob@acme.test}",
        "by: dan@acme.test}",
        "objectives[0].key_results[0].checkins[0].by",
        "unknown person 'dan@acme.test'",
    ),
    "unknown-team-member": Bad(
        "members: [ana@acme.test, bob@acme.test]",
        "members: [ana@acme.test, eve@acme.test]",
        "teams[1].members[1]",
        "unknown person 'eve@acme.test'",
    ),
    "unknown-parent-objective": Bad(
        "parents: [company-growth]",
        "parents: [company-grwoth]",
        "objectives[0].parents[0]",
        "unknown objective 'company-grwoth'",
    ),
    "unknown-cycle": Bad(
        "    cycle: q4-2026\n",
        "    cycle: q5-2026\n",
        "objectives[0].cycle",
        "unknown cycle 'q5-2026'",
    ),
    "unknown-linked-objective": Bad(
        "objective: some-child-objective}",
        "objective: no-such-objective}",
        "objectives[0].key_results[3].objective",
        "unknown objective 'no-such-objective'",
    ),
    "duplicate-objective-ref": Bad(
        *appended("  - {ref: hiring, title: Hire again, cycle: q4-2026, owner: ana@acme.test}\n"),
        "objectives[1].ref",
        "duplicate ref 'hiring'",
        where="Hire again",
    ),
    "duplicate-key-result-ref-across-objectives": Bad(
        *appended(
            "  - ref: retention\n"
            "    title: Keep people\n"
            "    cycle: q4-2026\n"
            "    owner: ana@acme.test\n"
            "    key_results:\n"
            "      - {ref: engineers, title: Engineers kept, type: boolean}\n"
        ),
        "objectives[1].key_results[0].ref",
        "duplicate key result ref 'engineers'",
        where="Engineers kept",
    ),
    "duplicate-team-ref": Bad(
        "  - {ref: acme, name: Acme}\n",
        "  - {ref: acme, name: Acme}\n  - {ref: acme, name: Acme again}\n",
        "teams[1].ref",
        "duplicate ref 'acme'",
        where="Acme again",
    ),
    "duplicate-cycle-ref": Bad(
        "end: 2026-12-31}\n",
        "end: 2026-12-31}\n"
        "  - {ref: q4-2026, name: Q4 again, start: 2026-10-01, end: 2026-12-31}\n",
        "cycles[2].ref",
        "duplicate ref 'q4-2026'",
        where="Q4 again",
    ),
    "start-equals-target": Bad(
        "        target: 5\n",
        "        target: 0\n",
        "objectives[0].key_results[0].target",
        "must differ from start (0)",
    ),
    "low-equals-high": Bad(
        "        high: 90\n",
        "        high: 60\n",
        "objectives[0].key_results[1].high",
        "must be greater than low (60), not 60",
    ),
    "low-above-high": Bad(
        "        low: 60\n",
        "        low: 95\n",
        "objectives[0].key_results[1].high",
        "must be greater than low (95), not 90",
        where="high: 90",
    ),
    "due-after-the-cycle": Bad(
        "due: 2026-12-15",
        "due: 2027-01-15",
        "objectives[0].key_results[0].due",
        "2027-01-15 lies outside the cycle (2026-10-01 to 2026-12-31)",
    ),
    "due-before-the-cycle": Bad(
        "due: 2026-12-15",
        "due: 2026-09-30",
        "objectives[0].key_results[0].due",
        "2026-09-30 lies outside the cycle",
    ),
    "cycle-ends-before-it-starts": Bad(
        "start: 2026-10-01, end: 2026-12-31}",
        "start: 2026-10-01, end: 2026-09-30}",
        "cycles[1].end",
        "the cycle ends (2026-09-30) before it starts (2026-10-01)",
    ),
    "alignment-loop-in-the-file": Bad(
        *appended(
            "  - {ref: loop-a, title: A, cycle: q4-2026, owner: ana@acme.test, parents: [loop-b]}\n"
            "  - {ref: loop-b, title: B, cycle: q4-2026, owner: ana@acme.test, parents: [loop-a]}\n"
        ),
        "objectives[1].parents[0]",
        "aligning 'loop-a' to 'loop-b' would make a loop",
        where="ref: loop-a",
    ),
    "alignment-to-itself": Bad(
        "parents: [company-growth]",
        "parents: [company-growth, hiring]",
        "objectives[0].parents[1]",
        "aligning 'hiring' to 'hiring' would make a loop",
    ),
    # some-child-objective -> delivery is in the database; the file adds the way back.
    "alignment-loop-closed-by-the-database": Bad(
        *appended(
            "  - {ref: delivery, title: Enhance project delivery efficiency and quality,\n"
            "     cycle: q4-2026, team: pmo, owner: ana@acme.test, kind: committed,\n"
            "     parents: [company-growth, some-child-objective]}\n"
        ),
        "objectives[1].parents[1]",
        "aligning 'delivery' to 'some-child-objective' would make a loop",
        where="parents: [company-growth, some-child-objective]",
    ),
    "parent-in-a-cycle-that-does-not-enclose": Bad(
        *appended(
            "  - {ref: yearly, title: Yearly, cycle: y2026, owner: ana@acme.test, "
            "parents: [delivery]}\n"
        ),
        "objectives[1].parents[0]",
        "'delivery' is in cycle 'q4-2026', which does not contain 'y2026'",
        where="ref: yearly",
    ),
    "negative-weight": Bad(
        "weight: 1",
        "weight: -1",
        "objectives[0].key_results[0].weight",
        "must be 0 or more and less than 100,000, not -1",
    ),
    "weight-too-large": Bad(
        "weight: 1",
        "weight: 1000000",
        "objectives[0].key_results[0].weight",
        "must be 0 or more and less than 100,000, not 1000000",
    ),
    "value-with-too-many-digits": Bad(
        "value: 2,",
        "value: 999999999999.999999,",
        "objectives[0].key_results[0].checkins[0].value",
        "has more than 15 significant digits",
    ),
    "value-not-a-number": Bad(
        "value: 2,",
        "value: two,",
        "objectives[0].key_results[0].checkins[0].value",
        "Input should be a valid decimal",
    ),
    "value-infinite": Bad(
        "value: 2,",
        "value: .inf,",
        "objectives[0].key_results[0].checkins[0].value",
        "Input should be a finite number",
    ),
    "boolean-value-2": Bad(
        "type: boolean}",
        "type: boolean,\n         checkins: [{at: 2026-10-21, value: 2}]}",
        "objectives[0].key_results[2].checkins[0].value",
        "a yes/no key result takes 0 or 1, not 2",
        where="checkins: [{at: 2026-10-21, value: 2}]",
    ),
    "boolean-value-half": Bad(
        "type: boolean}",
        "type: boolean,\n         checkins: [{at: 2026-10-21, value: 0.5}]}",
        "objectives[0].key_results[2].checkins[0].value",
        "a yes/no key result takes 0 or 1, not 0.5",
        where="checkins: [{at: 2026-10-21, value: 0.5}]",
    ),
    "confidence-not-one-of-the-three-words": Bad(
        "confidence: on_track",
        "confidence: fine",
        "objectives[0].key_results[0].checkins[0].confidence",
        "Input should be 'on_track', 'at_risk' or 'off_track'",
    ),
    "checkin-far-in-the-future": Bad(
        "at: 2026-10-20",
        "at: 2099-10-20",
        "objectives[0].key_results[0].checkins[0].at",
        "2099-10-20T00:00:00+00:00 is in the future",
    ),
    "unknown-key": Bad(
        "        target: 5\n",
        "        tagret: 5\n",
        "objectives[0].key_results[0].tagret",
        "Extra inputs are not permitted",
    ),
    "unknown-top-level-key": Bad(
        "objectives:\n", "objetives:\n", "objetives", "Extra inputs are not permitted"
    ),
    "unknown-type": Bad(
        "type: range",
        "type: ranged",
        "objectives[0].key_results[1].type",
        "Input should be 'metric', 'boolean', 'milestones', 'stay_above', 'stay_below', "
        "'range', 'linked' or 'initiatives'",
    ),
    "missing-required-key": Bad(
        "        title: Engineers hired\n",
        "        titel: Engineers hired\n",
        "objectives[0].key_results[0].title",
        "Field required",
        where="- ref: engineers",
    ),
    "linked-key-result-loop-in-the-file": Bad(
        *appended(
            "  - ref: loop-c\n"
            "    title: C\n"
            "    cycle: q4-2026\n"
            "    owner: ana@acme.test\n"
            "    key_results:\n"
            "      - {ref: c-follows-d, title: Follows D, type: linked, objective: loop-d}\n"
            "  - ref: loop-d\n"
            "    title: D\n"
            "    cycle: q4-2026\n"
            "    owner: ana@acme.test\n"
            "    key_results:\n"
            "      - {ref: d-follows-c, title: Follows C, type: linked, objective: loop-c}\n"
        ),
        "objectives[2].key_results[0].objective",
        "following 'loop-c' would make a loop of linked key results",
        where="Follows C",
    ),
    # delivery's roll-up follows some-child-objective in the database; the file makes
    # some-child-objective follow delivery.
    "linked-key-result-loop-closed-by-the-database": Bad(
        *appended(
            "  - ref: some-child-objective\n"
            "    title: Ship the onboarding revamp\n"
            "    cycle: q4-2026\n"
            "    team: pmo\n"
            "    owner: ana@acme.test\n"
            "    parents: [delivery]\n"
            "    key_results:\n"
            "      - {ref: onboarding-done, title: Onboarding revamp shipped, type: boolean}\n"
            "      - {ref: follows-delivery, title: Delivery, type: linked, objective: delivery}\n"
        ),
        "objectives[1].key_results[1].objective",
        "following 'delivery' would make a loop of linked key results",
        where="ref: follows-delivery",
    ),
    "linked-key-result-following-its-own-objective": Bad(
        "objective: some-child-objective}",
        "objective: hiring}",
        "objectives[0].key_results[3].objective",
        "a key result cannot follow its own objective",
    ),
    "second-checkin-at-the-same-moment": Bad(
        "by: bob@acme.test}\n",
        'by: bob@acme.test}\n          - {at: "2026-10-20T00:00:00Z", value: 3}\n',
        "objectives[0].key_results[0].checkins[1].at",
        "a second check-in at 2026-10-20T00:00:00+00:00",
        where="value: 3}",
    ),
    "malformed-yaml": Bad(
        "        type: range\n",
        "       type: range\n",
        "",
        "not valid YAML",
        where="       type: range",
    ),
    # Values YAML reads as dates and numbers must exist and fit (they crashed the importer).
    "date-of-year-0": Bad(
        "due: 2026-12-15",
        "due: 0000-00-00",
        "objectives[0].key_results[0].due",
        "'0000-00-00' is not a valid date or date-time: year 0 is out of range",
    ),
    "date-of-30-february": Bad(
        "due: 2026-12-15",
        "due: 2026-02-30",
        "objectives[0].key_results[0].due",
        "'2026-02-30' is not a valid date or date-time: day is out of range for month",
    ),
    "utc-offset-of-25-hours": Bad(
        "at: 2026-10-20,",
        "at: 2026-10-20T10:00:00+25:00,",
        "objectives[0].key_results[0].checkins[0].at",
        "'2026-10-20T10:00:00+25:00' is not a valid date or date-time: "
        "the UTC offset must be less than 24 hours",
    ),
    "moment-before-year-1-in-utc": Bad(
        "at: 2026-10-20,",
        "at: 0001-01-01T00:30:00+01:00,",
        "objectives[0].key_results[0].checkins[0].at",
        "'0001-01-01T00:30:00+01:00' is not a valid date or date-time: "
        "it lies outside the supported range of dates",
    ),
    "number-of-5000-digits": Bad(
        "        target: 5\n",
        f"        target: {'9' * 5000}\n",
        "objectives[0].key_results[0].target",
        "a number of 5,000 characters is too long",
    ),
    # Text that cannot be stored (NUL) or would drive a terminal (control characters), with
    # the API's wording (`rules.text_problems`).
    "nul-in-a-title": Bad(
        "title: Engineers hired",
        'title: "Engineers\\0hired"',
        "objectives[0].key_results[0].title",
        "must not contain NUL characters",
    ),
    "ansi-escape-in-a-title": Bad(
        "title: Hire a strong team",
        'title: "Hire a \\e[2J\\e[31mstrong team"',
        "objectives[0].title",
        "must not contain control characters (U+001B)",
    ),
    "c1-control-in-a-name": Bad(
        "name: Bob Stone}",
        'name: "Bob \\x9b31mStone"}',
        "people[1].name",
        "must not contain control characters (U+009B)",
    ),
    "bell-in-a-checkin-note": Bad(
        "confidence: on_track,",
        'confidence: on_track, note: "ding\\a",',
        "objectives[0].key_results[0].checkins[0].note",
        "must not contain control characters (U+0007)",
    ),
    # YAML features an OKR file never needs.
    "binary-tag": Bad(
        "title: Engineers hired",
        "title: !!binary RW5naW5lZXJzIGhpcmVk",
        "objectives[0].key_results[0].title",
        "YAML tags (!!binary) are not allowed; write a plain value",
    ),
    "python-tag": Bad(
        "title: Engineers hired",
        "title: !!python/object/apply:os.system [echo pwned]",
        "objectives[0].key_results[0].title",
        "YAML tags (!!python/object/apply:os.system) are not allowed; write a plain value",
    ),
    "set-tag": Bad(
        "parents: [company-growth]",
        "parents: !!set {company-growth}",
        "objectives[0].parents",
        "YAML tags (!!set) are not allowed; write a plain value",
    ),
    "timestamp-tag": Bad(
        "due: 2026-12-15",
        "due: !!timestamp 2026-12-15",
        "objectives[0].key_results[0].due",
        "YAML tags (!!timestamp) are not allowed; write a plain value",
    ),
    "anchor": Bad(
        "members: [ana@acme.test, bob@acme.test], leads: [ana@acme.test]}",
        "members: &pmo [ana@acme.test, bob@acme.test], leads: *pmo}",
        "teams[1].members",
        "YAML anchors (&pmo) are not allowed",
    ),
    "alias": Bad(
        "members: [ana@acme.test, bob@acme.test], leads: [ana@acme.test]}",
        "members: &pmo [ana@acme.test, bob@acme.test], leads: *pmo}",
        "teams[1].leads",
        "YAML aliases (*pmo) are not allowed",
    ),
    "merge-key": Bad(
        "    cycle: q4-2026\n",
        "    <<: {cycle: q4-2026}\n",
        "objectives[0]",
        "merge keys (<<) are not allowed",
    ),
    "duplicate-key": Bad(
        "        target: 5\n",
        "        target: 5\n        target: 6\n",
        "objectives[0].key_results[0].target",
        "duplicate key (first on line 24)",
        where="target: 6",
    ),
    "duplicate-top-level-key": Bad(
        "organization: Acme\n",
        "organization: Acme\norganization: Globex\n",
        "organization",
        "duplicate key (first on line 1)",
        where="Globex",
    ),
    "second-document": Bad(
        *appended("---\norganization: Globex\n"),
        "",
        "the file holds more than one YAML document",
        where="---",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_file_is_refused_naming_file_line_and_field(
    seeded: None, tmp_path: Path, case: Bad
) -> None:
    path, message = refuse(tmp_path, case.text())
    where = f"{path}:{case.line()}: "
    expected = f"{where}{case.field}: {case.message}" if case.field else f"{where}{case.message}"
    assert expected in message


def test_start_equal_to_target_names_line_24(seeded: None, tmp_path: Path) -> None:
    path, message = refuse(tmp_path, replace_once(GOOD, "target: 5", "target: 0"))
    assert f"{path}:24: objectives[0].key_results[0].target: must differ from start (0)" in message


def test_low_not_below_high_names_line_33(seeded: None, tmp_path: Path) -> None:
    path, message = refuse(tmp_path, replace_once(GOOD, "high: 90", "high: 60"))
    assert f"{path}:33: objectives[0].key_results[1].high: must be greater than low" in message


def test_unknown_linked_objective_in_a_flow_mapping_names_line_35(
    seeded: None, tmp_path: Path
) -> None:
    path, message = refuse(
        tmp_path, replace_once(GOOD, "objective: some-child-objective}", "objective: nope}")
    )
    assert f"{path}:35: objectives[0].key_results[3].objective: unknown objective 'nope'" in message


def test_typo_in_a_key_names_line_25(seeded: None, tmp_path: Path) -> None:
    path, message = refuse(tmp_path, replace_once(GOOD, "weight: 1", "wieght: 1"))
    assert f"{path}:25: objectives[0].key_results[0].wieght: Extra inputs" in message


def test_malformed_yaml_names_line_31(seeded: None, tmp_path: Path) -> None:
    path, message = refuse(
        tmp_path, replace_once(GOOD, "        type: range", "       type: range")
    )
    assert message.startswith(f"{path}:31: not valid YAML")


def test_cycle_ending_before_it_starts_names_line_11(seeded: None, tmp_path: Path) -> None:
    text = replace_once(
        GOOD, "start: 2026-10-01, end: 2026-12-31}", "start: 2026-10-01, end: 2026-09-30}"
    )
    path, message = refuse(tmp_path, text)
    assert f"{path}:11: cycles[1].end: the cycle ends (2026-09-30) before it starts" in message


def test_checkin_a_day_in_the_future_is_refused(seeded: None, tmp_path: Path) -> None:
    tomorrow = (timezone.now() + timedelta(days=1)).date()
    text = replace_once(GOOD, "at: 2026-10-20", f"at: {tomorrow.isoformat()}")
    path, message = refuse(tmp_path, text)
    assert f"{path}:28: objectives[0].key_results[0].checkins[0].at: " in message
    assert "is in the future" in message


def test_checkin_a_minute_in_the_future_is_refused(seeded: None, tmp_path: Path) -> None:
    soon = (timezone.now() + timedelta(minutes=1)).replace(microsecond=0)
    text = replace_once(GOOD, "at: 2026-10-20", f'at: "{soon.isoformat()}"')
    path, message = refuse(tmp_path, text)
    assert f"{path}:28: objectives[0].key_results[0].checkins[0].at: " in message


def test_every_problem_of_the_file_is_named_at_once(seeded: None, tmp_path: Path) -> None:
    text = replace_once(GOOD, "target: 5", "target: 0")
    text = replace_once(text, "high: 90", "high: 60")
    text = replace_once(text, "    team: pmo\n", "    team: nope\n")
    _, message = refuse(tmp_path, text)
    assert len(message.splitlines()) == 3


def test_person_of_another_organization_is_refused(seeded: None, tmp_path: Path) -> None:
    text = replace_once(ISSUE_EXAMPLE.read_text(), "organization: Acme", "organization: Globex")
    path, message = refuse(tmp_path, text)
    line = line_number(text, "{email: ana@acme.test")
    assert f"{path}:{line}: people[0].email: ana@acme.test belongs to another organization" in (
        message
    )


def test_missing_optional_key_takes_its_default(seeded: None, tmp_path: Path) -> None:
    text = replace_once(
        ISSUE_EXAMPLE.read_text(),
        "    kind: committed                     # or aspirational (default)\n",
        "",
    )
    text = replace_once(
        text, "settings: {at_risk_gap: 0.10, off_track_gap: 0.25}", "settings: {at_risk_gap: 0.05}"
    )
    import_yaml(tmp_path, text)
    assert Objective.objects.get(ref="delivery").kind == "aspirational"
    organization = Organization.objects.get(name="Acme")
    assert (organization.at_risk_gap, organization.off_track_gap) == (D("0.05"), D("0.25"))


def test_refusal_on_an_empty_database_leaves_it_empty(tmp_path: Path) -> None:
    refuse(tmp_path, replace_once(GOOD, "target: 5", "target: 0"))
    assert all(not rows for rows in database_state().values())


def test_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path, message = refuse(tmp_path, "- organization: Acme\n")
    assert f"{path}:1: the file must be a mapping" in message


def test_empty_file_is_refused(tmp_path: Path) -> None:
    _, message = refuse(tmp_path, "")
    assert "must be a mapping" in message


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="cannot be read"):
        import_file(str(tmp_path / "missing.yaml"))


def test_score_override_needs_a_reason(tmp_path: Path) -> None:
    text = ISSUE_EXAMPLE.read_text()
    text = replace_once(text, "end: 2026-12-31}", "end: 2026-12-31, state: closed}")
    text = replace_once(
        text, "    archived: false\n", "    archived: false\n    score_override: 0.3\n"
    )
    path, message = refuse(tmp_path, text)
    line = line_number(text, "  - ref: delivery")  # the objective: the reason is missing
    assert (
        f"{path}:{line}: objectives[2].override_reason: an overridden score needs a written reason"
        in message
    )


def test_score_override_in_an_open_cycle_is_accepted_as_the_close_page_sets_it(
    tmp_path: Path,
) -> None:
    # The close page (and the API) let an owner prepare the final score before the cycle
    # closes; the file format takes what they stored, or Pacer's export would fail its import.
    text = replace_once(
        ISSUE_EXAMPLE.read_text(),
        "    archived: false\n",
        "    archived: false\n    score_override: 0.3\n    override_reason: Good enough\n",
    )
    import_file(str(write_file(tmp_path, text, "override.yaml")))
    objective = Objective.objects.get(score_override__isnull=False)
    assert (objective.score_override, objective.override_reason) == (Decimal("0.3"), "Good enough")
    assert not objective.cycle.is_closed


def test_import_command_fails_with_every_problem_on_stderr(seeded: None, tmp_path: Path) -> None:
    before = full_snapshot()
    path = write_file(tmp_path, replace_once(GOOD, "target: 5", "target: 0"), "bad.yaml")
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 problem"):
        call_command("import", str(path), stdout=io.StringIO(), stderr=err)

    assert f"{path}:24: objectives[0].key_results[0].target" in err.getvalue()
    assert full_snapshot() == before


# --- Changes to a closed cycle ----------------------------------------------------------


def closed_example() -> str:
    return replace_once(
        ISSUE_EXAMPLE.read_text(),
        '{ref: q4-2026, name: "2026 Q4", start: 2026-10-01, end: 2026-12-31}',
        '{ref: q4-2026, name: "2026 Q4", start: 2026-10-01, end: 2026-12-31, state: closed}',
    )


def test_changing_a_checkin_of_a_closed_cycle_is_refused(tmp_path: Path) -> None:
    text = closed_example()
    import_yaml(tmp_path, text)
    _, message = refuse(tmp_path, replace_once(text, "value: 30,", "value: 80,"))
    assert "objectives[2].key_results[0].checkins[0]: belongs to a closed cycle" in message


def test_adding_a_key_result_to_a_closed_cycle_is_refused(tmp_path: Path) -> None:
    text = closed_example()
    import_yaml(tmp_path, text)
    bad = replace_once(
        text,
        "      - {ref: launched, title: Beta launched, type: boolean}\n",
        "      - {ref: launched, title: Beta launched, type: boolean}\n"
        "      - {ref: late, title: Added late, type: boolean}\n",
    )
    _, message = refuse(tmp_path, bad)
    assert "belongs to a closed cycle; cannot add to it" in message


def test_moving_an_objective_out_of_a_closed_cycle_is_refused(tmp_path: Path) -> None:
    text = closed_example()
    text = replace_once(
        text,
        "    archived: false\n",
        "    archived: false\n    score_override: 0.5\n    override_reason: Fair\n",
    )
    import_yaml(tmp_path, text)
    moved = replace_once(
        text,
        "    cycle: q4-2026\n    team: pmo                           # optional\n",
        "    cycle: y2026\n    team: pmo                           # optional\n",
    )
    moved = replace_once(moved, "    score_override: 0.5\n    override_reason: Fair\n", "")
    refuse(tmp_path, moved)


def test_moving_a_key_result_out_of_a_closed_cycle_is_refused(tmp_path: Path) -> None:
    import_yaml(tmp_path, closed_example())
    # The last key result of delivery, so that the others keep their positions.
    roll_up = (
        "      - {ref: roll-up, title: Team goal, type: linked, objective: some-child-objective}\n"
    )
    text = replace_once(closed_example(), roll_up, "")
    text = replace_once(
        text,
        "  - ref: company-growth\n"
        "    title: Grow the company\n"
        "    cycle: y2026\n"
        "    team: acme\n"
        "    owner: ana@acme.test\n",
        "  - ref: company-growth\n"
        "    title: Grow the company\n"
        "    cycle: y2026\n"
        "    team: acme\n"
        "    owner: ana@acme.test\n"
        "    key_results:\n" + roll_up,
    )
    refuse(tmp_path, text)


# --- Known gaps -------------------------------------------------------------------------


def test_negative_milestone_weight_is_refused(tmp_path: Path) -> None:
    text = replace_once(
        ISSUE_EXAMPLE.read_text(),
        "{title: Programme B, weight: 2}",
        "{title: Programme B, weight: -0.5}",
    )
    _, message = refuse(tmp_path, text)
    assert "objectives[2].key_results[1].milestones[1].weight" in message


def test_link_loop_through_a_key_result_left_out_of_the_file_is_refused(
    seeded: None, tmp_path: Path
) -> None:
    # In the database delivery's `roll-up` follows some-child-objective. The file lists
    # delivery without its key results (which therefore stay) and makes
    # some-child-objective follow delivery.
    text = """\
organization: Acme
people:
  - {email: ana@acme.test, name: Ana Lima, admin: true}
objectives:
  - {ref: delivery, title: Enhance project delivery efficiency and quality,
     cycle: q4-2026, team: pmo, owner: ana@acme.test, kind: committed,
     parents: [company-growth]}
  - ref: some-child-objective
    title: Ship the onboarding revamp
    cycle: q4-2026
    team: pmo
    owner: ana@acme.test
    parents: [delivery]
    key_results:
      - {ref: follows-delivery, title: Delivery, type: linked, objective: delivery}
"""
    path, message = refuse(tmp_path, text)
    assert f"{path}:15: objectives[1].key_results[0].objective: following 'delivery'" in message


def test_shape_and_rule_problems_are_named_together(seeded: None, tmp_path: Path) -> None:
    text = replace_once(GOOD, "weight: 1", "wieght: 1")
    text = replace_once(text, "high: 90", "high: 60")
    _, message = refuse(tmp_path, text)
    assert "wieght" in message and "key_results[1].high" in message


def test_rule_problem_after_a_left_out_item_names_its_own_line(tmp_path: Path) -> None:
    text = """organization: Shapes
people:
  - {email: ana@acme.test, name: Ana}
cycles:
  - {ref: q1, name: Q1, start: 2026-01-01, end: 2026-03-31}
objectives:
  - {ref: broken, title: Broken, cycle: q1, owner: ana@acme.test, colour: blue}
  - ref: fine
    title: Fine
    cycle: q1
    owner: ana@acme.test
    parents: [broken]
    key_results:
      - {ref: k-bad, title: Bad, type: metric, start: 1, target: 1, extra: 2}
      - {ref: k-ok, title: Ok, type: range, low: 5, high: 1}
"""
    _, message = refuse(tmp_path, text)
    lines = message.splitlines()
    assert any(":7: objectives[0].colour" in line for line in lines)
    assert any(":14: objectives[1].key_results[0].extra" in line for line in lines)
    assert any(":15: objectives[1].key_results[1].high" in line for line in lines)
    # The left-out objective is known by its ref: no second, misleading problem about it.
    assert "unknown objective 'broken'" not in message


# --- The real console script ------------------------------------------------------------


def test_console_script_exits_1_on_a_bad_file_and_0_on_a_good_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_pacer(data, "migrate", "-v0").returncode == 0
    bad = write_file(tmp_path, replace_once(GOOD, "target: 5", "target: 0"), "bad.yaml")
    assert run_pacer(data, "import", str(ISSUE_EXAMPLE)).returncode == 0

    refused = run_pacer(data, "import", str(bad))
    assert refused.returncode == 1
    assert f"{bad}:24: objectives[0].key_results[0].target: must differ from start" in (
        refused.stderr
    )
    assert "nothing was imported" in refused.stderr
    again = run_pacer(data, "import", str(ISSUE_EXAMPLE))
    assert (again.returncode, again.stdout.strip()) == (
        0,
        f"{ISSUE_EXAMPLE}: nothing to change.",
    )


def test_dry_run_leaves_every_computed_number_as_it_was(seeded: None, tmp_path: Path) -> None:
    before = export_json()
    import_file(str(ISSUE_EXAMPLE), dry_run=True)
    after = export_json()
    assert before == after
    assert objectives_by_ref(after)["delivery"]["progress"] == 0.125
    assert key_results_by_ref(after)["adoption"]["current"] == 30


def test_type_change_is_checked_against_stored_checkins(seeded: None, tmp_path: Path) -> None:
    text = ISSUE_EXAMPLE.read_text()
    start = text.index("      - ref: adoption")
    end = text.index("      - {ref: trainings")
    text = (
        text[:start]
        + "      - {ref: adoption, title: PM tool adoption, type: boolean}\n"
        + text[end:]
    )
    with contextlib.suppress(ImportFailed):  # refusing the change is one possible fix
        import_yaml(tmp_path, text)
    # Whatever the fix, the database must stay exportable and importable.
    exported = export_text("yaml")
    import_yaml(tmp_path, exported, name="exported.yaml")


def test_type_change_names_the_stored_checkin_that_does_not_fit(
    seeded: None, tmp_path: Path
) -> None:
    text = ISSUE_EXAMPLE.read_text()
    start = text.index("      - ref: adoption")
    end = text.index("      - {ref: trainings")
    text = (
        text[:start]
        + "      - {ref: adoption, title: PM tool adoption, type: boolean}\n"
        + text[end:]
    )
    _, message = refuse(tmp_path, text)
    assert (
        "key_results[0].type: cannot become boolean: its check-in of 2026-10-14 "
        "(a yes/no key result takes 0 or 1, not 30" in message
    )
