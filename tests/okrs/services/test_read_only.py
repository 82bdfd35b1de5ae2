"""The read-only rule, walked through every writing service.

An archived objective takes no change until it is restored, and a closed cycle freezes its
objectives. Every service in `pacer.okrs.services` that changes an objective or anything
under it must refuse both (DomainError, field `archived` or `cycle`) and write nothing. The
few documented exceptions are asserted as such. A service added to `services.__all__`
without a place in this walk fails `test_the_walk_lists_every_service`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from auditlog.models import LogEntry

from pacer.api.models import Tombstone
from pacer.okrs import selectors, services
from pacer.okrs.errors import DomainError
from pacer.okrs.models import CheckIn, Comment, Cycle, KeyResult, Milestone, Objective
from tests.factories import (
    World,
    database_state,
    fresh,
    make_cycle,
    make_key_result,
    make_objective,
)

pytestmark = pytest.mark.django_db

ARCHIVED, CLOSED = "archived", "closed"
STATES = (ARCHIVED, CLOSED)
# The field each state's refusal names.
REFUSAL_FIELD = {ARCHIVED: "archived", CLOSED: "cycle"}


@dataclass
class Subject:
    """The shared world's public objective, fully furnished, then archived or closed."""

    world: World
    objective: Objective  # "delivery" in 2026-Q2: archived, or its cycle closed
    metric: KeyResult  # "adoption", with one check-in
    checkin: CheckIn
    plan: KeyResult  # a milestones key result
    milestone: Milestone
    year: Cycle  # 2026, open: encloses 2026-Q2
    parent: Objective  # in 2026, aligned above `objective`
    spare_parent: Objective  # in 2026, not aligned
    elsewhere: Objective  # in 2026, open
    stray: KeyResult  # a key result of `elsewhere`, to move in


def furnish(world: World, state: str) -> Subject:
    year = make_cycle(world.org, "2026", date(2026, 1, 1), date(2026, 12, 31))
    parent = make_objective(year, "company", world.admin, title="Grow the company")
    elsewhere = make_objective(year, "elsewhere", world.owner, title="Somewhere else")
    stray = make_key_result(elsewhere, "stray")
    objective = world.public
    plan = services.key_result_create(
        objective=objective, spec=services.KeyResultSpec(title="Plan", type="milestones")
    )
    milestone = services.milestone_create(key_result=plan, title="Pilot")
    services.milestone_create(key_result=plan, title="Launch")
    services.objective_align(child=objective, parent=parent)
    if state == ARCHIVED:
        services.objective_archive(objective=objective)
    else:
        services.cycle_close(cycle=world.cycle)
    return Subject(
        world=world,
        objective=fresh(objective),
        metric=fresh(world.adoption),
        checkin=CheckIn.objects.get(key_result=world.adoption),
        plan=fresh(plan),
        milestone=fresh(milestone),
        year=year,
        parent=parent,
        spare_parent=make_objective(year, "another-parent", world.admin),
        elsewhere=elsewhere,
        stray=stray,
    )


def stored() -> dict[str, Any]:
    """Every OKR row (with its updated_at), the history and the tombstones."""
    return {
        **database_state(),
        "LogEntry": list(LogEntry.objects.order_by("pk").values_list("pk", flat=True)),
        "Tombstone": list(Tombstone.objects.order_by("pk").values_list("pk", flat=True)),
    }


# --- The walk ----------------------------------------------------------------------------

Check = Callable[[Subject, Any, dict[str, Any]], None]


@dataclass(frozen=True)
class Case:
    """One call of a writing service on (or under, or into) the subject.

    `accepts` names the states in which the call is documented to succeed, with what must
    then hold; in every other state it is refused with `REFUSAL_FIELD[state]`.
    """

    service: str
    label: str
    call: Callable[[Subject], Any]
    accepts: dict[str, Check] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.label.replace(" ", "-")


def unchanged(subject: Subject, result: Any, before: dict[str, Any]) -> None:
    assert stored() == before


def restored(subject: Subject, result: Any, before: dict[str, Any]) -> None:
    assert fresh(subject.objective).archived_at is None


def retrospective_written(subject: Subject, result: Any, before: dict[str, Any]) -> None:
    objective = fresh(subject.objective)
    assert (objective.score_override, objective.override_reason) == (Decimal("0.6"), "Late")
    assert objective.went_well == "Pilot"


