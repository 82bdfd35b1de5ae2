"""`pacer export`: the numbers of the contract in JSON, a YAML that imports back to itself,
CSV for spreadsheets, and only what the chosen person may see.

tests/fixtures/all_types.yaml holds every key result type. Its April push runs 30 days
(2026-04-01 to 2026-05-01), so on 2026-04-16 the expected progress is exactly 0.5.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management.base import CommandError
from django.utils import timezone

from pacer.okrs.models import CheckIn, Cycle, KeyResult, Objective, Team
from tests.factories import (
    ALL_TYPES,
    ISSUE_EXAMPLE,
    D,
    export_json,
    export_text,
    import_fixture,
    import_yaml,
    key_results_by_ref,
    objectives_by_ref,
    replace_once,
    run_command,
    wipe_database,
)

pytestmark = pytest.mark.django_db

MID_APRIL = "2026-04-16"  # expected progress 0.5 in the April push


@pytest.fixture
def all_types() -> None:
    import_fixture(ALL_TYPES)


def numbers(entry: dict[str, Any], *names: str) -> tuple[Any, ...]:
    return tuple(entry[name] for name in names)


def krs(as_of: str = MID_APRIL, *args: str) -> dict[str, dict[str, Any]]:
    return key_results_by_ref(export_json(*args, as_of=as_of))


def objectives(as_of: str = MID_APRIL, *args: str) -> dict[str, dict[str, Any]]:
    return objectives_by_ref(export_json(*args, as_of=as_of))


PACE = ("progress", "expected", "status", "score", "color")


# --- JSON: the numbers of the contract ----------------------------------------------------


def test_metric_progress_expected_status_score_and_color(all_types: None) -> None:
    signups = krs()["signups"]
    # (150 - 100) / (200 - 100) = 0.5; half of the window is gone.
    assert numbers(signups, *PACE) == (0.5, 0.5, "on_track", 0.5, "yellow")
    assert (signups["current"], signups["confidence"]) == (150, "at_risk")


def test_backdated_checkin_does_not_replace_newer(all_types: None) -> None:
    """The check-in at 04-05 (190) was written after the one at 04-10 (150)."""
    signups = krs()["signups"]
    assert [c["value"] for c in signups["checkins"]] == [190, 150]  # ordered by `at`
    assert CheckIn.objects.get(key_result__ref="signups", value=190).pk > (
        CheckIn.objects.get(key_result__ref="signups", value=150).pk
    )
    assert signups["current"] == 150
    assert signups["confidence"] == "at_risk"  # the confidence of the current check-in
    assert signups["progress"] == 0.5


def test_decreasing_metric_uses_the_same_formula(all_types: None) -> None:
    churn = krs()["churn"]
    # (8.5 - 10) / (4 - 10) = 0.25; gap 0.25 is still at risk; 0.25 rounds half up to 0.3.
    assert numbers(churn, *PACE) == (0.25, 0.5, "at_risk", 0.3, "red")
    assert (churn["current"], churn["confidence"], churn["unit"]) == (8.5, None, "%")


def test_objective_progress_is_the_weighted_mean_of_its_key_results(all_types: None) -> None:
    metrics = objectives()["metrics"]
    # signups 0.5 (weight 2), churn 0.25 (weight 1), vanity 1.0 (weight 0): 1.25 / 3.
    assert numbers(metrics, *PACE) == (0.416666666667, 0.5, "on_track", 0.4, "yellow")
    assert krs()["vanity"]["progress"] == 1


def test_objective_without_key_results_or_weight_has_no_progress(all_types: None) -> None:
    by_ref = objectives()
    assert numbers(by_ref["empty"], *PACE) == (0, 0.5, "off_track", 0, "red")
    assert numbers(by_ref["zero-weight"], *PACE) == (0, 0.5, "off_track", 0, "red")
    assert krs()["weightless"]["progress"] == 1


def test_milestones_progress_counts_weights_and_status_uses_the_due_date(
    all_types: None,
) -> None:
    feedback = krs()["feedback"]
    # Done: A (1) and B (2) of 4. Window 04-01..04-21: 15 of 20 days gone.
    assert numbers(feedback, *PACE) == (0.75, 0.75, "on_track", 0.8, "green")
    assert feedback["current"] == 2  # milestones done
    assert feedback["confidence"] == "at_risk"  # from its value-less check-in
    assert feedback["milestones"] == [
        {"title": "Session A", "done": True},
        {"title": "Session B", "weight": 2, "done": True},
        {"title": "Session C"},
    ]
    assert numbers(objectives()["programmes"], *PACE) == (0.75, 0.5, "on_track", 0.8, "green")


def test_stay_above_stay_below_and_range(all_types: None) -> None:
    by_ref = krs()
    assert numbers(by_ref["uptime"], *PACE) == (1, 0.5, "on_track", 1, "green")
    assert numbers(by_ref["latency"], *PACE) == (0, 0.5, "off_track", 0, "red")
    assert numbers(by_ref["nps"], *PACE) == (1, 0.5, "on_track", 1, "green")
    assert numbers(by_ref["nps-edge"], *PACE) == (
        1,
        0.5,
        "on_track",
        1,
        "green",
    )  # low <= 60 <= high
    assert (by_ref["uptime"]["current"], by_ref["latency"]["current"]) == (99.7, 350)


def test_health_key_result_before_its_first_checkin_is_on_track(all_types: None) -> None:
    budget = krs()["error-budget"]
    assert numbers(budget, *PACE) == (0, 0.5, "on_track", 0, "red")
    assert budget["current"] is None and budget["confidence"] is None


def test_boolean_is_on_track_until_the_window_ends_then_off_track(all_types: None) -> None:
    assert numbers(krs()["launched"], *PACE) == (0, 0.5, "on_track", 0, "red")
    assert krs("2026-04-30")["launched"]["status"] == "on_track"
    assert krs("2026-05-01")["launched"]["status"] == "off_track"
    assert krs("2026-06-01")["launched"]["status"] == "off_track"
    assert krs()["launched"]["current"] is None


def test_boolean_at_1_is_done(all_types: None) -> None:
    beta = krs("2026-06-01")["beta"]
    assert numbers(beta, *PACE) == (1, 1, "done", 1, "green")
    assert (beta["current"], beta["confidence"]) == (1, "on_track")


def test_health_objective_mixes_its_types(all_types: None) -> None:
    # uptime, nps, nps-edge and beta hold; latency, launched and error-budget do not: 4/7.
    assert numbers(objectives()["health"], *PACE) == (
        0.571428571429,
        0.5,
        "on_track",
        0.6,
        "yellow",
    )


def test_linked_key_results_follow_their_objective(all_types: None) -> None:
    by_ref = krs()
    assert numbers(by_ref["mid-follows-base"], *PACE) == (0.4, 0.5, "on_track", 0.4, "yellow")
    assert by_ref["mid-follows-base"]["current"] == 0.4
    assert by_ref["mid-follows-base"]["objective"] == "base"
    # mid: (0.4 + 0.8) / 2; top follows mid.
    assert objectives()["mid"]["progress"] == 0.6
    assert numbers(by_ref["top-follows-mid"], *PACE) == (0.6, 0.5, "on_track", 0.6, "yellow")
    assert objectives()["top"]["progress"] == 0.6


def test_a_checkin_flows_up_a_chain_of_two_links(all_types: None) -> None:
    run_command("checkin", "base-metric", "9", "--at", "2026-04-20")

    by_ref, by_objective = krs(), objectives()
    assert by_objective["base"]["progress"] == 0.9
    assert by_ref["mid-follows-base"]["progress"] == 0.9
    assert by_objective["mid"]["progress"] == 0.85  # (0.9 + 0.8) / 2
    assert by_ref["top-follows-mid"]["progress"] == 0.85
    assert numbers(by_objective["top"], *PACE) == (0.85, 0.5, "on_track", 0.9, "green")
    # Alignment alone never changes a parent: mid supports top but so does nothing else.
    run_command("recompute", "--check")


def test_scores_round_half_up_and_take_their_colour(all_types: None) -> None:
    by_ref = krs()
    assert numbers(by_ref["g65"], "progress", "score", "color") == (0.65, 0.7, "green")
    assert numbers(by_ref["g64"], "progress", "score", "color") == (0.64, 0.6, "yellow")
    assert numbers(by_ref["g35"], "progress", "score", "color") == (0.35, 0.4, "yellow")
    assert numbers(by_ref["g34"], "progress", "score", "color") == (0.34, 0.3, "red")
    # Gaps 0.15 are at risk.
    assert by_ref["g35"]["status"] == by_ref["g34"]["status"] == "at_risk"
    assert numbers(objectives()["grading"], *PACE) == (0.495, 0.5, "on_track", 0.5, "yellow")


def test_as_of_changes_expected_and_status_never_progress(all_types: None) -> None:
    before, middle, after = krs("2026-03-15"), krs(), krs("2026-05-10")
    for ref in before:
        assert before[ref]["progress"] == middle[ref]["progress"] == after[ref]["progress"]
        assert before[ref]["current"] == middle[ref]["current"] == after[ref]["current"]
    assert numbers(before["signups"], "expected", "status") == (0, "on_track")
    assert numbers(after["signups"], "expected", "status") == (1, "off_track")
    assert numbers(after["churn"], "expected", "status") == (1, "off_track")
    assert after["g65"]["status"] == "off_track"  # gap 0.35
    assert krs("2026-04-22")["signups"]["status"] == "at_risk"  # e = 0.7, gap 0.2


def test_objective_expected_follows_its_own_cycle(all_types: None) -> None:
    yearly = objectives()["yearly"]
    # 2026-01-01 to 2026-12-31: 105 of 364 days gone on 2026-04-16.
    assert yearly["expected"] == float(Decimal(105) / Decimal(364))
    assert numbers(yearly, "progress", "status", "score", "color") == (
        0.25,
        "on_track",
        0.3,
        "red",
    )


def test_organization_bands_decide_the_status(tmp_path: Path) -> None:
    text = replace_once(
        ALL_TYPES.read_text(),
        "settings: {at_risk_gap: 0.10, off_track_gap: 0.25}",
        "settings: {at_risk_gap: 0.05, off_track_gap: 0.20}",
    )
    import_yaml(tmp_path, text)
    by_ref = krs()
    assert by_ref["g35"]["status"] == "at_risk"  # gap 0.15
    assert by_ref["churn"]["status"] == "off_track"  # gap 0.25 > 0.20
    assert krs("2026-04-17")["signups"]["status"] == "on_track"  # gap 1/30 < 0.05
    assert krs("2026-04-18")["signups"]["status"] == "at_risk"  # gap 2/30 > 0.05


def test_export_without_as_of_uses_today(all_types: None) -> None:
    from datetime import date

    assert export_text("json") == export_text("json", "--as-of", date.today().isoformat())


# --- Closed cycles ---------------------------------------------------------------------


def test_closed_cycle_in_the_file_freezes_final_scores(all_types: None) -> None:
    retro = Objective.objects.get(ref="retro")
    assert retro.cycle.is_closed
    assert (retro.progress, retro.final_score) == (D("0.3"), D("0.3"))
    assert (retro.score_override, retro.override_reason) == (D("0.5"), "The goal moved in February")
    assert KeyResult.objects.get(ref="retro-metric").final_score == D("0.3")

    with pytest.raises(CommandError, match="closed"):
        run_command("checkin", "retro-metric", "9", "--at", "2026-03-30")
    assert CheckIn.objects.filter(key_result__ref="retro-metric").count() == 1


def test_closed_objective_exports_its_override_as_score(all_types: None) -> None:
    retro = objectives("2026-06-01")["retro"]
    assert numbers(retro, "progress", "score", "color") == (0.3, 0.5, "yellow")
    assert (retro["score_override"], retro["override_reason"]) == (
        0.5,
        "The goal moved in February",
    )
    assert (retro["went_well"], retro["went_wrong"], retro["learned"]) == (
        "Weekly check-ins",
        "Late start",
        "Start on day one",
    )
    assert krs("2026-06-01")["retro-metric"]["score"] == 0.3


def test_closed_objective_exports_its_computed_final_score_beside_the_override(
    all_types: None,
) -> None:
    retro = objectives("2026-06-01")["retro"]
    assert retro.get("final_score") == 0.3


# --- YAML: round trip ------------------------------------------------------------------


@pytest.mark.parametrize("fixture", [ALL_TYPES, ISSUE_EXAMPLE], ids=["all-types", "issue"])
def test_yaml_export_imports_into_an_empty_database_and_exports_the_same(
    tmp_path: Path, fixture: Path
) -> None:
    import_fixture(fixture)
    first = export_text("yaml")
    numbers_before = export_json(as_of=MID_APRIL)

    wipe_database()
    assert not Objective.objects.exists()
    import_yaml(tmp_path, first)

    assert export_text("yaml") == first
    assert export_json(as_of=MID_APRIL) == numbers_before


def test_yaml_export_is_the_file_format(all_types: None) -> None:
    document = yaml.safe_load(export_text("yaml"))
    assert list(document) == ["organization", "settings", "people", "teams", "cycles", "objectives"]
    by_ref = key_results_by_ref(document)
    assert "progress" not in by_ref["signups"]  # computed fields are JSON only
    churn_checkin = by_ref["churn"]["checkins"][0]
    assert churn_checkin["at"] == "2026-04-12T09:30:00+00:00"
    assert by_ref["signups"]["checkins"][0]["at"].isoformat() == "2026-04-05"


def test_exported_file_imports_again_without_changes(all_types: None, tmp_path: Path) -> None:
    report = import_yaml(tmp_path, export_text("yaml"))
    assert not report.changed


def test_the_file_leaves_a_teams_archiving_alone(tmp_path: Path) -> None:
    """Archiving a team is not part of the file (docs/okr-file.md): the export lists an
    archived team like the others, and an import neither archives nor restores one."""
    import_fixture(ISSUE_EXAMPLE)
    Team.objects.filter(ref="pmo").update(archived_at=timezone.now())
    text = export_text("yaml")
    (pmo,) = [team for team in yaml.safe_load(text)["teams"] if team["ref"] == "pmo"]
    assert pmo == {
        "ref": "pmo",
        "name": "Project Management Office",
        "parent": "acme",
        "members": ["ana@acme.test"],
        "leads": ["ana@acme.test"],
    }
    assert not import_yaml(tmp_path, text).changed
    assert Team.objects.get(ref="pmo").archived_at is not None


# --- CSV ---------------------------------------------------------------------------------


def csv_rows(*args: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(export_text("csv", "--as-of", MID_APRIL, *args))))


def test_csv_has_one_row_per_key_result(all_types: None) -> None:
    header = next(csv.reader(io.StringIO(export_text("csv", "--as-of", MID_APRIL))))
    for column in ("objective_ref", "key_result_ref", "progress", "expected", "status", "score"):
        assert column in header
    rows = csv_rows()
    assert [r["key_result_ref"] for r in rows] == list(
        KeyResult.objects.order_by(
            "objective__cycle__start", "objective_id", "position"
        ).values_list("ref", flat=True)
    )
    signups = next(r for r in rows if r["key_result_ref"] == "signups")
    assert (signups["objective_ref"], signups["progress"], signups["status"]) == (
        "metrics",
        "0.5",
        "on_track",
    )
    assert (signups["current"], signups["confidence"], signups["last_checkin_at"]) == (
        "150",
        "at_risk",
        "2026-04-10",
    )
    assert (signups["objective_progress"], signups["objective_score"]) == ("0.416666666667", "0.4")


def test_csv_prefixes_formula_looking_text_with_a_quote(all_types: None) -> None:
    row = next(r for r in csv_rows() if r["key_result_ref"] == "formula")
    assert row["key_result"] == "'=cmd|' /C calc'!A0"


def test_csv_prefixes_every_formula_start(tmp_path: Path) -> None:
    text = ALL_TYPES.read_text()
    text = replace_once(text, "title: Grow sign-ups without churn", 'title: "+SUM(A1:A9)"')
    text = replace_once(text, "title: Monthly churn", 'title: "-2+3"')
    text = replace_once(text, "title: Page views", 'title: "@HYPERLINK(1)"')
    import_yaml(tmp_path, text)
    rows = {r["key_result_ref"]: r for r in csv_rows()}
    assert rows["signups"]["objective"] == "'+SUM(A1:A9)"
    assert rows["churn"]["key_result"] == "'-2+3"
    assert rows["vanity"]["key_result"] == "'@HYPERLINK(1)"
    assert rows["churn"]["start"] == "10"  # numbers are left alone


def test_csv_weight_column_holds_the_default_weight(all_types: None) -> None:
    rows = {r["key_result_ref"]: r for r in csv_rows()}
    assert rows["signups"]["weight"] == "2"
    assert rows["churn"]["weight"] == "1"


# --- Filters -----------------------------------------------------------------------------


def test_cycle_option_exports_only_that_cycle(all_types: None) -> None:
    document = export_json("--cycle", "y2026", as_of=MID_APRIL)
    assert [o["ref"] for o in document["objectives"]] == ["yearly"]
    assert {c["ref"] for c in document["cycles"]} == {"y2026", "q1-2026", "apr-2026"}
    assert [r["key_result_ref"] for r in csv_rows("--cycle", "q1-2026")] == ["retro-metric"]


def test_unknown_cycle_option_is_refused(all_types: None) -> None:
    with pytest.raises(CommandError, match="--cycle: no cycle with ref 'q9'"):
        export_text("json", "--cycle", "q9")


def test_bad_as_of_is_refused(all_types: None) -> None:
    with pytest.raises(CommandError, match="--as-of: '2026-13-01' is not a date"):
        export_text("json", "--as-of", "2026-13-01")


def test_as_outsider_hides_private_objectives_and_their_refs(all_types: None) -> None:
    document = export_json("--as", "cy@bright.test", as_of=MID_APRIL)
    by_objective = objectives_by_ref(document)
    assert "secret" not in by_objective
    assert "secret-metric" not in key_results_by_ref(document)
    open_child = by_objective["open-child"]
    assert open_child["parents"] == ["metrics"]
    follows = key_results_by_ref(document)["follows-hidden"]
    assert "objective" not in follows
    assert "secret" not in export_text("yaml", "--as", "cy@bright.test")
    assert "secret" not in export_text("csv", "--as", "cy@bright.test")


def test_as_outsider_sees_no_numbers_a_key_result_takes_from_a_private_objective(
    all_types: None,
) -> None:
    follows = key_results_by_ref(export_json("--as", "cy@bright.test", as_of=MID_APRIL))
    hidden = follows["follows-hidden"]
    for name in ("progress", "status", "score", "color", "current"):
        assert hidden[name] is None, name
    assert hidden["expected"] > 0  # the date's
    row = next(
        r for r in csv_rows("--as", "cy@bright.test") if r["key_result_ref"] == "follows-hidden"
    )
    assert (row["progress"], row["current"], row["status"]) == ("", "", "")
    seen = key_results_by_ref(export_json("--as", "bob@bright.test", as_of=MID_APRIL))
    assert seen["follows-hidden"]["progress"] == 0.5  # the private plan's, for its team


def test_as_teammate_or_admin_sees_private_objectives(all_types: None) -> None:
    for email in ("bob@bright.test", "ana@bright.test"):
        document = export_json("--as", email, as_of=MID_APRIL)
        assert "secret" in objectives_by_ref(document)
        assert objectives_by_ref(document)["open-child"]["parents"] == ["metrics", "secret"]
        assert key_results_by_ref(document)["follows-hidden"]["objective"] == "secret"


def test_as_without_option_exports_everything(all_types: None) -> None:
    assert len(export_json(as_of=MID_APRIL)["objectives"]) == Objective.objects.count()


def test_as_unknown_person_is_refused(all_types: None) -> None:
    with pytest.raises(CommandError, match=r"--as: no person 'zed@bright\.test'"):
        export_text("json", "--as", "zed@bright.test")


def test_output_option_writes_the_file(all_types: None, tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    assert run_command("export", "--format", "yaml", "-o", str(target)) == ""
    assert target.read_text() == export_text("yaml")


def test_export_needs_an_organization_when_several_exist(all_types: None) -> None:
    import_fixture(ISSUE_EXAMPLE)
    with pytest.raises(CommandError, match="--organization"):
        export_text("json")
    assert export_json("--organization", "Acme")["organization"] == "Acme"
    assert Cycle.objects.filter(organization__name="Brightside").count() == 3
