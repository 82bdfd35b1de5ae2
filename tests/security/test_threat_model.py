"""docs/threat-model.md names the tests that hold each promise: every file and test it names
must exist, so a renamed or deleted test cannot leave a promise without its guard."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "threat-model.md"
# `tests/x.py`, `tests/x.py::test_a`, and `(`test_b`, …)` after a file.
FILE = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`(?:\s*\(([^)]*)\))?")
NAME = re.compile(r"`(?:::)?(test_\w+)`")


def named_tests() -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for match in FILE.finditer(DOC.read_text(encoding="utf-8")):
        path, test, listed = match.groups()
        found.append((path, test))
        found += [(path, name) for name in NAME.findall(listed or "")]
    return found


def test_the_threat_model_names_tests_that_exist() -> None:
    named = named_tests()
    assert len(named) > 40
    missing = []
    for path, test in named:
        source = ROOT / path
        if not source.exists():
            missing.append(path)
        elif test and not re.search(rf"^def {test}\(", source.read_text(), re.MULTILINE):
            missing.append(f"{path}::{test}")
    assert missing == []
