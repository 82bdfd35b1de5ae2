"""What every source gives back, and the two ways a source can go wrong."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
MAX_NUMBER_TEXT = 50  # a numeric string longer than this is not a metric's value


@dataclass(frozen=True)
class Reading:
    value: Decimal
    detail: str  # where the value came from, for the check-in note and the sync log; no secret


class SourceProblem(ValueError):
    """The configuration is wrong; `field` names the setting to correct ("url", "jsonpath",
    "headers", "database", "query", "kind")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class SourceFailed(Exception):
    """A read failed (no answer, an error status, a value that is not one number); the
    message says why, in words for the sync log, without secrets."""


def failed_if_invalid(check: Callable[[T], R], value: T) -> R:
    """`check(value)`; at read time a configuration that is no longer valid (a database
    removed from the settings) is a failed read, for the sync log."""
    try:
        return check(value)
    except SourceProblem as problem:
        raise SourceFailed(f"the source's {problem.field} is not valid: {problem}") from None


def number_from(value: object) -> Decimal:
    """The value as a Decimal: a number, or a string holding one. Not a bool, not NaN."""
    if isinstance(value, bool) or value is None:
        raise SourceFailed(f"the value is {describe(value)}, not a number")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))
    elif isinstance(value, str) and len(value.strip()) <= MAX_NUMBER_TEXT:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise SourceFailed(f"the value is {describe(value)}, not a number") from None
    else:
        raise SourceFailed(f"the value is {describe(value)}, not a number")
    if not number.is_finite():
        raise SourceFailed(f"the value is {describe(value)}, not a finite number")
    return number


def describe(value: object) -> str:
    """A short, safe description of a value for a message."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"a true/false value ({str(value).lower()})"
    if isinstance(value, str):
        return f"the text {shorten(value, 40)!r}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bytes | bytearray | memoryview):
        return "binary data"
    return repr(value) if isinstance(value, int | float | Decimal) else type(value).__name__


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
