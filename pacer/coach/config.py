"""Which rules run and with which thresholds: the defaults (pacer.coach.rules), then the
organization's settings (RuleSetting rows, set by admins in the web), then a config file
(`pacer lint --config FILE`), each overriding the one before.

A config file is YAML:

    rules:
      too-many-objectives: 3          # a threshold
      unaligned: off                  # off or on
      too-few-key-results: {enabled: true, threshold: 3}
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from pacer.coach.file_plan import Unreadable, read_yaml
from pacer.coach.rules import RULES

MAX_THRESHOLD = 1000


class ConfigProblem(Exception):
    """A config file that cannot be used; the message names the line and the rule."""


@dataclass(frozen=True)
class Choice:
    enabled: bool = True
    threshold: int | None = None


@dataclass(frozen=True)
class LintConfig:
    choices: Mapping[str, Choice]

    def enabled(self, rule_id: str) -> bool:
        return self.choices.get(rule_id, Choice()).enabled

    def threshold(self, rule_id: str) -> int | None:
        chosen = self.choices.get(rule_id, Choice()).threshold
        return chosen if chosen is not None else RULES[rule_id].threshold

    def overridden(self, changes: Mapping[str, Choice]) -> "LintConfig":
        return LintConfig({**self.choices, **changes})


DEFAULTS = LintConfig({})


def of_organization(organization_id: int | None) -> LintConfig:
    """The defaults with the organization's choices (one query)."""
    if organization_id is None:
        return DEFAULTS
    from pacer.coach.models import RuleSetting  # models load after the app registry

    rows = RuleSetting.objects.filter(organization_id=organization_id, rule__in=list(RULES))
    return DEFAULTS.overridden({r.rule: Choice(r.enabled, r.threshold) for r in rows})


def read_config_file(path: str, base: LintConfig) -> LintConfig:
    """`base` with a config file's choices; ConfigProblem for a file that cannot be used."""
    try:
        data, lines = read_yaml(path)
    except Unreadable as error:
        raise ConfigProblem(str(error)) from error
    if data is None:
        return base
    if not isinstance(data, dict) or set(data) - {"rules"}:
        raise ConfigProblem(f"{path}:1: a config file holds one key, rules")
    rules = data.get("rules") or {}
    if not isinstance(rules, dict):
        raise ConfigProblem(f"{path}:{lines.get(('rules',), 1)}: rules must be a mapping")
    changes = {}
    for rule_id, value in rules.items():
        line = lines.get(("rules", rule_id), 1)
        try:
            changes[rule_id] = choice_of(rule_id, value, base.choices.get(rule_id, Choice()))
        except ValueError as error:
            raise ConfigProblem(f"{path}:{line}: rules.{rule_id}: {error}") from error
    return base.overridden(changes)


def choice_of(rule_id: str, value: Any, current: Choice) -> Choice:
    """One rule's setting: on/off, a threshold, or {enabled, threshold}."""
    if rule_id not in RULES:
        raise ValueError(f"no such rule (the rules: {', '.join(RULES)})")
    if isinstance(value, bool):
        return replace(current, enabled=value)
    if value in ("on", "off"):
        return replace(current, enabled=value == "on")
    if isinstance(value, int):
        return replace(current, threshold=checked_threshold(rule_id, value))
    if isinstance(value, dict) and value and set(value) <= {"enabled", "threshold"}:
        chosen = current
        if "enabled" in value:
            if not isinstance(value["enabled"], bool):
                raise ValueError("enabled must be true or false")
            chosen = replace(chosen, enabled=value["enabled"])
        if "threshold" in value:
            chosen = replace(chosen, threshold=checked_threshold(rule_id, value["threshold"]))
        return chosen
    raise ValueError("must be on, off, a threshold, or {enabled: …, threshold: …}")


def checked_threshold(rule_id: str, value: Any) -> int:
    if RULES[rule_id].threshold is None:
        raise ValueError("this rule has no threshold")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_THRESHOLD:
        raise ValueError(f"the threshold must be a whole number from 0 to {MAX_THRESHOLD}")
    return value


def enabled_rules(config: LintConfig, *, cycle: bool) -> Iterable[str]:
    """The ids of the rules that run: enabled, and those needing check-ins only on a cycle."""
    return [
        rule_id
        for rule_id, rule in RULES.items()
        if config.enabled(rule_id) and (cycle or not rule.cycle_only)
    ]
