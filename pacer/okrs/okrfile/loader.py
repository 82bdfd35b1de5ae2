"""Reads an OKR file and remembers where each value came from, so errors name the line."""

from collections.abc import Iterable
from typing import Any

import yaml

Path = tuple[str | int, ...]
LineMap = dict[Path, int]


class FileProblem(Exception):
    """The file could not be read as YAML at all."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_with_lines(text: str) -> tuple[Any, LineMap]:
    """Parse YAML text; return the data and the 1-based line of every key and list item."""
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise FileProblem(line, f"not valid YAML: {error.problem or error}") from error
    except yaml.YAMLError as error:
        raise FileProblem(1, f"not valid YAML: {error}") from error
    finally:
        loader.dispose()
    lines: LineMap = {}
    _record_lines(node, (), lines)
    return data, lines


def _record_lines(node: yaml.Node, path: Path, lines: LineMap) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            _record_lines(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines)


def line_of(lines: LineMap, path: Iterable[str | int]) -> int | None:
    """The line of `path`, or of its nearest ancestor present in the file."""
    parts = tuple(path)
    while parts:
        if parts in lines:
            return lines[parts]
        parts = parts[:-1]
    return lines.get(())


def format_path(path: Iterable[str | int]) -> str:
    """objectives[0].key_results[1].target"""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
