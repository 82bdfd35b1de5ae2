"""The read-only rule, in one place: every write under an objective starts here.

A closed cycle freezes its objectives' numbers, and an archived objective takes no change
until it is restored. Each writing service locks the objective it changes through
`writable_objective`, so no view, endpoint, command or importer has to remember the rule.
"""

from django.db.models import Exists, OuterRef

from pacer import lockwaits
from pacer.okrs import rules
from pacer.okrs.errors import raise_if
from pacer.okrs.models import Cycle, KeyResult, Objective


def lock_objective(objective_id: int) -> Objective:
    """Serialize writes that roll up into one objective (no lost sibling updates).

    Only the objective's row is locked (`of`); its cycle comes along for the closed check,
    its organization for the status bands of the events a write records, its owner and
    team for the events' payloads (two queries fewer on every check-in). `followed`: whether
    any key result follows it, so the roll-up looks for followers only when there are some
    (most objectives have none: one query fewer inside the lock).
    """
    followers = KeyResult.objects.filter(linked_objective_id=OuterRef("pk"))
    with lockwaits.timed("objective_lock"):
        return (
            Objective.objects.select_for_update(of=("self",))
            .select_related("cycle", "organization", "owner", "team")
            .annotate(followed=Exists(followers))
            .get(pk=objective_id)
        )


def writable_objective(
    objective_id: int, *, allow_archived: bool = False, allow_closed: bool = False
) -> Objective:
    """The objective, locked, or a DomainError if the read-only rule forbids changing it.

    `allow_archived` is for restoring and archiving (idempotent); `allow_closed` for the
    close-out notes and override, which belong to a closed cycle.
    """
    objective = lock_objective(objective_id)
    problems = rules.read_only_problems(
        cycle_name=objective.cycle.name,
        cycle_closed=objective.cycle.is_closed and not allow_closed,
        archived=objective.archived_at is not None and not allow_archived,
    )
    raise_if(problems)
    return objective


def ensure_cycle_open(cycle: Cycle) -> None:
    raise_if(rules.read_only_problems(cycle_name=cycle.name, cycle_closed=cycle.is_closed))