def miss_reason_written(subject: Subject, result: Any, before: dict[str, Any]) -> None:
    key_result = fresh(subject.metric)
    assert (key_result.miss_reason, key_result.miss_note) == ("dependency", "Waited on billing")


def copied_to(cycle: Callable[[Subject], Cycle]) -> Check:
    def check(subject: Subject, result: Any, before: dict[str, Any]) -> None:
        assert fresh(result).cycle == cycle(subject)
        assert fresh(result).archived_at is None

    return check


def created_in_cycle(subject: Subject, result: Any, before: dict[str, Any]) -> None:
    assert fresh(result).cycle == subject.world.cycle


def carried_over(subject: Subject, result: Any, before: dict[str, Any]) -> None:
    """Planning from a closed cycle is the point: the copy lands in the new next cycle."""
    (copy,) = result.copies
    assert fresh(copy).cycle == result.cycle and result.cycle.state == "planning"
    assert fresh(copy).archived_at is None


def own_comment(subject: Subject) -> Comment:
    return services.comment_create(
        author=subject.world.owner, objective=subject.objective, body="Hm"
    )


def commented(body: str) -> Check:
    def check(subject: Subject, result: Any, before: dict[str, Any]) -> None:
        assert [c.body for c in Comment.objects.filter(objective=subject.objective)] == [body]
        assert stored()["Objective"] == before["Objective"]  # the objective itself is as it was

    return check


def no_comment(subject: Subject, result: Any, before: dict[str, Any]) -> None:
    assert not Comment.objects.filter(objective=subject.objective).exists()
    assert stored()["Objective"] == before["Objective"]


def new_spec(title: str, **fields: Any) -> services.KeyResultSpec:
    return services.KeyResultSpec(title=title, start=Decimal(0), target=Decimal(10), **fields)


