"""What the linter reads: a plan of objectives as written, wherever it comes from.

An OKR file (lint.lint_file), a cycle in the database (cycle_plan.plan_of_cycle) and the
editor's form (hints) each become a `Plan`, so every rule is one pure function over it and
answers the same wherever the OKRs were written. A draft keeps what was typed, even where
the importer would refuse it: a linter is for drafts.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Where:
    """Where a finding points: a file's line and the value's path
    (`objectives[2].key_results[0]`), or an objective's ref for a cycle in the database."""

    path: str
    line: int | None = None
    ref: str = ""


@dataclass(frozen=True)
class DraftKeyResult:
    title: str
    type: str
    where: Where
    description: str = ""
    unit: str = ""
    start: Decimal | None = None
    target: Decimal | None = None
    threshold: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    due: date | None = None
    milestones: int = 0
    # No check-in for two periods of its team's rhythm (a cycle in the database only).
    stale: bool = False


@dataclass(frozen=True)
class DraftObjective:
    title: str
    where: Where
    ref: str = ""
    description: str = ""
    cycle: str = ""
    team: str = ""
    owner: str = ""
    kind: str = "aspirational"
    parents: tuple[str, ...] = ()
    key_results: tuple[DraftKeyResult, ...] = ()


@dataclass(frozen=True)
class DraftInitiative:
    title: str
    where: Where
    cycle: str = ""
    start: date | None = None
    due: date | None = None


@dataclass(frozen=True)
class DraftCycle:
    ref: str
    start: date
    end: date


@dataclass(frozen=True)
class Plan:
    """Objectives (and initiatives) with what the rules need around them: the cycles'
    dates, and which teams are at the top (their objectives are company-level)."""

    objectives: tuple[DraftObjective, ...]
    initiatives: tuple[DraftInitiative, ...] = ()
    cycles: dict[str, DraftCycle] = field(default_factory=dict)
    top_teams: frozenset[str] = frozenset()
    # Objectives around the plan that may be parents but are not linted (a year's
    # objectives around a quarter's): `suggest-parent` considers them too.
    context: tuple[DraftObjective, ...] = ()
