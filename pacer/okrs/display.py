"""Values as people write them, the same on the web pages and in the command line."""

from decimal import Decimal

from pacer.okrs import progress as engine
from pacer.okrs.models import KeyResult


def number_text(value: Decimal) -> str:
    """A stored decimal without its trailing zeros: 12.500000 -> 12.5, 9.000000 -> 9."""
    return f"{value.normalize():f}"


def value_text(kr: KeyResult, value: Decimal | None) -> str:
    """A value of `kr` as people write it: 42 %, 1.5 EUR, Yes/No; "none" before any."""
    if value is None:
        return "none"
    if kr.type == engine.BOOLEAN:
        return "Yes" if value == 1 else "No"
    return f"{number_text(value)} {kr.unit}".strip()