CASES = [
    Case(
        "checkin_create",
        "checkin_create",
        lambda s: services.checkin_create(key_result=s.metric, value=Decimal(40)),
    ),
    Case(
        "checkin_create_many",
        "checkin_create_many",
        # The first item is fine (an open objective): all or nothing, it is not written.
        lambda s: services.checkin_create_many(
            items=[
                services.CheckInInput(key_result=s.stray, value=Decimal(5)),
                services.CheckInInput(key_result=s.metric, value=Decimal(40)),
            ],
            author=s.world.owner,
        ),
    ),
    Case("checkin_delete", "checkin_delete", lambda s: services.checkin_delete(checkin=s.checkin)),
    Case(
        "milestone_create",
        "milestone_create",
        lambda s: services.milestone_create(key_result=s.plan, title="Rollout"),
    ),
    Case(
        "milestone_update",
        "milestone_update",
        lambda s: services.milestone_update(milestone=s.milestone, title="Pilot, renamed"),
    ),
    Case(
        "milestone_set_done",
        "milestone_set_done",
        lambda s: services.milestone_set_done(milestone=s.milestone, done=True),
    ),
    Case(
        "milestone_delete",
        "milestone_delete",
        lambda s: services.milestone_delete(milestone=s.milestone),
    ),
    Case(
        "milestone_move",
        "milestone_move",
        lambda s: services.milestone_move(milestone=s.milestone, offset=1),
    ),
    Case(
        "key_result_create",
        "key_result_create",
        lambda s: services.key_result_create(objective=s.objective, spec=new_spec("New")),
    ),
    Case(
        "key_result_update",
        "key_result_update",
        lambda s: services.key_result_update(
            key_result=s.metric, spec=services.key_result_spec(s.metric, target=Decimal(95))
        ),
    ),
    Case(
        "key_result_move",
        "key_result_move out of it",
        lambda s: services.key_result_move(key_result=s.metric, objective=s.elsewhere),
    ),
    Case(
        "key_result_move",
        "key_result_move into it",
        lambda s: services.key_result_move(key_result=s.stray, objective=s.objective),
    ),
    Case(
        "key_result_delete",
        "key_result_delete",
        lambda s: services.key_result_delete(key_result=s.metric),
    ),
    Case(
        "objective_update",
        "objective_update",
        lambda s: services.objective_update(
            objective=s.objective,
            version=selectors.objective_version(s.objective),
            title="Deliver even faster",
            team=s.objective.team,
            parents=[s.parent],
        ),
    ),
    Case(
        "objective_align",
        "objective_align",
        lambda s: services.objective_align(child=s.objective, parent=s.spare_parent),
    ),
    Case(
        "objective_unalign",
        "objective_unalign",
        lambda s: services.objective_unalign(child=s.objective, parent=s.parent),
    ),
    # Archiving is idempotent and restoring is what an archived objective waits for; a
    # closed cycle refuses both.
    Case(
        "objective_archive",
        "objective_archive",
        lambda s: services.objective_archive(objective=s.objective),
        accepts={ARCHIVED: unchanged},
    ),
    Case(
        "objective_restore",
        "objective_restore",
        lambda s: services.objective_restore(objective=s.objective),
        accepts={ARCHIVED: restored},
    ),
    # The close-out (override and notes) belongs to a closed cycle; archived still refuses.
    Case(
        "objective_set_retrospective",
        "objective_set_retrospective",
        lambda s: services.objective_set_retrospective(
            objective=s.objective,
            score_override=Decimal("0.6"),
            override_reason="Late",
            went_well="Pilot",
        ),
        accepts={CLOSED: retrospective_written},
    ),
    # The miss reason of a key result is set at close, like the override; archived refuses.
    Case(
        "key_result_set_miss_reason",
        "key_result_set_miss_reason",
        lambda s: services.key_result_set_miss_reason(
            key_result=s.metric, miss_reason="dependency", miss_note="Waited on billing"
        ),
        accepts={CLOSED: miss_reason_written},
    ),
    # Carrying an objective over to the next cycle is the point of a copy: the source may
    # be archived or closed. The target cycle must be open (archiving closes no cycle).
    Case(
        "objective_copy",
        "objective_copy from it",
        lambda s: services.objective_copy(
            objective=s.objective, cycle=s.year, key_results=[s.metric, s.plan]
        ),
        accepts={ARCHIVED: copied_to(lambda s: s.year), CLOSED: copied_to(lambda s: s.year)},
    ),
    Case(
        "objective_copy",
        "objective_copy into its cycle",
        lambda s: services.objective_copy(
            objective=s.elsewhere, cycle=s.world.cycle, key_results=[s.stray]
        ),
        accepts={ARCHIVED: copied_to(lambda s: s.world.cycle)},
    ),
    Case(
        "objective_create",
        "objective_create in its cycle",
        lambda s: services.objective_create(
            cycle=s.world.cycle, owner=s.world.owner, title="Fresh start"
        ),
        accepts={ARCHIVED: created_in_cycle},
    ),
    Case(
        "cycle_plan_next",
        "cycle_plan_next carrying it over",
        lambda s: services.cycle_plan_next(
            cycle=s.world.cycle, carry=[(s.objective, [s.metric, s.plan])]
        ),
        accepts={CLOSED: carried_over},
    ),
    # A comment is talk about the objective, not a change to it: the retrospective of a
    # closed cycle and the reason an objective was archived are what people discuss.
    Case(
        "comment_create",
        "comment_create",
        lambda s: services.comment_create(author=s.world.owner, objective=s.objective, body="Why?"),
        accepts={ARCHIVED: commented("Why?"), CLOSED: commented("Why?")},
    ),
    Case(
        "comment_update",
        "comment_update",
        lambda s: services.comment_update(
            comment=own_comment(s), editor=s.world.owner, body="Why, really?"
        ),
        accepts={ARCHIVED: commented("Why, really?"), CLOSED: commented("Why, really?")},
    ),
    Case(
        "comment_delete",
        "comment_delete",
        lambda s: services.comment_delete(comment=own_comment(s), person=s.world.owner),
        accepts={ARCHIVED: no_comment, CLOSED: no_comment},
    ),
]

