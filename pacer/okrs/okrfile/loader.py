"""Reads an OKR file and remembers where each value came from, so errors name the line.

The file is read event by event (PyYAML's parser, in C when available) straight into plain
values, without a node tree, so reading costs time and memory in proportion to the file and
the file's size bounds both. YAML features an OKR file never needs are refused with the line
they are on: anchors and aliases (a few hundred bytes of aliases expand to gigabytes), tags
(`!!binary`, `!!python/...`, `!!set`...), merge keys and keys that are lists or mappings.
Duplicate keys are refused (YAML would keep the last one silently), and a value YAML reads
as a date or a number must be one that exists and fits (`2026-02-30` or a 5,000-digit
number is a problem at its line, not a crash).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path as FilePath
from typing import Any, NoReturn

import yaml

Path = tuple[str | int, ...]
LineMap = dict[Path, int]
# One problem: the 1-based line (None: the whole file), the path of the value it is about
# (empty: none in particular) and the message.
Located = tuple[int | None, Path, str]

# An OKR file of 10,000 objectives with 40,000 key results takes about 9 MB.
MAX_FILE_BYTES = 20_000_000
# Values (keys, scalars, lists and mappings): 20 MB of realistic content hold 2 to 2.4 million.
MAX_VALUES = 3_000_000
# Nesting: an OKR file needs 7 levels (file > objectives > one > key results > one > check-ins
# > one check-in).
MAX_DEPTH = 10
# Characters of a number: what is stored has at most 24 digits.
MAX_NUMBER_LENGTH = 50
# After this many problems the file is not worth reading on.
MAX_PROBLEMS = 100

INT, FLOAT, TIMESTAMP = (f"tag:yaml.org,2002:{name}" for name in ("int", "float", "timestamp"))


class FileProblem(Exception):
    """The file could not be read as an OKR file's YAML; `problems` say where and why."""

    def __init__(self, problems: list[Located]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"line {line}: {message}" for line, _, message in problems))


SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_file(path: str) -> str:
    """The text of the file at `path`; one larger than MAX_FILE_BYTES is refused unread."""
    with FilePath(path).open("rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    _check_size(len(data))
    return data.decode("utf-8")


def load_with_lines(text: str) -> tuple[Any, LineMap]:
    """Parse YAML text; return the data and the 1-based line of every key and list item."""
    _check_size(len(text) if len(text) > MAX_FILE_BYTES else len(text.encode("utf-8")))
    builder = _Builder(SafeLoader(text))
    try:
        data = builder.build()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise FileProblem([(line, (), f"not valid YAML: {error.problem or error}")]) from error
    except yaml.YAMLError as error:
        raise FileProblem([(1, (), f"not valid YAML: {error}")]) from error
    finally:
        builder.loader.dispose()
    if builder.problems:
        raise FileProblem(builder.problems)
    return data, builder.lines


def _check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise FileProblem([(None, (), f"the file is larger than {MAX_FILE_BYTES:,} bytes")])


class _Stop(Exception):
    """Reading ends here; the builder's problems say why."""


@dataclass
class _Collection:
    value: list[Any] | dict[Any, Any]
    path: Path
    # In a mapping: the key read and waiting for its value, and the line of every key.
    key: Any = None
    key_line: int = 0
    has_key: bool = False
    key_lines: dict[Any, int] = field(default_factory=dict)


class _Builder:
    """Builds plain values from the parser's events (what PyYAML's composer and constructor
    do, minus the features refused above), recording the line of every value."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.lines: LineMap = {}
        self.problems: list[Located] = []
        self.stack: list[_Collection] = []
        self.values = 0
        self.aliases: set[str] = set()

    def build(self) -> Any:
        try:
            return self._build()
        except _Stop:
            return None

    def _build(self) -> Any:
        events = self.loader
        events.get_event()  # stream start
        if events.check_event(yaml.StreamEndEvent):
            return None
        events.get_event()  # document start
        root: list[Any] = []
        self.stack.append(_Collection(root, ()))
        while not events.check_event(yaml.DocumentEndEvent):
            self.read(events.get_event())
        events.get_event()  # document end
        if not events.check_event(yaml.StreamEndEvent):
            self.problem(
                _line(events.peek_event()), (), "the file holds more than one YAML document"
            )
        return root[0] if root else None

    def read(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.CollectionEndEvent):
            self.stack.pop()
            return
        line = _line(event)
        self.values += 1
        if self.values > MAX_VALUES:
            self.stop(line, (), f"the file holds more than {MAX_VALUES:,} values")
        parent = self.stack[-1]
        if isinstance(parent.value, dict) and not parent.has_key:
            self.read_key(parent, event, line)
            return
        path = self.path_in(parent, line)
        self.check_plain(event, line, path)
        if isinstance(event, yaml.CollectionStartEvent):
            value: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
            self.add(parent, value)
            self.stack.append(_Collection(value, path))
            if len(self.stack) > MAX_DEPTH:
                self.stop(line, path, f"nested deeper than {MAX_DEPTH} levels")
        else:
            self.add(parent, self.scalar(event, line, path))

    def read_key(self, mapping: _Collection, event: yaml.Event, line: int) -> None:
        self.check_plain(event, line, mapping.path)
        if not isinstance(event, yaml.ScalarEvent):
            self.stop(line, mapping.path, "a key must be plain text")
        key = event.value
        if key == "<<" and event.implicit[0]:  # what YAML 1.1 reads as a merge key
            self.problem(line, mapping.path, "merge keys (<<) are not allowed")
        else:
            key = self.scalar(event, line, mapping.path)
        mapping.key, mapping.key_line, mapping.has_key = key, line, True

    def path_in(self, parent: _Collection, line: int) -> Path:
        """The path of the value starting at `line`, recorded with its line (a key's line
        for a value in a mapping)."""
        if parent is self.stack[0]:
            path: Path = ()
        elif isinstance(parent.value, list):
            path = (*parent.path, len(parent.value))
        else:
            path, line = (*parent.path, parent.key), parent.key_line
        self.lines[path] = line
        return path

    def add(self, parent: _Collection, value: Any) -> None:
        if isinstance(parent.value, list):
            parent.value.append(value)
            return
        key, line, parent.has_key = parent.key, parent.key_line, False
        if key in parent.key_lines:
            first = parent.key_lines[key]
            self.problem(line, (*parent.path, key), f"duplicate key (first on line {first})")
            return
        parent.key_lines[key] = line
        parent.value[key] = value

    def check_plain(self, event: yaml.Event, line: int, path: Path) -> None:
        if isinstance(event, yaml.AliasEvent):
            # Once per anchor: a bomb repeats its aliases thousands of times.
            message = f"YAML aliases (*{event.anchor}) are not allowed"
            if message not in self.aliases:
                self.aliases.add(message)
                self.problem(line, path, message)
            return
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            self.problem(line, path, f"YAML anchors (&{event.anchor}) are not allowed")
        tag = getattr(event, "tag", None)
        if tag is not None:
            tag = tag.replace("tag:yaml.org,2002:", "!!")
            self.problem(line, path, f"YAML tags ({tag}) are not allowed; write a plain value")

    def scalar(self, event: yaml.Event, line: int, path: Path) -> Any:
        """The value of a scalar as PyYAML's safe loader reads it, or None if refused."""
        if not isinstance(event, yaml.ScalarEvent):  # an alias, refused by check_plain
            return None
        text = event.value
        tag = self.loader.resolve(yaml.ScalarNode, text, event.implicit)
        if tag in (INT, FLOAT) and len(text) > MAX_NUMBER_LENGTH:
            self.problem(line, path, f"a number of {len(text):,} characters is too long")
            return None
        construct = self.loader.yaml_constructors.get(tag)
        if construct is None:  # `=` alone, which YAML 1.1 reserves
            self.problem(line, path, f"{text!r} must be quoted to be read as text")
            return None
        node = yaml.ScalarNode(tag, text, style=event.style)
        if tag == FLOAT:
            return _exact_number(text) or construct(self.loader, node)
        if tag != TIMESTAMP:
            return construct(self.loader, node)
        try:
            return _moment(self.loader, node, construct)
        except (ValueError, OverflowError) as error:
            self.problem(line, path, f"{text!r} is not a valid date or date-time: {error}")
            return None

    def problem(self, line: int, path: Path, message: str) -> None:
        self.problems.append((line, path, message))
        if len(self.problems) >= MAX_PROBLEMS:
            raise _Stop

    def stop(self, line: int, path: Path, message: str) -> NoReturn:
        self.problems.append((line, path, message))
        raise _Stop


def _exact_number(text: str) -> Decimal | None:
    """A YAML float as written (a float would round 999999999999.999999 to 1000000000000,
    and the rules could not see the digits it had); None for .inf, .nan and 1:30 forms."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _line(event: yaml.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark else 1


def _moment(loader: yaml.SafeLoader, node: yaml.ScalarNode, construct: Any) -> Any:
    """A date or date-time that exists, whose UTC offset lies within a day and whose moment
    can be told in UTC (year 1 at +01:00 cannot)."""
    offset = loader.timestamp_regexp.match(node.value)
    if offset and offset["tz_hour"] and int(offset["tz_hour"]) >= 24:
        raise ValueError("the UTC offset must be less than 24 hours")
    value = construct(loader, node)
    if isinstance(value, datetime) and value.tzinfo is not None:
        try:
            value.astimezone(UTC)
        except OverflowError as error:
            raise ValueError("it lies outside the supported range of dates") from error
    return value


def line_of(lines: LineMap, path: Iterable[str | int]) -> int | None:
    """The line of `path`, or of its nearest ancestor present in the file."""
    parts = tuple(path)
    while parts:
        if parts in lines:
            return lines[parts]
        parts = parts[:-1]
    return lines.get(())


def format_path(path: Iterable[Any]) -> str:
    """objectives[0].key_results[1].target; a key that is not a name is quoted and escaped."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif isinstance(part, str) and part.isidentifier() and part.isascii():
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text
