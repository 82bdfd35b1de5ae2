"""`pacer report`: bad input exits with 2 and a message naming the argument, and writes
nothing; good input writes the whole file, and only then."""

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from pacer.okrs.models import Organization
from tests.factories import run_argv
from tests.reports.conftest import sheet_rows


def run(capsys: Any, *args: str) -> tuple[int, str]:
    code, _, err = run_argv(capsys, "report", *args)
    return code, err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cycle", "nope", "--format", "xlsx"], "--cycle: no cycle with ref 'nope'"),
        (
            ["--cycle", "apr-2026", "--format", "xlsx", "--team", "nope"],
            "--team: no team with ref 'nope'",
        ),
        (
            ["--cycle", "apr-2026", "--format", "pptx", "--as", "who@bright.test"],
            "--as: no person 'who@bright.test'",
        ),
        (["--cycle", "apr-2026", "--format", "pdf"], "argument --format: invalid choice: 'pdf'"),
        (
            ["--cycle", "apr-2026", "--format", "xlsx", "--as-of", "soon"],
            "--as-of: 'soon' is not a date",
        ),
        (
            ["--cycle", "apr-2026", "--format", "xlsx", "--organization", "Nope"],
            "--organization: no organization named 'Nope'",
        ),
    ],
)
def test_bad_input_exits_2_with_a_message_and_writes_no_file(
    brightside: Organization, tmp_path: Path, capsys: Any, args: list[str], message: str
) -> None:
    out = tmp_path / "report.xlsx"
    code, err = run(capsys, *args, "-o", str(out))
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_an_output_in_a_missing_folder_is_bad_input(
    brightside: Organization, tmp_path: Path, capsys: Any
) -> None:
    out = tmp_path / "missing" / "report.xlsx"
    code, err = run(capsys, "--cycle", "apr-2026", "--format", "xlsx", "-o", str(out))
    assert code == 2 and "-o: no folder" in err
    assert list(tmp_path.iterdir()) == []


def test_report_writes_the_file_as_a_person_sees_it(
    brightside: Organization, tmp_path: Path
) -> None:
    out = tmp_path / "april.xlsx"
    call_command(
        "report",
        "--cycle=apr-2026",
        "--format=xlsx",
        "--as=cy@bright.test",
        "--as-of=2026-04-16",
        f"-o={out}",
    )
    assert [p.name for p in tmp_path.iterdir()] == ["april.xlsx"]  # no temporary file left
    refs = {row["Ref"] for row in sheet_rows(out.read_bytes(), "Objectives")}
    assert "health" in refs and "secret" not in refs
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask  # like any file the person writes
