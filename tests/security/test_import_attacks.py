"""Attacks on `pacer import` and on the CSV exports, as an outside review made them (issue 10).

A 531-byte YAML alias bomb grew `pacer import` past 5.9 GB; a 50 MB file took 2.2 GB before
being refused; a title `=HYPERLINK(...)` came out raw of `pacer history export --format csv`.
Every refused import must change nothing (the whole database and every export are compared)
and name the file and line. Values the loader refuses one by one (dates, numbers, control
characters, tags, duplicate keys) are cases of `BAD_FILES` in tests/test_okrfile_import.py.
"""

import csv
import io
import os
import resource
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

import pacer
from pacer.okrs.okrfile import loader
from pacer.okrs.okrfile.importer import ImportFailed, import_file
from tests.factories import (
    ISSUE_EXAMPLE,
    full_snapshot,
    import_fixture,
    import_yaml,
    pacer_executable,
    replace_once,
    run_command,
    run_pacer,
    write_file,
)

pytestmark = pytest.mark.django_db

# The classic "billion laughs": 9 lines, 9^9 (387 million) strings once expanded.
ALIAS_BOMB = """\
organization: Acme
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture(autouse=True)
def seeded() -> None:
    import_fixture(ISSUE_EXAMPLE)


def refused(path: Path, *, dry_run: bool = False) -> list[str]:
    """Import the file at `path`, which must be refused without changing anything."""
    before = full_snapshot()
    with pytest.raises(ImportFailed) as failure:
        import_file(str(path), dry_run=dry_run)
    assert full_snapshot() == before, "a refused import changed the database"
    return failure.value.errors


# --- Finding 5: an alias bomb and oversized files -------------------------------------------


def test_alias_bomb_is_refused_at_its_anchors_and_aliases(tmp_path: Path) -> None:
    path = write_file(tmp_path, ALIAS_BOMB, "bomb.yaml")
    errors = refused(path)
    assert errors[:3] == [
        f"{path}:2: a: YAML anchors (&a) are not allowed",
        f"{path}:3: b: YAML anchors (&b) are not allowed",
        f"{path}:3: b[0]: YAML aliases (*a) are not allowed",
    ]
    assert len(errors) == 17  # each alias once, not once per use


def test_alias_bomb_fails_the_console_script_cleanly_in_1_gb(tmp_path: Path) -> None:
    """Before the fix the process grew without bound; 1 GB of address space ends it."""
    data = tmp_path / "data"
    assert run_pacer(data, "migrate", "-v0").returncode == 0
    path = write_file(tmp_path, ALIAS_BOMB, "bomb.yaml")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(PACER_DATA_DIR=str(data), DEBUG="1", DJANGO_SETTINGS_MODULE="pacer.settings")

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    result = subprocess.run(
        [*pacer_executable(), "import", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=limit_memory,
    )
    assert result.returncode == 1, result.stderr
    assert f"{path}:2: a: YAML anchors (&a) are not allowed" in result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr


def padded(size: int) -> str:
    """The issue's example, grown to `size` bytes with a comment."""
    text = ISSUE_EXAMPLE.read_text(encoding="utf-8")
    filler = size - len(text.encode("utf-8")) - len("# \n")
    return f"# {'x' * filler}\n{text}"


def test_file_larger_than_the_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_file(tmp_path, padded(loader.MAX_FILE_BYTES + 1))
    assert path.stat().st_size == loader.MAX_FILE_BYTES + 1

    def no_parsing(text: str) -> None:
        raise AssertionError("the oversized file was parsed")

    monkeypatch.setattr(loader, "SafeLoader", no_parsing)
    assert refused(path) == [f"{path}: the file is larger than 20,000,000 bytes"]


def test_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = write_file(tmp_path, padded(loader.MAX_FILE_BYTES))
    assert path.stat().st_size == loader.MAX_FILE_BYTES
    assert not import_file(str(path), dry_run=True).changed


def test_text_larger_than_the_limit_is_refused_by_the_loader_itself() -> None:
    """Every caller of the loader gets the limit, not only `pacer import`."""
    with pytest.raises(loader.FileProblem) as problem:
        loader.load_with_lines("#" * (loader.MAX_FILE_BYTES + 1))
    assert problem.value.problems == [(None, (), "the file is larger than 20,000,000 bytes")]


def test_file_with_more_values_than_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "MAX_VALUES", 1000)
    text = "organization: Acme\nnumbers: [" + "0, " * 1000 + "0]\n"
    path = write_file(tmp_path, text)
    assert refused(path) == [f"{path}:2: the file holds more than 1,000 values"]


def test_nesting_deeper_than_the_limit_is_refused(tmp_path: Path) -> None:
    path = write_file(tmp_path, "organization: Acme\nnested: " + "[" * 10 + "]" * 10 + "\n")
    assert refused(path) == [f"{path}:2: nested{'[0]' * 8}: nested deeper than 10 levels"]


# --- Finding 7: what the loader refuses, through every path ---------------------------------


def test_dry_run_refuses_a_nul_in_a_title_and_exits_with_an_error(tmp_path: Path) -> None:
    text = ISSUE_EXAMPLE.read_text(encoding="utf-8")
    path = write_file(tmp_path, replace_once(text, "title: Grow the company", 'title: "A\\0B"'))
    before = full_snapshot()
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import", str(path), "--dry-run", stdout=io.StringIO(), stderr=err)
    assert f"{path}:16: objectives[0].title: must not contain NUL characters" in err.getvalue()
    assert full_snapshot() == before


def test_control_characters_of_an_unknown_key_are_escaped_in_the_message(
    tmp_path: Path,
) -> None:
    path = write_file(tmp_path, 'organization: Acme\n"\\e[2Jtitle": x\n')
    errors = refused(path)
    assert errors == [f"{path}:2: ['\\x1b[2Jtitle']: Extra inputs are not permitted"]
    assert not any("\x1b" in error for error in errors)


# --- Finding 6: formulas in CSV exports ----------------------------------------------------


def test_history_csv_export_writes_a_formula_title_as_text(tmp_path: Path) -> None:
    text = ISSUE_EXAMPLE.read_text(encoding="utf-8")
    text = replace_once(text, "title: Grow the company", f"title: '{FORMULA}'")
    text = replace_once(text, "title: PM tool adoption", "title: '@SUM(A1:A9)'")
    import_yaml(tmp_path, text)
    rows = list(csv.reader(io.StringIO(run_command("history", "export", "--format", "csv"))))
    cells = [cell for row in rows for cell in row]
    assert f"'{FORMULA}" in cells and "'@SUM(A1:A9)" in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_every_csv_is_written_by_the_one_cell_writer() -> None:
    """pacer.csvcells is the only module that writes CSV."""
    root = Path(pacer.__file__).parent
    writers = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "csv.writer" in path.read_text(encoding="utf-8")
        or "csv.DictWriter" in path.read_text(encoding="utf-8")
    ]
    assert writers == ["csvcells.py"]
