"""`pacer checkin` and `pacer recompute`, through call_command and the real console script."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from pacer.accounts.models import User
from pacer.okrs.models import CheckIn, KeyResult, Objective
from tests.factories import (
    ALL_TYPES,
    ISSUE_EXAMPLE,
    D,
    database_state,
    import_fixture,
    run_command,
    run_pacer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def all_types() -> None:
    import_fixture(ALL_TYPES)


def progress(ref: str) -> Decimal:
    return Objective.objects.get(ref=ref).progress


# --- pacer checkin -----------------------------------------------------------------------


def test_checkin_writes_every_option(all_types: None) -> None:
    out = run_command(
        "checkin",
        "signups",
        "180",
        "--confidence",
        "on_track",
        "--note",
        "Campaign live",
        "--at",
        "2026-04-20T08:15:00",
        "--by",
        "CY@bright.test",
    )

    checkin = CheckIn.objects.filter(key_result__ref="signups").latest("at")
    assert (checkin.value, checkin.confidence, checkin.note) == (
        D(180),
        "on_track",
        "Campaign live",
    )
    assert checkin.at == datetime(2026, 4, 20, 8, 15, tzinfo=UTC)  # no zone: UTC
    assert checkin.author == User.objects.get(email="cy@bright.test")
    signups = KeyResult.objects.get(ref="signups")
    assert (signups.current, signups.progress, signups.confidence) == (
        D(180),
        D("0.8"),
        "on_track",
    )
    assert signups.last_checkin_at == checkin.at
    # (2 * 0.8 + 0.25) / 3
    assert progress("metrics") == D("0.616666666667")
    assert out.startswith("signups: current 180")
    assert "progress 80%" in out


def test_checkin_prints_the_value_as_the_web_does(all_types: None) -> None:
    out = run_command("checkin", "launched", "1", "--at", "2026-04-21")
    assert out.startswith("launched: current Yes, progress 100%")


def test_checkin_updates_progress_up_a_chain_of_links(all_types: None) -> None:
    run_command("checkin", "base-metric", "10", "--at", "2026-04-21")

    assert progress("base") == 1
    assert KeyResult.objects.get(ref="mid-follows-base").progress == 1
    assert progress("mid") == D("0.9")
    assert KeyResult.objects.get(ref="top-follows-mid").current == D("0.9")
    assert progress("top") == D("0.9")
    run_command("recompute", "--check")


def test_checkin_with_a_zoned_at_is_stored_in_utc(all_types: None) -> None:
    run_command("checkin", "signups", "170", "--at", "2026-04-20T10:00:00+02:00")
    checkin = CheckIn.objects.filter(key_result__ref="signups").latest("at")
    assert checkin.at == datetime(2026, 4, 20, 8, 0, tzinfo=UTC)


def test_checkin_without_at_is_now(all_types: None) -> None:
    before = timezone.now()
    run_command("checkin", "signups", "120")
    checkin = CheckIn.objects.filter(key_result__ref="signups").latest("at")
    assert before <= checkin.at <= timezone.now()
    assert KeyResult.objects.get(ref="signups").current == D(120)


def test_backdated_checkin_from_the_cli_does_not_replace_the_current_value(
    all_types: None,
) -> None:
    run_command("checkin", "signups", "200", "--at", "2026-04-02")
    signups = KeyResult.objects.get(ref="signups")
    assert (signups.current, signups.progress) == (D(150), D("0.5"))
    assert CheckIn.objects.filter(key_result__ref="signups").count() == 3


def test_checkin_dash_reports_confidence_on_milestones(all_types: None) -> None:
    run_command("checkin", "feedback", "-", "--confidence", "off_track", "--at", "2026-04-18")
    feedback = KeyResult.objects.get(ref="feedback")
    assert (feedback.confidence, feedback.progress, feedback.current) == (
        "off_track",
        D("0.75"),
        D(2),
    )


def test_boolean_checkin_of_1_is_done(all_types: None) -> None:
    run_command("checkin", "launched", "1", "--at", "2026-04-20")
    assert KeyResult.objects.get(ref="launched").progress == 1
    assert progress("health") == D("0.714285714286")  # 5 of 7


def test_checkin_with_dash_keeps_the_last_value(all_types: None) -> None:
    before = KeyResult.objects.get(ref="signups").current
    run_command("checkin", "signups", "-", "--confidence", "at_risk", "--note", "slower")
    checkin = CheckIn.objects.filter(key_result__ref="signups").latest("at")
    assert (checkin.value, checkin.confidence, checkin.note) == (before, "at_risk", "slower")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["signups", "abc"], "VALUE: 'abc' is not a number"),
        (["signups", "NaN"], "VALUE: 'NaN' is not a number"),
        (["signups", "Infinity"], "VALUE: 'Infinity' is not a number"),
        (["signups", ""], "VALUE: '' is not a number"),
        (["no-such-kr", "5"], "KR_REF: no key result with ref 'no-such-kr'"),
        (["signups", "5", "--at", "2099-01-01"], "at: 2099-01-01T00:00:00+00:00 is in the future"),
        (["signups", "5", "--at", "2026-13-01"], "--at: '2026-13-01' is not a date or date-time"),
        (["signups", "5", "--at", "yesterday"], "--at: 'yesterday' is not a date or date-time"),
        (["signups", "5", "--confidence", "fine"], "argument --confidence: invalid choice: 'fine'"),
        (["launched", "2"], "value: a yes/no key result takes 0 or 1, not 2"),
        (["launched", "0.5"], "value: a yes/no key result takes 0 or 1, not 0.5"),
        (["launched", "-"], "value: is required"),  # no earlier value to keep
        (["feedback", "3"], "value: a milestones key result takes no value"),
        (["top-follows-mid", "0.5"], "value: a linked key result takes no value"),
        (["signups", "5", "--by", "zed@bright.test"], "--by: no person 'zed@bright.test'"),
        (["signups", "5", "--by", "ana@acme.test"], "--by: no person 'ana@acme.test'"),
        (["retro-metric", "9"], "cycle: the cycle 2026 Q1 is closed"),
        (["signups", "5", "--organization", "Nope"], "--organization: no organization named"),
    ],
    ids=[
        "value-not-a-number",
        "value-nan",
        "value-infinity",
        "value-empty",
        "unknown-ref",
        "future-at",
        "at-not-a-date",
        "at-a-word",
        "bad-confidence",
        "boolean-2",
        "boolean-half",
        "no-value-and-none-to-keep",
        "value-on-milestones",
        "value-on-linked",
        "unknown-author",
        "author-of-another-organization",
        "closed-cycle",
        "unknown-organization",
    ],
)
def test_bad_checkin_is_refused_naming_the_argument_and_writes_nothing(
    all_types: None, args: list[str], message: str
) -> None:
    before = database_state()
    with pytest.raises(CommandError) as failure:
        run_command("checkin", *args)
    assert message in str(failure.value)
    assert database_state() == before


def test_checkin_a_minute_in_the_future_is_refused(all_types: None) -> None:
    soon = (timezone.now() + timedelta(minutes=1)).isoformat()
    with pytest.raises(CommandError, match="is in the future"):
        run_command("checkin", "signups", "5", "--at", soon)
    assert CheckIn.objects.filter(key_result__ref="signups").count() == 2


def test_checkin_value_too_large_to_store_is_refused(all_types: None) -> None:
    with pytest.raises(CommandError, match="value: is too large"):
        run_command("checkin", "signups", "1e20")
    with pytest.raises(CommandError, match="value: has more than 6 decimal places"):
        run_command("checkin", "signups", "1.1234567")
    assert CheckIn.objects.filter(key_result__ref="signups").count() == 2


def test_checkin_needs_an_organization_when_several_exist(all_types: None) -> None:
    import_fixture(ISSUE_EXAMPLE)
    with pytest.raises(CommandError, match="several organizations"):
        run_command("checkin", "adoption", "40")
    run_command("checkin", "adoption", "45", "--organization", "Acme", "--at", "2026-11-01")
    assert KeyResult.objects.get(ref="adoption").current == D(45)


def test_checkin_on_an_empty_database_says_so() -> None:
    with pytest.raises(CommandError, match="no organization yet"):
        run_command("checkin", "adoption", "40")


# --- pacer recompute ---------------------------------------------------------------------


def test_recompute_check_passes_on_imported_data(all_types: None) -> None:
    import_fixture(ISSUE_EXAMPLE)
    out = run_command("recompute", "--check")
    assert "all stored values are up to date" in out


def test_recompute_check_names_a_corrupted_key_result_and_changes_nothing(
    all_types: None,
) -> None:
    KeyResult.objects.filter(ref="signups").update(progress=Decimal("0.1"))
    before = database_state()

    with pytest.raises(CommandError, match="1 stored value"):
        run_command("recompute", "--check")

    assert database_state() == before


def test_recompute_check_lists_every_difference(all_types: None) -> None:
    KeyResult.objects.filter(ref="signups").update(progress=Decimal("0.1"), current=Decimal(1))
    Objective.objects.filter(ref="health").update(progress=Decimal("0.9"))
    out = StringIO()
    with pytest.raises(CommandError, match="3 stored value"):
        call_command("recompute", "--check", stdout=out)
    lines = out.getvalue().splitlines()
    assert "key result signups: current is 1.000000, computed 150.000000" in lines
    assert "key result signups: progress is 0.100000000000, computed 0.500000000000" in lines
    assert "objective health: progress is 0.900000000000, computed 0.571428571429" in lines


def test_recompute_fixes_what_check_reports(all_types: None) -> None:
    KeyResult.objects.filter(ref="signups").update(progress=Decimal("0.1"))
    Objective.objects.filter(ref="metrics").update(progress=Decimal("0.2"))
    Objective.objects.filter(ref="top").update(progress=Decimal("0"))

    out = run_command("recompute")

    assert "3 value(s) fixed" in out
    assert KeyResult.objects.get(ref="signups").progress == D("0.5")
    assert progress("metrics") == D("0.416666666667")
    assert progress("top") == D("0.6")
    assert "all stored values are up to date" in run_command("recompute", "--check")


# --- The real console script -------------------------------------------------------------


def test_console_script_checkin_and_recompute_exit_codes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_pacer(data, "migrate", "-v0").returncode == 0
    assert run_pacer(data, "import", str(ALL_TYPES)).returncode == 0

    done = run_pacer(
        data, "checkin", "base-metric", "9", "--at", "2026-04-20", "--by", "bob@bright.test"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("base-metric: current 9")

    not_a_number = run_pacer(data, "checkin", "base-metric", "nine")
    assert not_a_number.returncode == 1
    assert "VALUE: 'nine' is not a number" in not_a_number.stderr

    future = run_pacer(data, "checkin", "base-metric", "9", "--at", "2099-01-01")
    assert future.returncode == 1
    assert "is in the future" in future.stderr

    unknown = run_pacer(data, "checkin", "nope", "9")
    assert (unknown.returncode, "KR_REF" in unknown.stderr) == (1, True)

    # argparse refuses an unknown confidence before the command runs (usage error).
    confidence = run_pacer(data, "checkin", "base-metric", "9", "--confidence", "fine")
    assert confidence.returncode != 0
    assert "argument --confidence: invalid choice: 'fine'" in confidence.stderr

    check = run_pacer(data, "recompute", "--check")
    assert (check.returncode, check.stdout.strip()) == (0, "all stored values are up to date")

    corrupt = "from pacer.okrs.models import KeyResult as K; K.objects.filter(ref='signups')"
    assert run_pacer(data, "shell", "-c", f"{corrupt}.update(progress=0.1)").returncode == 0
    stale = run_pacer(data, "recompute", "--check")
    assert stale.returncode == 1
    assert "key result signups: progress is 0.1" in stale.stdout
    assert "1 stored value(s) differ" in stale.stderr
    assert run_pacer(data, "recompute").returncode == 0
    assert run_pacer(data, "recompute", "--check").returncode == 0

    exported = run_pacer(data, "export", "--format", "json", "--as-of", "2026-04-16")
    assert exported.returncode == 0
    assert '"ref": "top-follows-mid"' in exported.stdout
    assert '"progress": 0.85' in exported.stdout
