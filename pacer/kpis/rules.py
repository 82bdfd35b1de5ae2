"""What the domain forbids for KPIs and their values: pure checks over plain values, each
problem naming its field (pacer.okrs.rules conventions, and its wording for the shared
parts: texts, numbers, the thresholds of stay_above / stay_below / range)."""

from datetime import datetime
from decimal import Decimal

from pacer.okrs import progress as engine
from pacer.okrs import rules
from pacer.okrs.rules import Problem

KINDS = engine.HEALTH_TYPES  # stay_above, stay_below, range: the contract's health types
NAME_LENGTH, UNIT_LENGTH, TEXT_LENGTH = 300, 30, 10_000
# Key result types that may follow a KPI: those whose check-in value is a plain number.
FOLLOWING_TYPES = (engine.METRIC, *engine.HEALTH_TYPES)
MAX_BACKFILL = 100  # values written as check-ins when a key result starts to follow


def kpi_problems(
    *,
    name: str,
    description: str,
    unit: str,
    kind: str,
    threshold: Decimal | None,
    low: Decimal | None,
    high: Decimal | None,
) -> list[Problem]:
    problems = rules.text_required("name", name)
    problems += rules.texts_problems(name=name, description=description, unit=unit)
    problems += too_long(name=(name, NAME_LENGTH), unit=(unit, UNIT_LENGTH))
    problems += too_long(description=(description, TEXT_LENGTH))
    if kind not in KINDS:
        return [*problems, ("kind", f"must be one of {', '.join(KINDS)}, not {kind!r}")]
    # The same thresholds rule as a health key result's (its wording, once).
    return problems + rules.key_result_problems(type=kind, threshold=threshold, low=low, high=high)


def too_long(**texts: tuple[str, int]) -> list[Problem]:
    return [
        (field, f"must be at most {limit} characters")
        for field, (text, limit) in texts.items()
        if len(text) > limit
    ]


def value_problems(
    *, value: Decimal, note: str, at: datetime, now: datetime, taken: bool, archived: bool
) -> list[Problem]:
    """A value is a storable number at a moment not in the future, one per moment, on a KPI
    that is not archived."""
    problems = rules.number_problems("value", value)
    problems += rules.texts_problems(note=note) + too_long(note=(note, TEXT_LENGTH))
    if at > now:
        problems.append(("at", f"{at.isoformat()} is in the future"))
    if taken:
        problems.append(("at", f"the KPI already has a value at {at.isoformat()}"))
    return problems + archived_problems(archived=archived)


def archived_problems(*, archived: bool) -> list[Problem]:
    if archived:
        return [("archived", "the KPI is archived: restore it to add or remove values")]
    return []


def follow_problems(*, key_result_type: str, same_organization: bool, fed: bool) -> list[Problem]:
    problems: list[Problem] = []
    if key_result_type not in FOLLOWING_TYPES:
        allowed = ", ".join(FOLLOWING_TYPES)
        problems.append(
            ("key_result", f"only a {allowed} key result may follow a KPI, not {key_result_type}")
        )
    if not same_organization:
        problems.append(("kpi", "belongs to another organization"))
    if fed:
        problems.append(
            ("key_result", "takes its value from a data source: remove it to follow a KPI")
        )
    return problems
