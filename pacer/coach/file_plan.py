"""An OKR file as the linter reads it: a draft, read as far as it can be.

The file is read with the importer's reader (pacer.okrs.okrfile.loader: the same YAML
limits, and the line of every value), but not validated by the importer's schema: a value
of the wrong kind is read as missing, so a draft still gets advice. A file that is not
YAML, or not a mapping, cannot be linted (exit 2).
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pacer.coach.drafts import (
    DraftCycle,
    DraftInitiative,
    DraftKeyResult,
    DraftObjective,
    Plan,
    Where,
)
from pacer.okrs.okrfile import loader

Path = loader.Path


class Unreadable(Exception):
    """The file cannot be linted; the message names the file and the line."""


def read_yaml(path: str) -> tuple[Any, loader.LineMap]:
    """A YAML file's data and the line of each value, read with the importer's reader and
    limits; Unreadable, naming the file and line, when it cannot be."""
    try:
        return loader.load_with_lines(loader.read_file(path))
    except (OSError, UnicodeDecodeError) as error:
        raise Unreadable(f"{path}: cannot be read: {error}") from error
    except loader.FileProblem as error:
        line, _, message = error.problems[0]
        raise Unreadable(f"{path}:{line or 1}: {message}") from error


def plan_of_file(path: str) -> Plan:
    data, lines = read_yaml(path)
    if not isinstance(data, dict):
        raise Unreadable(f"{path}:1: an OKR file is a mapping (organization, objectives, …)")
    return FileReader(lines).plan(data)


class FileReader:
    def __init__(self, lines: loader.LineMap) -> None:
        self.lines = lines

    def where(self, path: Path) -> Where:
        return Where(loader.format_path(path), self.lines.get(path))

    def plan(self, data: dict[str, Any]) -> Plan:
        teams = items(data.get("teams"))
        return Plan(
            objectives=tuple(
                self.objective(raw, ("objectives", i))
                for i, raw in enumerate(items(data.get("objectives")))
            ),
            initiatives=tuple(
                self.initiative(raw, ("initiatives", i))
                for i, raw in enumerate(items(data.get("initiatives")))
            ),
            cycles={c.ref: c for c in map(cycle_of, items(data.get("cycles"))) if c is not None},
            top_teams=frozenset(text(t.get("ref")) for t in teams if not t.get("parent")),
        )

    def objective(self, raw: dict[str, Any], path: Path) -> DraftObjective:
        parents = raw.get("parents")
        return DraftObjective(
            title=text(raw.get("title")),
            where=self.where(path),
            ref=text(raw.get("ref")),
            description=text(raw.get("description")),
            cycle=text(raw.get("cycle")),
            team=text(raw.get("team")),
            owner=text(raw.get("owner")),
            kind=text(raw.get("kind")) or "aspirational",
            parents=tuple(text(p) for p in parents) if isinstance(parents, list) else (),
            key_results=tuple(
                self.key_result(kr, (*path, "key_results", i))
                for i, kr in enumerate(items(raw.get("key_results")))
            ),
        )

    def key_result(self, raw: dict[str, Any], path: Path) -> DraftKeyResult:
        milestones = raw.get("milestones")
        return DraftKeyResult(
            title=text(raw.get("title")),
            type=text(raw.get("type")),
            where=self.where(path),
            description=text(raw.get("description")),
            unit=text(raw.get("unit")),
            start=number(raw.get("start")),
            target=number(raw.get("target")),
            threshold=number(raw.get("threshold")),
            low=number(raw.get("low")),
            high=number(raw.get("high")),
            due=day(raw.get("due")),
            milestones=len(milestones) if isinstance(milestones, list) else 0,
        )

    def initiative(self, raw: dict[str, Any], path: Path) -> DraftInitiative:
        return DraftInitiative(
            title=text(raw.get("title")),
            where=self.where(path),
            cycle=text(raw.get("cycle")),
            start=day(raw.get("start")),
            due=day(raw.get("due")),
        )


def items(value: Any) -> list[dict[str, Any]]:
    """The mappings of a list (anything else in it is skipped)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        found = Decimal(str(value))
    except InvalidOperation:
        return None
    return found if found.is_finite() else None


def day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def cycle_of(raw: dict[str, Any]) -> DraftCycle | None:
    start, end = day(raw.get("start")), day(raw.get("end"))
    ref = text(raw.get("ref"))
    return DraftCycle(ref, start, end) if ref and start and end else None
