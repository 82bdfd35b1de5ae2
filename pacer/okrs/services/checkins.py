"""Check-ins: a dated value and confidence on one key result."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from pacer.accounts.models import User
from pacer.okrs import rollup, rules
from pacer.okrs.errors import DomainError, raise_if
from pacer.okrs.models import CheckIn, KeyResult
from pacer.okrs.services.writable import writable_objective


@transaction.atomic
def checkin_create(
    *,
    key_result: KeyResult,
    value: Decimal | None,
    confidence: str = "",
    note: str = "",
    author: User | None = None,
    at: datetime | None = None,
) -> CheckIn:
    objective = writable_objective(key_result.objective_id)
    now = timezone.now()
    at = at or now
    raise_if(
        rules.checkin_problems(
            type=key_result.type, value=value, confidence=confidence, at=at, now=now
        )
    )
    checkin = CheckIn.objects.create(
        key_result=key_result,
        value=value,
        confidence=confidence or "",
        note=note or "",
        author=author,
        at=at,
    )
    rollup.refresh_after_change(key_result, objective=objective)
    return checkin


@transaction.atomic
def checkin_delete(*, checkin: CheckIn) -> None:
    key_result = checkin.key_result
    objective = writable_objective(key_result.objective_id)
    checkin.delete()
    rollup.refresh_after_change(key_result, objective=objective)


@dataclass(frozen=True)
class CheckInInput:
    """One check-in of a bulk request."""

    key_result: KeyResult
    value: Decimal | None
    confidence: str = ""
    note: str = ""
    at: datetime | None = None


@transaction.atomic
def checkin_create_many(*, items: Sequence[CheckInInput], author: User | None) -> list[CheckIn]:
    """All the check-ins or none: a problem with any item (named `items[i].<field>`) writes
    nothing. Every item is checked, so the error lists all problems at once."""
    created: list[CheckIn] = []
    problems: list[rules.Problem] = []
    for index, item in enumerate(items):
        try:
            created.append(
                checkin_create(
                    key_result=item.key_result,
                    value=item.value,
                    confidence=item.confidence,
                    note=item.note,
                    author=author,
                    at=item.at,
                )
            )
        except DomainError as error:
            problems += [
                (f"items[{index}].{field or 'key_result'}", m) for field, m in error.problems
            ]
    raise_if(problems)
    return created
