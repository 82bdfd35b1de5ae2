"""Checks an OKR file's shape item by item, so that one typo does not hide the rest.

Items whose shape is wrong are reported and left out; the rest goes on to the rule checks,
which learn the refs of the left-out items (so they do not also report them as unknown).
Positions are remembered so every problem still names its place in the file.
"""

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from pacer.okrs.okrfile.loader import Path
from pacer.okrs.okrfile.schema import (
    CycleIn,
    InitiativeIn,
    KeyResultIn,
    ObjectiveIn,
    OkrFile,
    PersonIn,
    TeamIn,
)

PathProblem = tuple[Path, str]
SECTIONS: dict[str, tuple[type[BaseModel], str]] = {
    "people": (PersonIn, "email"),
    "teams": (TeamIn, "ref"),
    "cycles": (CycleIn, "ref"),
    "objectives": (ObjectiveIn, "ref"),
    "initiatives": (InitiativeIn, "ref"),
}


@dataclass
class Shape:
    doc: OkrFile | None
    problems: list[PathProblem] = field(default_factory=list)
    # Refs (emails for people) of items left out, per section.
    left_out: dict[str, set[str]] = field(default_factory=dict)
    # Original index of each kept item: section -> kept index -> file index; for key
    # results, (objective's file index) -> kept index -> file index.
    positions: dict[Any, list[int]] = field(default_factory=dict)

    def locate(self, path: Path) -> Path:
        """Translate a path into the kept items back to the file's positions."""
        if len(path) < 2 or path[0] not in self.positions or not isinstance(path[1], int):
            return path
        index = self.positions[path[0]][path[1]]
        rest = path[2:]
        if path[0] == "objectives" and len(rest) >= 2 and rest[0] == "key_results":
            kr_index = self.positions[("key_results", index)][int(rest[1])]
            rest = ("key_results", kr_index, *rest[2:])
        return (path[0], index, *rest)


def check_shape(data: dict[str, Any]) -> Shape:
    try:
        return Shape(doc=OkrFile.model_validate(data))
    except ValidationError:
        pass
    shape = Shape(doc=None)
    kept: dict[str, list[Any]] = {}
    for section, (model, key) in SECTIONS.items():
        items = data.get(section) or []
        if not isinstance(items, list):
            shape.problems.append(((section,), "must be a list"))
            items = []
        kept[section] = _kept_items(shape, section, items, model, key)
    top = {k: v for k, v in data.items() if k not in SECTIONS}
    try:
        shape.doc = OkrFile.model_validate(top).model_copy(update=kept)
    except ValidationError as error:
        shape.problems += [(tuple(e["loc"]), e["msg"]) for e in error.errors()]
    return shape


def _kept_items(
    shape: Shape, section: str, items: list[Any], model: type[BaseModel], key: str
) -> list[Any]:
    kept, positions = [], []
    shape.left_out[section] = set()
    for index, item in enumerate(items):
        valid = _validate(shape, (section, index), model, item)
        if valid is None:
            if isinstance(item, dict) and isinstance(item.get(key), str):
                ref = item[key].strip()
                shape.left_out[section].add(ref.lower() if key == "email" else ref)
            continue
        if section == "objectives":
            valid = valid.model_copy(update={"key_results": _key_results(shape, index, item)})
        kept.append(valid)
        positions.append(index)
    shape.positions[section] = positions
    return kept


def _validate(shape: Shape, where: Path, model: type[BaseModel], item: Any) -> Any:
    if model is ObjectiveIn and isinstance(item, dict):
        item = {k: v for k, v in item.items() if k != "key_results"}
    try:
        return model.model_validate(item)
    except ValidationError as error:
        shape.problems += [((*where, *e["loc"]), e["msg"]) for e in error.errors()]
        return None


def _key_results(shape: Shape, objective_index: int, item: dict[str, Any]) -> list[KeyResultIn]:
    raw = item.get("key_results") or []
    if not isinstance(raw, list):
        shape.problems.append((("objectives", objective_index, "key_results"), "must be a list"))
        raw = []
    kept, positions = [], []
    for index, kr in enumerate(raw):
        where: Path = ("objectives", objective_index, "key_results", index)
        valid = _validate(shape, where, KeyResultIn, kr)
        if valid is None:
            if isinstance(kr, dict) and isinstance(kr.get("ref"), str):
                shape.left_out.setdefault("key_results", set()).add(kr["ref"].strip())
            continue
        kept.append(valid)
        positions.append(index)
    shape.positions[("key_results", objective_index)] = positions
    return kept
