"""Running the rules over a plan, and what comes out: findings, their text and JSON forms,
the exit status, and the plan score (the share of rules an objective passes)."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pacer.coach import config as lint_config
from pacer.coach.drafts import Plan
from pacer.coach.file_plan import plan_of_file
from pacer.coach.rules import CATALOGUE, ERROR, INFO, LEVELS, WARNING, Finding

CLEAN, FINDINGS, UNREADABLE = 0, 1, 2  # `pacer lint`'s exit statuses


def lint(
    plan: Plan, config: lint_config.LintConfig = lint_config.DEFAULTS, *, cycle: bool = False
) -> list[Finding]:
    """Every finding of the enabled rules, in the plan's order (objective, then rule)."""
    enabled = set(lint_config.enabled_rules(config, cycle=cycle))
    found = [
        f
        for rule, check in CATALOGUE
        if rule.id in enabled
        for f in check(plan, config.threshold(rule.id))
    ]
    order = {rule.id: n for n, (rule, _) in enumerate(CATALOGUE)}
    return sorted(found, key=lambda f: (f.where.line or 0, f.where.ref, order[f.rule]))


def lint_file(path: str, config: lint_config.LintConfig = lint_config.DEFAULTS) -> list[Finding]:
    """The findings of an OKR file (file_plan.Unreadable if it cannot be read)."""
    return lint(plan_of_file(path), config)


def exit_status(findings: Sequence[Finding], *, strict: bool) -> int:
    failing = {ERROR, WARNING} if strict else {ERROR}
    return FINDINGS if any(f.level in failing for f in findings) else CLEAN


def text_line(finding: Finding, source: str) -> str:
    """`file:line: path: rule-id: message` (a cycle's: `ref: path: rule-id: message`)."""
    where = finding.where
    place = where.ref or (f"{source}:{where.line}" if where.line else source)
    return f"{place}: {where.path}: {finding.rule}: {finding.message}"


def as_text(findings: Sequence[Finding], source: str) -> str:
    lines = [text_line(f, source) for f in findings]
    counts = level_counts(findings)
    summary = ", ".join(f"{counts[level]} {level}{'s' * (counts[level] != 1)}" for level in LEVELS)
    return "\n".join([*lines, f"{source}: {summary}"]) + "\n"


def as_json(findings: Sequence[Finding], source: str) -> str:
    rows = [
        {
            "file": "" if f.where.ref else source,
            "line": f.where.line,
            "ref": f.where.ref,
            "path": f.where.path,
            "rule": f.rule,
            "level": f.level,
            "message": f.message,
            "hint": f.hint,
        }
        for f in findings
    ]
    return (
        json.dumps(
            {"source": source, "findings": rows, "counts": level_counts(findings)},
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


def level_counts(findings: Sequence[Finding]) -> dict[str, int]:
    return {level: sum(1 for f in findings if f.level == level) for level in LEVELS}


# --- Plan score ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanScore:
    passed: int
    checked: int

    @property
    def share(self) -> Decimal:
        if not self.checked:
            return Decimal(1)
        return (Decimal(self.passed) / self.checked).quantize(Decimal("0.01"), ROUND_HALF_UP)


def plan_scores(
    plan: Plan,
    findings: Sequence[Finding],
    config: lint_config.LintConfig,
    *,
    cycle: bool = True,
) -> list[PlanScore]:
    """Per objective of the plan: of the enabled rules that judge (not the info-level
    suggestions), how many it passes, its key results included."""
    enabled = set(lint_config.enabled_rules(config, cycle=cycle))
    judging = [rule.id for rule, _ in CATALOGUE if rule.level != INFO and rule.id in enabled]
    failed: dict[int, set[str]] = {}
    for f in findings:
        if f.rule in judging and f.objective >= 0:
            failed.setdefault(f.objective, set()).add(f.rule)
    return [
        PlanScore(len(judging) - len(failed.get(i, set())), len(judging))
        for i in range(len(plan.objectives))
    ]


def pooled(scores: Sequence[PlanScore]) -> PlanScore:
    """A team's plan score: its objectives' checks pooled."""
    return PlanScore(sum(s.passed for s in scores), sum(s.checked for s in scores))
