"""`pacer lint FILE|--cycle REF`: output lines, JSON, exit 0/1/2, --strict, --config, the
organization's settings, and what a person may see."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pacer.coach.models import RuleSetting
from tests.factories import (
    World,
    make_cycle,
    make_key_result,
    make_objective,
    make_team,
    make_world,
    run_argv,
    write_file,
)

CLEAN = """\
organization: Acme
cycles:
  - {ref: q1, name: Q1, start: 2027-01-01, end: 2027-03-31}
objectives:
  - ref: o1
    title: Delight our customers
    cycle: q1
    owner: ann@acme.test
    key_results:
      - {ref: k1, title: Net promoter score, type: metric, start: 20, target: 40}
      - {ref: k2, title: Support tickets per week, type: metric, start: 90, target: 60}
"""
WARNED = CLEAN.replace("Delight our customers", "Delight 1,000 customers")
ACME = ("--organization", "Acme")
BROKEN = CLEAN.replace("start: 20, target: 40", "start: 40, target: 40")


def run(capsys: Any, *args: str) -> tuple[int, str, str]:
    return run_argv(capsys, "lint", *args)


def test_a_clean_file_exits_0(tmp_path: Path, capsys: Any) -> None:
    path = write_file(tmp_path, CLEAN)
    code, out, _ = run(capsys, str(path))
    assert code == 0
    assert out == f"{path}: 0 errors, 0 warnings, 0 infos\n"


def test_an_error_exits_1_with_file_line_path_rule_message(tmp_path: Path, capsys: Any) -> None:
    path = write_file(tmp_path, BROKEN)
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert out.splitlines()[0] == (
        f"{path}:10: objectives[0].key_results[0]: kr-not-measurable: "
        "“Net promoter score”: its start equals its target (40): nothing to move"
    )


def test_warnings_fail_only_with_strict(tmp_path: Path, capsys: Any) -> None:
    path = write_file(tmp_path, WARNED)
    code, out, _ = run(capsys, str(path))
    assert code == 0 and ": objectives[0]: objective-has-metric: " in out
    assert run(capsys, str(path), "--strict")[0] == 1


def test_json_output(tmp_path: Path, capsys: Any) -> None:
    path = write_file(tmp_path, BROKEN)
    code, out, _ = run(capsys, str(path), "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["counts"] == {"error": 1, "warning": 0, "info": 0}
    (finding,) = report["findings"]
    assert finding["rule"] == "kr-not-measurable" and finding["level"] == "error"
    assert finding["line"] == 10 and finding["path"] == "objectives[0].key_results[0]"
    assert finding["file"] == str(path) and finding["hint"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("objectives: [\n", ":2: not valid YAML"),
        ("- just\n- a list\n", ":1: an OKR file is a mapping"),
        ("a: &x 1\nb: *x\n", ":1: "),
    ],
)
def test_a_file_that_cannot_be_read_exits_2(
    tmp_path: Path, capsys: Any, text: str, message: str
) -> None:
    path = write_file(tmp_path, text)
    code, out, err = run(capsys, str(path))
    assert code == 2 and out == ""
    assert f"{path}{message}" in err


def test_a_missing_file_exits_2(tmp_path: Path, capsys: Any) -> None:
    code, _, err = run(capsys, str(tmp_path / "nope.yaml"))
    assert code == 2 and "nope.yaml: cannot be read" in err


def test_a_draft_is_linted_even_where_the_importer_would_refuse_it(
    tmp_path: Path, capsys: Any
) -> None:
    draft = CLEAN.replace("    owner: ann@acme.test\n", "").replace("start: 20", "start: lots")
    code, out, _ = run(capsys, str(write_file(tmp_path, draft)))
    assert code == 1
    assert ": objectives[0]: no-owner: no owner" in out
    assert "kr-not-measurable: “Net promoter score”: a metric key result needs a start" in out


def test_a_config_file_turns_rules_off_and_sets_thresholds(tmp_path: Path, capsys: Any) -> None:
    path = write_file(tmp_path, WARNED)
    config = write_file(
        tmp_path, "rules:\n  objective-has-metric: off\n  too-few-key-results: 3\n", "lint.yaml"
    )
    code, out, _ = run(capsys, str(path), "--config", str(config), "--strict")
    assert code == 1
    assert "objective-has-metric" not in out
    assert "too-few-key-results: 2 key results (fewer than 3)" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules:\n  no-such-rule: off\n", "lint.yaml:2: rules.no-such-rule: no such rule"),
        ("rules:\n  no-owner: 3\n", "lint.yaml:2: rules.no-owner: this rule has no threshold"),
        ("rules:\n  too-few-key-results: -1\n", "the threshold must be a whole number"),
        ("rules:\n  stale: maybe\n", "rules.stale: must be on, off, a threshold"),
        ("rulez: {}\n", "lint.yaml:1: a config file holds one key, rules"),
    ],
)
def test_a_bad_config_file_exits_2_naming_the_line(
    tmp_path: Path, capsys: Any, text: str, message: str
) -> None:
    path = write_file(tmp_path, CLEAN)
    config = write_file(tmp_path, text, "lint.yaml")
    code, _, err = run(capsys, str(path), "--config", str(config))
    assert code == 2 and "--config: " in err and message in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "name an OKR file or --cycle REF"),
        (["x.yaml", "--cycle", "q1"], "name an OKR file or --cycle REF"),
        (["--cycle", "nope", *ACME], "--cycle: no cycle with ref 'nope'"),
        (["--cycle", "2026-q2", *ACME, "--as", "who@acme.test"], "--as: no person 'who@acme.test'"),
        (["--cycle", "2026-q2", "--organization", "Nope"], "no organization named 'Nope'"),
        (["--cycle", "2026-q2"], "several organizations: choose one with --organization"),
        (["x.yaml", "--format", "xml"], "invalid choice: 'xml'"),
    ],
)
@pytest.mark.django_db
def test_bad_arguments_exit_2(capsys: Any, args: list[str], message: str) -> None:
    make_world()
    code, _, err = run(capsys, *args)
    assert code == 2 and message in err


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def test_a_cycle_is_linted_with_refs_instead_of_lines(world: World, capsys: Any) -> None:
    make_key_result(world.public, "launch", type="boolean", title="Launch the beta")
    code, out, _ = run(capsys, "--cycle", "2026-q2", *ACME)
    lines = out.splitlines()
    assert code == 1  # a yes/no key result with no number: kr-not-measurable
    assert "delivery: key_results.launch: kr-not-measurable: " in out
    assert "secret-merger: objective: too-few-key-results: 1 key result (fewer than 2)" in lines


def test_a_cycle_linted_as_a_person_shows_only_what_they_see(world: World, capsys: Any) -> None:
    _, out, _ = run(capsys, "--cycle", "2026-q2", *ACME, "--as", "outsider@acme.test")
    assert "delivery:" in out
    assert "secret" not in out.lower() and "Initech" not in out


def test_a_cycle_shows_stale_key_results(world: World, capsys: Any) -> None:
    _, out, _ = run(capsys, "--cycle", "2026-q2", *ACME)
    # The cycle ended long ago; its key results' last check-in is older than two periods.
    assert "delivery: key_results.adoption: stale: " in out


def test_the_organizations_settings_apply_and_a_config_file_overrides_them(
    world: World, capsys: Any, tmp_path: Path
) -> None:
    RuleSetting.objects.create(organization=world.org, rule="too-few-key-results", enabled=False)
    _, out, _ = run(capsys, "--cycle", "2026-q2", *ACME)
    assert "too-few-key-results" not in out
    config = write_file(tmp_path, "rules:\n  too-few-key-results: on\n", "lint.yaml")
    _, out, _ = run(capsys, "--cycle", "2026-q2", *ACME, "--config", str(config))
    assert "too-few-key-results" in out


def test_a_cycle_suggests_a_parent_from_the_year_around_it(world: World, capsys: Any) -> None:
    year = make_cycle(world.org, "2026", date(2026, 1, 1), date(2026, 12, 31))
    company = make_objective(year, "faster", world.admin, title="Deliver faster everywhere")
    make_key_result(company, "lead-time", title="Lead time to production")
    sub = make_team(world.org, "pay", members=(world.teammate,), parent=world.team)
    child = make_objective(
        world.cycle, "pay-speed", world.teammate, team=sub, title="Faster delivery of payments"
    )
    make_key_result(child, "pay-lead", title="Payments lead time")
    _, out, _ = run(capsys, "--cycle", "2026-q2", *ACME)
    assert (
        "pay-speed: objective: suggest-parent: likely parent: “Deliver faster everywhere” (faster)"
        in out
    )
