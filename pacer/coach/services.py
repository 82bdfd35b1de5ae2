"""Writes of the coach: an organization's choices of lint rules (docs/coach.md,
"Organization settings")."""

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.db import transaction

from pacer.accounts.models import User
from pacer.coach.config import Choice, checked_threshold
from pacer.coach.models import RuleSetting
from pacer.coach.rules import RULES
from pacer.okrs import permissions
from pacer.okrs.errors import raise_if
from pacer.okrs.models import Organization
from pacer.okrs.rules import Problem


def threshold_field(rule_id: str) -> str:
    """The name a problem with a rule's threshold gives (the settings form's field)."""
    return f"{rule_id}-threshold"


def rule_settings_problems(choices: Mapping[str, Choice]) -> list[Problem]:
    """Unknown rules, and thresholds out of 0..MAX_THRESHOLD or on a rule that counts
    nothing (config.checked_threshold: the config file's check, worded the same)."""
    problems: list[Problem] = []
    for rule_id, choice in choices.items():
        if rule_id not in RULES:
            problems.append((rule_id, f"no such rule (the rules: {', '.join(RULES)})"))
        elif choice.threshold is not None:
            try:
                checked_threshold(rule_id, choice.threshold)
            except ValueError as error:
                problems.append((threshold_field(rule_id), str(error)))
    return problems


@transaction.atomic
def save_rule_settings(
    *, organization: Organization, choices: Mapping[str, Choice], by: User
) -> list[RuleSetting]:
    """Set the organization's choice for each rule in `choices` (a threshold of None keeps
    the rule's default): all of them or, with a problem, none (DomainError)."""
    if not permissions.can_change_settings(by, organization):
        raise PermissionDenied("Only organization admins change the lint rules.")
    raise_if(rule_settings_problems(choices))
    rows = [
        RuleSetting(
            organization=organization,
            rule=rule_id,
            enabled=choice.enabled,
            threshold=choice.threshold,
        )
        for rule_id, choice in sorted(choices.items())
    ]
    return RuleSetting.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["organization", "rule"],
        update_fields=["enabled", "threshold", "updated_at"],
    )