# Services that change no objective nor anything under one, each with the reason.
NOT_UNDER_AN_OBJECTIVE = {
    "cycle_create": "a new cycle holds no objective yet",
    "cycle_update": "changes the cycle itself (refuses a closed one: tests/okrs/services)",
    "cycle_delete": "only an empty cycle is deleted",
    "cycle_close": "closing is what makes a cycle read-only",
    "cycle_reopen": "reopening is what makes a closed cycle writable again",
    "organization_update": "the organization's status bands",
    "organization_rhythm_update": "the organization's check-in cadence and reminder time",
    "person_invite": "people, not OKRs",
    "person_deactivate": "people, not OKRs",
    "person_reactivate": "people, not OKRs",
    "invitation_send": "sends an email, writes nothing",
    "invitation_path_args": "reads only",
    "invitation_resend": "sends an email, writes nothing",
    "person_update": "people, not OKRs",
    "team_create": "teams, not OKRs",
    "team_update": "teams, not OKRs (objectives keep their team)",
    "team_archive": "teams, not OKRs (objectives keep their team)",
    "team_restore": "teams, not OKRs",
    "membership_set": "teams, not OKRs",
    "membership_remove": "teams, not OKRs",
    "key_result_spec": "reads only (builds a KeyResultSpec)",
    "next_cycle_of": "reads only (the cycle cycle_plan_next picks or would create)",
}


def case_id(case: Case) -> str:
    return case.id


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_writing_service_keeps_the_read_only_rule(
    world: World, case: Case, state: str
) -> None:
    subject = furnish(world, state)
    before = stored()
    if state in case.accepts:
        result = case.call(subject)
        case.accepts[state](subject, result, before)
        return
    with pytest.raises(DomainError) as refused:
        case.call(subject)
    fields = [f for f, _ in refused.value.problems]
    if case.service == "checkin_create_many":
        assert fields == [f"items[1].{REFUSAL_FIELD[state]}"]
    else:
        assert fields == [REFUSAL_FIELD[state]]
    assert stored() == before, "a refused write must write nothing"


def test_archived_and_closed_together_name_the_closed_cycle(world: World) -> None:
    services.objective_archive(objective=world.public)
    services.cycle_close(cycle=world.cycle)
    with pytest.raises(DomainError) as refused:
        services.checkin_create(key_result=world.adoption, value=Decimal(40))
    assert [f for f, _ in refused.value.problems] == ["cycle"]
    # Neither restoring nor archiving moves an objective of a closed cycle.
    for service in (services.objective_restore, services.objective_archive):
        with pytest.raises(DomainError, match="2026-Q2 is closed"):
            service(objective=world.public)


def test_a_reopened_cycle_and_a_restored_objective_take_writes_again(world: World) -> None:
    services.cycle_close(cycle=world.cycle)
    services.cycle_reopen(cycle=world.cycle)
    services.objective_archive(objective=world.public)
    services.objective_restore(objective=world.public)
    services.checkin_create(key_result=world.adoption, value=Decimal(45))
    assert fresh(world.adoption).current == 45


# --- Nobody forgets a new service ----------------------------------------------------------

NOUNS_UNDER_AN_OBJECTIVE = ("checkin_", "milestone_", "key_result_", "objective_")


def service_functions() -> set[str]:
    return {
        name for name in services.__all__ if name[0].islower() and callable(getattr(services, name))
    }


def test_the_walk_lists_every_service() -> None:
    walked = {case.service for case in CASES}
    unlisted = service_functions() - walked - set(NOT_UNDER_AN_OBJECTIVE)
    assert not unlisted, (
        f"{sorted(unlisted)}: add each to CASES in {__name__} (it must refuse an archived "
        "objective and a closed cycle) or, if it changes nothing under an objective, to "
        "NOT_UNDER_AN_OBJECTIVE with the reason"
    )
    assert walked | set(NOT_UNDER_AN_OBJECTIVE) <= service_functions(), "a stale entry"
    assert not walked & set(NOT_UNDER_AN_OBJECTIVE)


def test_writes_under_an_objective_are_never_exempt() -> None:
    exempt = [n for n in NOT_UNDER_AN_OBJECTIVE if n.startswith(NOUNS_UNDER_AN_OBJECTIVE)]
    assert exempt == ["key_result_spec"]  # builds a spec, writes nothing
    writing = [
        name
        for name in service_functions()
        if name.startswith(NOUNS_UNDER_AN_OBJECTIVE) and name not in NOT_UNDER_AN_OBJECTIVE
    ]
    assert set(writing) <= {case.service for case in CASES}
