"""Check-ins: a dated value and confidence on one key result.

A check-in without a value keeps the last one (`kept_value`): a metric's check-in may change
only the confidence or add a note, on every path (web, API, CLI)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from pacer.accounts.models import User
from pacer.events import record as events
from pacer.okrs import progress as engine
from pacer.okrs import rollup, rules
from pacer.okrs.errors import DomainError, raise_if
from pacer.okrs.models import CheckIn, KeyResult, Objective
from pacer.okrs.services.writable import writable_objective


@dataclass(frozen=True)
class CheckInInput:
    """One check-in of a bulk request."""

    key_result: KeyResult
    value: Decimal | None
    confidence: str = ""
    note: str = ""
    at: datetime | None = None


Moment = tuple[int, datetime]  # (key result id, at)


def taken_moments(items: Sequence[CheckInInput]) -> set[Moment]:
    """The moments of `items` at which their key results already hold a check-in.

    Only dated items are looked up: an undated one is dated now, read inside the
    objective's lock after every earlier writer's, so no stored check-in holds it (the
    usual check-in, dated now, costs no query here)."""
    moments = {(item.key_result.pk, item.at) for item in items if item.at is not None}
    if not moments:
        return set()
    stored = CheckIn.objects.filter(
        key_result__in={kr_id for kr_id, _ in moments}, at__in={at for _, at in moments}
    )
    return set(stored.values_list("key_result_id", "at")) & moments


def author_problems(objective: Objective, author: User | None) -> list[rules.Problem]:
    """A check-in's author is of the key result's organization (an export names them, and
    the file's importer finds them there); None is the operator or a data source."""
    if author is None or author.organization_id == objective.organization_id:
        return []
    return [("author", "belongs to another organization")]


def checked_checkin(
    item: CheckInInput,
    *,
    objective: Objective,
    author: User | None,
    now: datetime,
    taken: set[Moment],
) -> CheckIn:
    """The check-in to insert (not saved yet), or a DomainError naming each wrong field.

    `objective`: the key result's objective, locked and writable, with its cycle. `taken`:
    the moments already used (`taken_moments`); this one is added to it.
    """
    at = item.at or now
    moment = (item.key_result.pk, at)
    value = item.value if item.value is not None else kept_value(item.key_result, at)
    raise_if(
        rules.checkin_problems(
            type=item.key_result.type,
            value=value,
            confidence=item.confidence,
            at=at,
            now=now,
            cycle_start=objective.cycle.start,
        )
        + rules.texts_problems(note=item.note)
        + rules.checkin_moment_problems(at, taken=moment in taken)
        + author_problems(objective, author)
    )
    taken.add(moment)
    return CheckIn(
        key_result=item.key_result,
        value=value,
        confidence=item.confidence or "",
        note=item.note or "",
        author=author,
        at=at,
    )


def kept_value(key_result: KeyResult, at: datetime) -> Decimal | None:
    """A check-in without a value keeps the value of the key result's latest check-in at or
    before its moment, so a check-in may change only the confidence or add a note. None when
    there is no such check-in (the value is then required) or the type takes no value."""
    if key_result.type in engine.DERIVED_TYPES:
        return None
    earlier = CheckIn.objects.filter(key_result=key_result, at__lte=at).order_by("-at", "-id")
    return earlier.values_list("value", flat=True).first()


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
    item, now = CheckInInput(key_result, value, confidence, note, at), timezone.now()
    taken = taken_moments([item])
    checkin = checked_checkin(item, objective=objective, author=author, now=now, taken=taken)
    before = events.statuses(key_result, objective, timezone.localdate())
    checkin.save(force_insert=True)
    rollup.refresh_after_change(key_result, objective=objective)
    events.record_all(
        events.checkin_events([checkin], {objective.pk: objective}, {key_result.pk: before}, author)
    )
    return checkin


@transaction.atomic
def checkin_delete(*, checkin: CheckIn) -> None:
    key_result = checkin.key_result
    objective = writable_objective(key_result.objective_id)
    checkin.delete()
    rollup.refresh_after_change(key_result, objective=objective)


@transaction.atomic
def checkin_create_many(*, items: Sequence[CheckInInput], author: User | None) -> list[CheckIn]:
    """All the check-ins or none: a problem with any item (named `items[i].<field>`) writes
    nothing. Every item is checked, so the error lists all problems at once.

    The work is bounded: at most `rules.MAX_BULK_CHECKINS` items; each objective is locked
    once (in id order, so two bulks cannot deadlock), and the roll-up runs once at the end
    for every key result, objective and follower above them, however many items share them.
    """
    raise_if(rules.bulk_size_problems(len(items)))
    objectives = lock_writable(sorted({item.key_result.objective_id for item in items}))
    now = timezone.now()
    taken = taken_moments(items)
    created: list[CheckIn] = []
    problems: list[rules.Problem] = []
    for index, item in enumerate(items):
        try:
            objective = objectives[item.key_result.objective_id]
            if isinstance(objective, DomainError):
                raise objective
            checkin = checked_checkin(
                item, objective=objective, author=author, now=now, taken=taken
            )
            created.append(checkin)
        except DomainError as error:
            problems += [
                (f"items[{index}].{field or 'key_result'}", m) for field, m in error.problems
            ]
    raise_if(problems)
    today, locked = timezone.localdate(), writable_only(objectives)
    before = {
        c.key_result.pk: events.statuses(c.key_result, locked[c.key_result.objective_id], today)
        for c in created
    }
    for checkin in created:
        checkin.save(force_insert=True)
    rollup.refresh_after_changes([item.key_result for item in items], locked.values())
    events.record_all(events.checkin_events(created, locked, before, author))
    return created


def writable_only(objectives: dict[int, Objective | DomainError]) -> dict[int, Objective]:
    return {pk: o for pk, o in objectives.items() if isinstance(o, Objective)}


def lock_writable(objective_ids: Sequence[int]) -> dict[int, Objective | DomainError]:
    """Each objective locked and writable, or the read-only rule's refusal, by id."""
    found: dict[int, Objective | DomainError] = {}
    for objective_id in objective_ids:
        try:
            found[objective_id] = writable_objective(objective_id)
        except DomainError as error:
            found[objective_id] = error
    return found
