"""The organization's lint rules as a form: each rule on or off, and its threshold where it
counts something. The service checks the values (services.rule_settings_problems)."""

from dataclasses import dataclass
from typing import Any

from django import forms

from pacer.coach.config import Choice, LintConfig
from pacer.coach.rules import RULES, Rule
from pacer.coach.services import threshold_field
from pacer.web.forms import PlainForm


def enabled_field(rule_id: str) -> str:
    return f"{rule_id}-enabled"


@dataclass(frozen=True)
class RuleRow:
    rule: Rule
    enabled: forms.BoundField
    threshold: forms.BoundField | None  # None: the rule counts nothing


class RuleSettingsForm(PlainForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for rule in RULES.values():
            self.fields[enabled_field(rule.id)] = forms.BooleanField(
                required=False, label=f"{rule.id}: on"
            )
            if rule.threshold is not None:
                self.fields[threshold_field(rule.id)] = forms.IntegerField(
                    required=False,
                    label=f"{rule.id}: threshold",
                    help_text=f"{rule.threshold_means.capitalize()}; empty: the default, "
                    f"{rule.threshold}.",
                )

    @staticmethod
    def initial_of(config: LintConfig) -> dict[str, object]:
        """The organization's choices as the form shows them (an empty threshold: the
        default)."""
        initial: dict[str, object] = {}
        for rule_id in RULES:
            choice = config.choices.get(rule_id, Choice())
            initial[enabled_field(rule_id)] = choice.enabled
            initial[threshold_field(rule_id)] = choice.threshold
        return initial

    def rows(self) -> list[RuleRow]:
        return [
            RuleRow(
                rule,
                self[enabled_field(rule.id)],
                self[threshold_field(rule.id)] if rule.threshold is not None else None,
            )
            for rule in RULES.values()
        ]

    def choices(self) -> dict[str, Choice]:
        data = self.cleaned_data
        return {
            rule_id: Choice(data[enabled_field(rule_id)], data.get(threshold_field(rule_id)))
            for rule_id in RULES
        }
