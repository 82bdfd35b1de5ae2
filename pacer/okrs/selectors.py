"""Reads. "Who may see this" is answered here, once, for every page, endpoint and export.

Expected progress and status depend on the date, so they are derived here from stored
progress and the window's dates; filtering by status becomes a range condition on the
stored `progress`, one per cycle, which an index serves.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value

from pacer.accounts.models import User
from pacer.okrs import periods, rules
from pacer.okrs import progress as engine
from pacer.okrs.models import Cycle, KeyResult, Membership, Objective, Organization


def objectives_visible_to(person: User) -> QuerySet[Objective]:
    """Public objectives of the person's organization, and private ones where the person is
    the owner, a member of the owning team, or an organization admin."""
    if not person.is_authenticated or person.organization_id is None:
        return Objective.objects.none()
    in_org = Objective.objects.filter(organization_id=person.organization_id)
    if person.is_org_admin:
        return in_org
    member_of_team = Membership.objects.filter(team_id=OuterRef("team_id"), person=person)
    return in_org.filter(
        Q(visibility=Objective.Visibility.PUBLIC) | Q(owner=person) | Exists(member_of_team)
    )


def objectives_hidden_from(person: User) -> QuerySet[Objective]:
    """The converse of `objectives_visible_to` for a signed-in person of an organization:
    its private objectives the person neither owns nor shares a team with. Few, and
    reached through the visibility index, where "not among the visible ones" had to list
    every visible objective first (PostgreSQL planned it as a scan of the organization's
    key results for each row it tested: 0.6 s for a person's work at the large size)."""
    if not person.is_authenticated or person.organization_id is None:
        return Objective.objects.none()
    if person.is_org_admin:
        return Objective.objects.none()
    member_of_team = Membership.objects.filter(team_id=OuterRef("team_id"), person=person)
    return (
        Objective.objects.filter(
            organization_id=person.organization_id, visibility=Objective.Visibility.PRIVATE
        )
        .exclude(owner=person)
        .exclude(Exists(member_of_team))
    )


def people_who_see(objective: Objective) -> QuerySet[User]:
    """The active people of the objective's organization who may see it (the converse of
    `objectives_visible_to`): everyone for a public one; else its owner, the members of its
    team and the admins."""
    people = User.objects.filter(organization_id=objective.organization_id, is_active=True)
    if objective.visibility == Objective.Visibility.PUBLIC:
        return people
    sees = Q(role=User.Role.ADMIN) | Q(pk=objective.owner_id)
    if objective.team_id is not None:
        sees |= Q(
            Exists(Membership.objects.filter(team_id=objective.team_id, person=OuterRef("pk")))
        )
    return people.filter(sees)


def answering(person: User) -> Q:
    """The key results a person answers for, as a condition: those they own, and those
    without an owner under an objective they own (the rule of check-in reminders). For the
    cycles running now, `answered_by` finds the same ones faster."""
    return Q(owner=person) | Q(owner__isnull=True, objective__owner=person)


def answered_by(person: User, cycles: Iterable[Cycle]) -> list[int]:
    """The ids of the key results of `cycles` a person answers for (`answering`). Two
    indexed queries: as one condition (`owner = me OR (owner IS NULL AND objective's owner
    = me)`) the databases walked every key result without an owner, or of the cycles."""
    cycle_ids = [cycle.pk for cycle in cycles]
    mine = KeyResult.objects.filter(owner=person, objective__cycle_id__in=cycle_ids)
    under_theirs = KeyResult.objects.filter(
        objective__owner=person, objective__cycle_id__in=cycle_ids
    )
    unowned = [pk for pk, owner in under_theirs.values_list("pk", "owner_id") if owner is None]
    return [*mine.values_list("pk", flat=True), *unowned]


def key_results_visible_to(person: User) -> QuerySet[KeyResult]:
    # Correlated on the objective's id: lists stop after a page, where an IN over every
    # visible objective had to list the whole organization first.
    visible = objectives_visible_to(person).filter(pk=OuterRef("objective_id"))
    return KeyResult.objects.filter(Exists(visible))


def with_link_visibility(
    key_results: QuerySet[KeyResult], person: User | None
) -> QuerySet[KeyResult]:
    """Mark each key result that follows an objective `person` may not see (`follows_hidden`).

    Such a key result shows `person` nothing of that objective: not its title, ref or link,
    and not the progress it takes from it (its own progress, current value, status and
    score). Its objective's progress still counts it. `person` None is the operator (the
    CLI without `--as`), who sees everything. Every page, endpoint and export asks here.
    """
    if person is None:
        return key_results.annotate(follows_hidden=Value(False))
    visible = objectives_visible_to(person).filter(pk=OuterRef("linked_objective_id"))
    hidden = Q(linked_objective__isnull=False) & ~Exists(visible)
    return key_results.annotate(follows_hidden=ExpressionWrapper(hidden, BooleanField()))


def follows_hidden(kr: KeyResult) -> bool:
    """Whether `kr` follows an objective its reader may not see (`with_link_visibility`);
    a linked key result read without that mark counts as hidden, never as shown."""
    return bool(getattr(kr, "follows_hidden", kr.linked_objective_id is not None))


def without_read_only(objectives: QuerySet[Objective]) -> QuerySet[Objective]:
    """The objectives the read-only rule lets change now: not archived, cycle not closed."""
    return objectives.filter(archived_at__isnull=True).exclude(cycle__state=Cycle.State.CLOSED)


def objective_version(objective: Objective, reader: User | None = None) -> str:
    """A fingerprint of the objective as `reader` sees it in the edit form; a stale form
    carries an older one.

    Made only of what the reader may see: the objective's own fields and the parents visible
    to them (`reader` None: every parent, as the operator sees them). An alignment to a
    parent hidden from the reader leaves it as it is (their edit keeps that parent anyway),
    so the version tells nothing about hidden objectives. Check-ins change `updated_at`
    (stored progress) but not this fingerprint, so someone checking in while another person
    edits the wording is not a conflict.
    """
    return version_of(objective, parent_ids_visible_to(reader, objective))


def version_of(objective: Objective, parent_ids: Iterable[int]) -> str:
    """The fingerprint of `objective` with these parents (those its reader may see)."""
    fields = (
        objective.title,
        objective.description,
        objective.team_id,
        objective.kind,
        objective.visibility,
        objective.owner_id,
        sorted(parent_ids),
    )
    text = "\x1f".join(str(value) for value in fields)  # str: enum members equal raw values
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def parent_ids_visible_to(reader: User | None, objective: Objective) -> list[int]:
    """The ids of the objective's parents that `reader` may see (None: all of them)."""
    ids = list(objective.parent_links.values_list("parent_id", flat=True))
    if reader is None or not ids:
        return ids
    return list(objectives_visible_to(reader).filter(pk__in=ids).values_list("pk", flat=True))


def read_only_problems(objective: Objective) -> list[rules.Problem]:
    """Why the read-only rule keeps `objective` from changing now (empty: it may change)."""
    return rules.read_only_problems(
        cycle_name=objective.cycle.name,
        cycle_closed=objective.cycle.is_closed,
        archived=objective.archived_at is not None,
    )


# --- Date-dependent numbers ------------------------------------------------------------


@dataclass(frozen=True)
class Pace:
    """Progress, expected progress, status and score of one objective or KR at a date.

    `final`: its cycle is closed, so the score is frozen and what counts is the final score,
    its colour and (for an objective) `succeeded`; expected progress and status are no longer
    news, and pages show neither (the web's `pace_*` template tags decide from this alone).
    """

    progress: Decimal
    expected: Decimal
    status: str
    score: Decimal
    color: str
    final: bool = False
    succeeded: bool | None = None  # objectives only: met by its kind's rule at this score


def objective_pace(objective: Objective, *, on: date, bands: engine.Bands) -> Pace:
    cycle = objective.cycle
    expected = engine.expected_progress(on, cycle.start, cycle.end)
    status = engine.paced_status(objective.progress, expected, bands)
    grade = objective.score
    return Pace(
        objective.progress,
        expected,
        status,
        grade,
        engine.color(grade),
        final=cycle.is_closed,
        succeeded=engine.succeeded(objective.kind, grade),
    )


def key_result_facts(kr: KeyResult) -> engine.KeyResultFacts:
    """The facts a status needs; `current` is None before the first check-in."""
    has_value = kr.last_checkin_at is not None and kr.type not in engine.DERIVED_TYPES
    return engine.KeyResultFacts(
        type=kr.type,
        current=kr.current if has_value else None,
        start=kr.start,
        target=kr.target,
        threshold=kr.threshold,
        low=kr.low,
        high=kr.high,
    )


def key_result_pace(kr: KeyResult, cycle: Cycle, *, on: date, bands: engine.Bands) -> Pace:
    window_start, window_end = kr.window(cycle)
    expected = engine.expected_progress(on, window_start, window_end)
    status = engine.key_result_status(
        key_result_facts(kr),
        kr.progress,
        on=on,
        window_start=window_start,
        window_end=window_end,
        bands=bands,
    )
    grade = kr.score
    return Pace(kr.progress, expected, status, grade, engine.color(grade), final=cycle.is_closed)


def status_condition(status: str, expected: Decimal, bands: engine.Bands) -> Q:
    """The condition on stored `progress` equivalent to `status` when expected is fixed."""
    one = engine.ONE
    if status == engine.DONE:
        return Q(progress__gte=one)
    below_done = Q(progress__lt=one)
    if status == engine.ON_TRACK:
        return below_done & Q(progress__gte=expected - bands.at_risk_gap)
    if status == engine.AT_RISK:
        return (
            below_done
            & Q(progress__lt=expected - bands.at_risk_gap)
            & Q(progress__gte=expected - bands.off_track_gap)
        )
    if status == engine.OFF_TRACK:
        return below_done & Q(progress__lt=expected - bands.off_track_gap)
    raise ValueError(f"unknown status {status!r}")


def filter_objectives_by_status(
    objectives: QuerySet[Objective], status: str, *, on: date, organization: Organization
) -> QuerySet[Objective]:
    """Objectives whose status at `on` is `status`: one range on `progress` per cycle."""
    cycles = Cycle.objects.filter(pk__in=objectives.values("cycle_id"))
    condition = Q(pk__in=[])
    for cycle in cycles:
        expected = engine.expected_progress(on, cycle.start, cycle.end)
        condition |= Q(cycle=cycle) & status_condition(status, expected, organization.bands)
    return objectives.filter(condition)


def objectives_for_export(
    organization: Organization, *, viewer: User | None = None
) -> QuerySet[Objective]:
    """What an export holds: all of the organization for its operator (the CLI without
    `--as`), otherwise exactly what `viewer` may see."""
    if viewer is None:
        return Objective.objects.filter(organization=organization)
    return objectives_visible_to(viewer).filter(organization=organization)


def cadence_condition(cadence: str, organization: Organization) -> Q:
    """Key results whose objective's team checks in at `cadence` (a team without a cadence,
    or an objective without a team, follows the organization's)."""
    condition = Q(objective__team__checkin_cadence=cadence)
    if cadence == organization.checkin_cadence:
        condition |= Q(objective__team__isnull=True) | Q(objective__team__checkin_cadence="")
    return condition


def not_checked_in_this_period(
    organization: Organization, cycles: Iterable[Cycle], *, now: datetime, zone: tzinfo
) -> Q:
    """Key results of `cycles` without a check-in (`last_checkin_at`, the latest `at`) in
    the current period of their cadence (docs/semantics.md, "Check-in rhythm") in `zone`,
    the person's time zone: one condition per cadence (and per cycle for biweekly periods,
    which count from the cycle's start), so a list stays one query."""
    condition = Q(pk__in=[])
    for cycle in cycles:
        for cadence in periods.CADENCES:
            since = periods.checkin_period_start(now, zone, cadence, cycle.start)
            condition |= (
                Q(objective__cycle=cycle)
                & cadence_condition(cadence, organization)
                & (Q(last_checkin_at__isnull=True) | Q(last_checkin_at__lt=since))
            )
    return condition
