"""How services record what happened: INSERTs in the caller's transaction, nothing else.

The request path only writes rows here; the worker does the rest (pacer.events.dispatch).
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils import timezone

from pacer.events import kinds, payloads
from pacer.events.models import Event
from pacer.okrs import history, selectors
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Objective


def event(
    kind: str,
    *,
    objective: Objective | None,
    payload: dict[str, Any],
    actor: Any = None,
    organization_id: int | None = None,
) -> Event:
    """An unsaved event; `organization_id` defaults to the objective's, `actor` to the
    person the history context names (the request's)."""
    actor = actor or history.current_actor()
    if organization_id is None:
        assert objective is not None, "an event names its objective or its organization"
        organization_id = objective.organization_id
    return Event(
        kind=kind,
        organization_id=organization_id,
        objective=objective,
        actor=actor if getattr(actor, "pk", None) else None,
        payload=payload,
    )


def record(kind: str, **kwargs: Any) -> Event:
    recorded = event(kind, **kwargs)
    recorded.save(force_insert=True)
    return recorded


Statuses = tuple[str, str]  # (the key result's, its objective's)


def statuses(kr: KeyResult, objective: Objective, on: date) -> Statuses:
    """The paced statuses of a key result and its objective from their stored progress."""
    bands = objective.organization.bands
    return (
        selectors.key_result_pace(kr, objective.cycle, on=on, bands=bands).status,
        selectors.objective_pace(objective, on=on, bands=bands).status,
    )


def checkin_events(
    checkins: Sequence[CheckIn],
    objectives: dict[int, Objective],
    before: dict[int, Statuses],
    actor: Any,
) -> list[Event]:
    """checkin.created for each check-in, and a status change for each key result or
    objective the check-ins moved: `before` holds each key result's statuses (by id) taken
    before the check-ins and the roll-up; both at today's date."""
    today, found = timezone.localdate(), []
    seen: set[tuple[str, int]] = set()
    for checkin in checkins:
        kr = checkin.key_result
        objective = objectives[kr.objective_id]
        after = statuses(kr, objective, today)
        kr_data = payloads.key_result_data(kr, status=after[0])
        objective_data = payloads.objective_data(objective, status=after[1])
        checkin_data = payloads.checkin_data(checkin)
        payload = {"checkin": checkin_data, "key_result": kr_data, "objective": objective_data}
        found.append(
            event(kinds.CHECKIN_CREATED, objective=objective, actor=actor, payload=payload)
        )
        changes: tuple[tuple[str, int, int, dict[str, Any]], ...] = (
            (kinds.KEY_RESULT_STATUS_CHANGED, kr.pk, 0, {"key_result": kr_data}),
            (kinds.OBJECTIVE_STATUS_CHANGED, objective.pk, 1, {}),
        )
        for kind, pk, which, extra in changes:
            if before[kr.pk][which] != after[which] and (kind, pk) not in seen:
                seen.add((kind, pk))
                changed = {**extra, "objective": objective_data}
                changed.update({"from": before[kr.pk][which], "to": after[which]})
                found.append(event(kind, objective=objective, actor=actor, payload=changed))
    return found


def record_all(events: Sequence[Event]) -> None:
    Event.objects.bulk_create(events)


def objective_event(kind: str, objective: Objective, actor: Any = None) -> Event:
    """objective.created or objective.updated."""
    payload = {"objective": payloads.objective_data(objective)}
    return record(kind, objective=objective, actor=actor, payload=payload)


def alignment_event(kind: str, child: Objective, parent: Objective, actor: Any = None) -> Event:
    """objective.aligned or objective.unaligned: `child` gained or lost `parent`. The
    parent is named only by its ref and title, for those who may see it (the fan-out
    decides)."""
    payload = {
        "objective": payloads.objective_data(child),
        "parent": {"ref": parent.ref, "title": parent.title, "visibility": parent.visibility},
    }
    return record(kind, objective=child, actor=actor, payload=payload)


def cycle_closed(cycle: Cycle, actor: Any = None) -> Event:
    return record(
        kinds.CYCLE_CLOSED,
        objective=None,
        organization_id=cycle.organization_id,
        actor=actor,
        payload={"cycle": payloads.cycle_data(cycle)},
    )
