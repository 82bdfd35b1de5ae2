"""Reads for the pages: my focus, cycles, teams, the alignment map and the objective page.

Everything starts from `objectives_visible_to`, so a private objective never reaches an
outsider, not in lists, counts or filter choices. Paces are computed in Python from rows
already loaded; status filters and counts are range conditions on stored progress, in SQL.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from pacer.accounts.models import User
from pacer.okrs import periods, permissions
from pacer.okrs import progress as engine
from pacer.okrs.models import (
    Alignment,
    CheckIn,
    Cycle,
    KeyResult,
    Membership,
    Milestone,
    Objective,
    Team,
)
from pacer.okrs.selectors import (
    Pace,
    filter_objectives_by_status,
    follows_hidden,
    key_result_facts,
    key_result_pace,
    objective_pace,
    objectives_visible_to,
    read_only_problems,
    status_condition,
    with_link_visibility,
)
from pacer.web import charts

KINDS = (engine.COMMITTED, engine.ASPIRATIONAL)
STATUS_CHOICES = [
    (engine.DONE, "Done"),
    (engine.ON_TRACK, "On track"),
    (engine.AT_RISK, "At risk"),
    (engine.OFF_TRACK, "Off track"),
]
CONFIDENCE_RANK = Case(
    When(confidence=engine.OFF_TRACK, then=Value(3)),
    When(confidence=engine.AT_RISK, then=Value(2)),
    When(confidence=engine.ON_TRACK, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


# --- Rows shown on the pages -------------------------------------------------------------


@dataclass(frozen=True)
class ObjectiveRow:
    """An objective with its pace at the page's date; `confidence` is the worst of its KRs."""

    objective: Objective
    pace: Pace

    @property
    def confidence(self) -> str:
        return getattr(self.objective, "worst_confidence", None) or ""


@dataclass(frozen=True)
class KeyResultRow:
    key_result: KeyResult
    pace: Pace

    @property
    def follows_hidden(self) -> bool:
        """It follows an objective the reader may not see: its pace is not shown."""
        return follows_hidden(self.key_result)


@dataclass(frozen=True)
class ObjectiveFilters:
    """What the person filters by; empty strings mean "any"."""

    team: str = ""
    owner: str = ""
    status: str = ""
    kind: str = ""
    q: str = ""

    @property
    def active(self) -> bool:
        return any((self.team, self.owner, self.status, self.kind, self.q))


def parse_filters(params: Mapping[str, str]) -> ObjectiveFilters:
    """Filters from GET parameters; unknown status or kind values are ignored.

    NUL characters are dropped: PostgreSQL refuses them in a query parameter (a 500 otherwise).
    """

    def get(name: str, default: str = "") -> str:
        return str(params.get(name, default)).replace("\x00", "")

    status = get("status", "").strip()
    kind = get("kind", "").strip()
    return ObjectiveFilters(
        team=get("team", "").strip(),
        owner=get("owner", "").strip().lower(),
        status=status if status in engine.STATUSES else "",
        kind=kind if kind in KINDS else "",
        q=get("q", "").strip()[:200],
    )


def today() -> date:
    return timezone.localdate()


def live_objectives(person: User) -> QuerySet[Objective]:
    """Visible, not archived, with what a row shows loaded and the confidence rolled up."""
    worst = (
        KeyResult.objects.filter(objective=OuterRef("pk"))
        .exclude(confidence="")
        .annotate(rank=CONFIDENCE_RANK)
        .order_by("-rank")
        .values("confidence")[:1]
    )
    return (
        objectives_visible_to(person)
        .filter(archived_at__isnull=True)
        .select_related("cycle", "owner", "team")
        .annotate(worst_confidence=Subquery(worst))
    )


def objective_rows(
    objectives: Iterable[Objective], *, on: date, bands: engine.Bands
) -> list[ObjectiveRow]:
    return [ObjectiveRow(o, objective_pace(o, on=on, bands=bands)) for o in objectives]


def key_result_rows(
    key_results: Iterable[KeyResult], *, on: date, bands: engine.Bands
) -> list[KeyResultRow]:
    """Needs `objective__cycle` loaded on each key result."""
    return [
        KeyResultRow(kr, key_result_pace(kr, kr.objective.cycle, on=on, bands=bands))
        for kr in key_results
    ]


# --- Cycles --------------------------------------------------------------------------------


def cycles_of(person: User) -> QuerySet[Cycle]:
    if person.organization_id is None:
        return Cycle.objects.none()
    return Cycle.objects.filter(organization_id=person.organization_id)


def active_cycles(person: User, *, on: date) -> list[Cycle]:
    """Active cycles containing `on`, shortest (the "current" one) first."""
    cycles = cycles_of(person).filter(state=Cycle.State.ACTIVE, start__lte=on, end__gte=on)
    return sorted(cycles, key=lambda c: (c.end - c.start, c.start))


def default_cycle(person: User, *, on: date) -> Cycle | None:
    """The current cycle, or else the most recent one."""
    active = active_cycles(person, on=on)
    return active[0] if active else cycles_of(person).first()


def cycles_with_counts(person: User) -> QuerySet[Cycle]:
    visible = objectives_visible_to(person).filter(archived_at__isnull=True)
    return cycles_of(person).annotate(
        objective_count=Count("objectives", filter=Q(objectives__in=visible))
    )


def filter_objectives(
    objectives: QuerySet[Objective], filters: ObjectiveFilters
) -> QuerySet[Objective]:
    """Every filter except status (that one needs the date; see `with_status`)."""
    if filters.team:
        objectives = objectives.filter(team__ref=filters.team)
    if filters.owner:
        objectives = objectives.filter(owner__email=filters.owner)
    if filters.kind:
        objectives = objectives.filter(kind=filters.kind)
    if filters.q:
        objectives = objectives.filter(
            Q(title__icontains=filters.q) | Q(description__icontains=filters.q)
        )
    return objectives


def status_in_cycle(cycle: Cycle, status: str, *, on: date, bands: engine.Bands) -> Q:
    expected = engine.expected_progress(on, cycle.start, cycle.end)
    return status_condition(status, expected, bands)


def status_counts(
    objectives: QuerySet[Objective], cycle: Cycle, *, on: date, bands: engine.Bands
) -> dict[str, int]:
    """How many objectives have each status, in one query."""
    aggregates = {
        status: Count("pk", filter=status_in_cycle(cycle, status, on=on, bands=bands))
        for status in engine.STATUSES
    }
    counts = objectives.order_by().aggregate(**aggregates)
    return {status: counts[status] or 0 for status in engine.STATUSES}


@dataclass(frozen=True)
class CountCard:
    """One count above a cycle's objectives: `key` is the chip's class, `label` its text."""

    key: str
    label: str
    n: int


def cycle_counts(
    objectives: QuerySet[Objective], cycle: Cycle, *, on: date, bands: engine.Bands
) -> list[CountCard]:
    """Per status while the cycle is live; once it is closed, how many met (their final
    score, by kind) and how many did not. One query either way."""
    if cycle.is_closed:
        met = success_counts(objectives)
        return [CountCard("met", "Met", met[True]), CountCard("not_met", "Not met", met[False])]
    counts = status_counts(objectives, cycle, on=on, bands=bands)
    return [CountCard(status, label, counts[status]) for status, label in STATUS_CHOICES]


def success_counts(objectives: QuerySet[Objective]) -> dict[bool, int]:
    """How many objectives met their kind's rule at their final score (override first):
    one query grouped by kind and score (a few groups), the rule applied per group."""
    groups = (
        objectives.order_by()
        .annotate(grade=Coalesce("score_override", "final_score"))
        .values("kind", "grade")
        .annotate(n=Count("pk"))
    )
    counts = {True: 0, False: 0}
    for group in groups:
        grade = group["grade"]
        counts[grade is not None and engine.succeeded(group["kind"], grade)] += group["n"]
    return counts


@dataclass(frozen=True)
class FilterChoices:
    teams: list[Team]
    owners: list[User]
    # Past OWNER_CHOICES owners a list is no help (and thousands of options slow every
    # page): the owner filter becomes an email field.
    owner_by_email: bool = False


OWNER_CHOICES = 100


def filter_choices(objectives: QuerySet[Objective]) -> FilterChoices:
    """Teams and owners that occur among `objectives` (already scoped to what one sees)."""
    ids = objectives.order_by().values("pk")
    teams = Team.objects.filter(objectives__in=ids).distinct().order_by("name")
    owners = User.objects.filter(owned_objectives__in=ids).distinct().order_by("name", "email")
    few_owners = list(owners[: OWNER_CHOICES + 1])
    if len(few_owners) > OWNER_CHOICES:
        return FilterChoices(teams=list(teams), owners=[], owner_by_email=True)
    return FilterChoices(teams=list(teams), owners=few_owners)


def cycle_objectives(
    person: User, cycle: Cycle, filters: ObjectiveFilters, *, on: date, bands: engine.Bands
) -> QuerySet[Objective]:
    """A cycle's visible objectives after the filters, grouped by team then titled."""
    objectives = filter_objectives(live_objectives(person).filter(cycle=cycle), filters)
    if filters.status and not cycle.is_closed:  # a closed cycle shows no status
        objectives = objectives.filter(status_in_cycle(cycle, filters.status, on=on, bands=bands))
    return objectives.order_by(F("team__name").asc(nulls_last=True), "title", "pk")


# --- My focus ------------------------------------------------------------------------------

M = TypeVar("M", bound=Model)


def first_and_total(items: QuerySet[M], limit: int) -> tuple[list[M], int]:
    """The first `limit` of `items` and how many there are in all: My focus shows a few of
    each list and links to the rest, so it stays the same size whatever a person owns. Two
    queries, whether the list is cut or not."""
    return list(items[:limit]), items.count()


def person_zone(person: User) -> tzinfo:
    """The person's time zone (the server's when theirs is unknown)."""
    try:
        return ZoneInfo(person.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def checkin_period_start(person: User, now: datetime) -> datetime:
    """When the person's current check-in period began (periods.checkin_period_start)."""
    return periods.checkin_period_start(now, person_zone(person))


def my_objectives(person: User, cycles: Sequence[Cycle]) -> QuerySet[Objective]:
    key_results = with_link_visibility(
        KeyResult.objects.select_related("owner").order_by("position", "id"), person
    )
    return (
        live_objectives(person)
        .filter(owner=person, cycle__in=cycles)
        .prefetch_related(Prefetch("key_results", queryset=key_results))
        .order_by("cycle__end", "title")
    )


def my_key_results(person: User, cycles: Sequence[Cycle]) -> QuerySet[KeyResult]:
    """KRs I answer for: the ones I own, and those without owner under objectives I own."""
    objectives = objectives_visible_to(person).filter(cycle__in=cycles, archived_at__isnull=True)
    mine = (
        KeyResult.objects.filter(objective__in=objectives)
        .filter(Q(owner=person) | Q(owner__isnull=True, objective__owner=person))
        .select_related("objective__cycle", "objective__team")
    )
    return with_link_visibility(mine, person)


def key_results_awaiting_checkin(
    person: User, cycles: Sequence[Cycle], *, now: datetime
) -> QuerySet[KeyResult]:
    """The rhythm rule (docs/semantics.md, "Check-in rhythm"), THE one answer to "what awaits
    my check-in" (My focus counts it, the weekly check-in lists it first): key results I
    answer for (mine, or without owner under my objectives) in `cycles` (the active ones
    running today), objective not archived, status not done (a stay-above, stay-below or
    range key result is never done), and no check-in with `at` in my current period
    (`last_checkin_at` is the latest `at`)."""
    since = checkin_period_start(person, now)
    done = Q(progress__gte=engine.ONE) & ~Q(type__in=engine.HEALTH_TYPES)
    return (
        my_key_results(person, cycles)
        .exclude(done)
        .filter(Q(last_checkin_at__isnull=True) | Q(last_checkin_at__lt=since))
        .order_by("objective__title", "position", "id")
    )


def key_results_owned_elsewhere(person: User, cycles: Sequence[Cycle]) -> QuerySet[KeyResult]:
    """KRs I own under objectives someone else owns."""
    return (
        my_key_results(person, cycles)
        .filter(owner=person)
        .exclude(objective__owner=person)
        .order_by("objective__title", "position", "id")
    )


def slipping_in_my_teams(
    person: User, cycles: Sequence[Cycle], *, on: date, bands: engine.Bands
) -> QuerySet[Objective]:
    """Objectives of my teams that are at risk or off track at `on`."""
    slipping = Q(pk__in=[])
    for cycle in cycles:
        for status in (engine.AT_RISK, engine.OFF_TRACK):
            slipping |= Q(cycle=cycle) & status_in_cycle(cycle, status, on=on, bands=bands)
    my_teams = Membership.objects.filter(person=person).values("team_id")
    return (
        live_objectives(person)
        .filter(team_id__in=my_teams)
        .filter(slipping)
        .order_by("progress", "title")
    )


# --- The weekly check-in -------------------------------------------------------------------


@dataclass
class CheckInWeek:
    """The key results of the weekly check-in, what awaits me first (`awaits` on each), with
    how many await me in all and the last day of my current check-in period."""

    key_results: QuerySet[KeyResult]
    awaiting_total: int
    due: date


def open_objectives_editable_by(person: User) -> QuerySet[Objective]:
    """Objectives of active cycles, not archived, that `person` may change (`can_edit_objective`:
    those they own or of one of their teams)."""
    return permissions.objectives_editable_by(person).filter(
        cycle__state=Cycle.State.ACTIVE, archived_at__isnull=True
    )


def key_results_to_check_in(person: User) -> QuerySet[KeyResult]:
    """The key results `person` checks in on (`permissions.key_results_checkable_by`) in
    active cycles, not archived, with what a row of the weekly check-in shows."""
    key_results = permissions.key_results_checkable_by(person).filter(
        objective__cycle__state=Cycle.State.ACTIVE, objective__archived_at__isnull=True
    )
    return with_checkin_columns(with_link_visibility(key_results, person))


def with_checkin_columns(key_results: QuerySet[KeyResult]) -> QuerySet[KeyResult]:
    """The objective, its cycle, both owners and the last note."""
    latest = CheckIn.objects.filter(key_result=OuterRef("pk")).order_by("-at", "-id")
    return key_results.annotate(last_note=Subquery(latest.values("note")[:1])).select_related(
        "objective__cycle", "objective__owner", "owner"
    )


def checkin_week(person: User, *, now: datetime) -> CheckInWeek:
    """The weekly check-in: first what awaits me (`key_results_awaiting_checkin`, the same
    rule and cycles as My focus, so the counts agree), then, by cycle and objective, the
    other key results I check in on (`key_results_to_check_in`). Two queries and a page of
    the list, however many there are."""
    cycles = active_cycles(person, on=today())
    awaiting = key_results_awaiting_checkin(person, cycles, now=now)
    awaits = Q(pk__in=awaiting.values("pk"))
    key_results = KeyResult.objects.filter(
        Q(objective__in=open_objectives_editable_by(person)) | awaits
    ).annotate(awaits=ExpressionWrapper(awaits, output_field=BooleanField()))
    ordered = with_checkin_columns(with_link_visibility(key_results, person)).order_by(
        "-awaits", "objective__cycle__start", "objective__title", "position", "id"
    )
    due = periods.checkin_period_due(checkin_period_start(person, now))
    return CheckInWeek(ordered, awaiting.count(), due)


# --- Teams ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamNode:
    team: Team
    depth: int


def teams_of(person: User) -> QuerySet[Team]:
    if person.organization_id is None:
        return Team.objects.none()
    return Team.objects.filter(organization_id=person.organization_id)


def team_tree(teams: Iterable[Team], *, under: int | None = None) -> list[TeamNode]:
    """Teams below `under` (all, by default) in tree order, each parent before its children,
    with their depth (0 for the first level)."""
    children: dict[int | None, list[Team]] = defaultdict(list)
    for team in teams:
        children[team.parent_id].append(team)
    nodes: list[TeamNode] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for team in sorted(children.get(parent_id, []), key=lambda t: t.name.lower()):
            nodes.append(TeamNode(team, depth))
            walk(team.pk, depth + 1)

    walk(under, 0)
    return nodes


def descendant_ids(root_id: int, teams: Iterable[Team]) -> list[int]:
    """Ids of all teams below the team `root_id` (not that team itself)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for team in teams:
        children[team.parent_id].append(team.pk)
    found: list[int] = []
    stack = list(children.get(root_id, []))
    while stack:
        team_id = stack.pop()
        found.append(team_id)
        stack.extend(children.get(team_id, []))
    return found


def team_memberships(team: Team) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(team=team)
        .select_related("person")
        .order_by("-is_lead", "person__name", "person__email")
    )


def team_objectives(person: User, team_ids: Sequence[int], cycle: Cycle) -> QuerySet[Objective]:
    return (
        live_objectives(person)
        .filter(team_id__in=team_ids, cycle=cycle)
        .order_by("team__name", "title", "pk")
    )


# --- Alignment map -------------------------------------------------------------------------


def enclosing_cycles(cycle: Cycle) -> QuerySet[Cycle]:
    """The cycle itself and every cycle of its organization that contains it."""
    return Cycle.objects.filter(
        organization_id=cycle.organization_id, start__lte=cycle.start, end__gte=cycle.end
    )


def map_objectives(
    person: User, cycle: Cycle, filters: ObjectiveFilters, *, on: date
) -> QuerySet[Objective]:
    """What the map shows: visible objectives of the cycle and enclosing ones, filtered."""
    objectives = live_objectives(person).filter(cycle__in=enclosing_cycles(cycle))
    objectives = filter_objectives(objectives, filters)
    if filters.status and not cycle.is_closed:  # a closed cycle shows no status
        objectives = filter_objectives_by_status(
            objectives, filters.status, on=on, organization=cycle.organization
        )
    return objectives


def map_roots(in_view: QuerySet[Objective]) -> QuerySet[Objective]:
    """Objectives in view without a parent in view; wider cycles first.

    Worked out in Python from two plain queries: as one query with a correlated EXISTS the
    visibility conditions ran again for every row (0.3 s at 25,000 objectives).
    """
    view_ids = set(in_view.order_by().values_list("pk", flat=True))
    links = Alignment.objects.filter(child_id__in=in_view.order_by().values("pk"))
    with_parent = {
        child for child, parent in links.values_list("child_id", "parent_id") if parent in view_ids
    }
    return in_view.filter(pk__in=sorted(view_ids - with_parent)).order_by(
        "cycle__start", "-cycle__end", F("team__name").asc(nulls_last=True), "title", "pk"
    )


def map_children(in_view: QuerySet[Objective], parent: Objective) -> QuerySet[Objective]:
    return in_view.filter(parent_links__parent=parent).order_by(
        F("team__name").asc(nulls_last=True), "title", "pk"
    )


def child_counts(in_view: QuerySet[Objective], parent_ids: Sequence[int]) -> dict[int, int]:
    """For each parent, how many of its children are in view (one query)."""
    rows = (
        Alignment.objects.filter(
            parent_id__in=parent_ids, child__in=in_view.order_by().values("pk")
        )
        .values("parent_id")
        .annotate(n=Count("pk"))
    )
    return {row["parent_id"]: row["n"] for row in rows}


def other_parents(
    in_view: QuerySet[Objective], child_ids: Sequence[int], shown_under: Objective | None
) -> dict[int, list[Objective]]:
    """Each child's parents in view other than the one it is shown under (one query)."""
    links = (
        Alignment.objects.filter(
            child_id__in=child_ids, parent_id__in=in_view.order_by().values("pk")
        )
        .select_related("parent")
        .order_by("parent__title")
    )
    found: dict[int, list[Objective]] = defaultdict(list)
    for link in links:
        if shown_under is None or link.parent_id != shown_under.pk:
            found[link.child_id].append(link.parent)
    return found


@dataclass(frozen=True)
class MapNode:
    row: ObjectiveRow
    child_count: int
    also_aligned_to: list[Objective]


def map_nodes(
    in_view: QuerySet[Objective],
    objectives: Sequence[Objective],
    *,
    shown_under: Objective | None,
    on: date,
    bands: engine.Bands,
) -> list[MapNode]:
    ids = [o.pk for o in objectives]
    counts = child_counts(in_view, ids)
    others = other_parents(in_view, ids, shown_under) if shown_under is not None else {}
    return [
        MapNode(
            row=ObjectiveRow(o, objective_pace(o, on=on, bands=bands)),
            child_count=counts.get(o.pk, 0),
            also_aligned_to=others.get(o.pk, []),
        )
        for o in objectives
    ]


# --- Who has not checked in ----------------------------------------------------------------

CHASE_AFTER = timedelta(days=7)


@dataclass
class MissingCheckins:
    person: User
    key_results: list[KeyResult]


def may_chase(person: User) -> bool:
    """Admins and team leads see who has not checked in."""
    if person.organization_id is None:
        return False
    return person.is_org_admin or Membership.objects.filter(person=person, is_lead=True).exists()


def chased_people(person: User) -> QuerySet[User]:
    """Active people of the organization (admins) or of the teams `person` leads."""
    if person.organization_id is None:
        return User.objects.none()
    people = User.objects.filter(organization_id=person.organization_id, is_active=True)
    if person.is_org_admin:
        return people
    led = Membership.objects.filter(person=person, is_lead=True).values("team_id")
    return people.filter(Q(pk=person.pk) | Q(memberships__team_id__in=led)).distinct()


def missing_checkins(viewer: User, cycle: Cycle, *, now: datetime) -> list[MissingCheckins]:
    """Per person, the key results they own, or whose objective they own, in the cycle's
    visible objectives, without a check-in in the last seven days. Linked key results (they
    follow another objective) and yes/no ones already done are left out. Two queries."""
    people = list(chased_people(viewer))
    ids = {p.pk for p in people}
    objectives = objectives_visible_to(viewer).filter(cycle=cycle, archived_at__isnull=True)
    stale = (
        KeyResult.objects.filter(objective__in=objectives)
        .filter(Q(owner_id__in=ids) | Q(objective__owner_id__in=ids))
        .exclude(type=KeyResult.Type.LINKED)
        .exclude(type=KeyResult.Type.BOOLEAN, progress__gte=1)
        .filter(Q(last_checkin_at__isnull=True) | Q(last_checkin_at__lt=now - CHASE_AFTER))
        .select_related("objective")
        .order_by("objective__title", "position", "id")
    )
    by_person: dict[int, list[KeyResult]] = defaultdict(list)
    for kr in stale:
        for person_id in ids & {kr.owner_id, kr.objective.owner_id}:
            by_person[person_id].append(kr)
    return [MissingCheckins(p, by_person[p.pk]) for p in people if by_person[p.pk]]


# --- The objective page --------------------------------------------------------------------

CONFIDENCE_ORDER = (engine.OFF_TRACK, engine.AT_RISK, engine.ON_TRACK)
HISTORY_SHOWN = 8  # the latest check-ins a key result's row lists


@dataclass
class KeyResultDetail:
    """A key result as its objective's page shows it: pace, its latest check-ins (newest
    first, HISTORY_SHOWN at most) and how many it has, milestones, and the progress series
    its chart draws."""

    kr: KeyResult
    pace: Pace
    checkins: list[CheckIn]
    checkin_count: int
    milestones: list[Milestone]
    series: list[charts.Point]
    satisfied: bool | None
    follows_hidden: bool  # an objective the reader may not see: neither it nor its progress


@dataclass
class ObjectiveDetail:
    """What the objective page shows of one objective, read in a fixed number of queries."""

    objective: Objective
    pace: Pace
    confidence: str
    key_results: list[KeyResultDetail]
    series: list[charts.Point]
    parents: list[tuple[Objective, Pace]]
    children: list[tuple[Objective, Pace]]
    can_edit: bool
    read_only_reason: str

    @property
    def writable(self) -> bool:
        return self.can_edit and not self.read_only_reason

    @property
    def succeeded(self) -> bool:
        return engine.succeeded(self.objective.kind, self.objective.score)


def objective_detail(person: User, objective: Objective, *, on: date) -> ObjectiveDetail:
    bands = objective.organization.bands
    key_results = list(objective_key_results(person, objective, on=on))
    latest = latest_checkins(key_results)
    details = [
        key_result_detail(kr, latest[kr.pk], objective.cycle, on=on, bands=bands)
        for kr in key_results
    ]
    return ObjectiveDetail(
        objective=objective,
        pace=objective_pace(objective, on=on, bands=bands),
        confidence=lowest_confidence(kr.confidence for kr in key_results),
        key_results=details,
        series=objective_series(objective, details, on),
        parents=paced(related_objectives(person, child_links__child=objective), on, bands),
        children=paced(related_objectives(person, parent_links__parent=objective), on, bands),
        can_edit=permissions.can_edit_objective(person, objective),
        read_only_reason=read_only_reason(objective),
    )


def read_only_reason(objective: Objective) -> str:
    """The service's reason, as a sentence ('' when the objective may change)."""
    problems = read_only_problems(objective)
    message = problems[0][1] if problems else ""
    return message[:1].upper() + message[1:] + "." if message else ""


def objective_key_results(person: User, objective: Objective, *, on: date) -> QuerySet[KeyResult]:
    """The key results with their milestones, how many check-ins each holds and one reading
    per day for the chart (`daily_checkins`), in the same queries however many there are."""
    daily = daily_checkins(objective.cycle, on=on)
    key_results = (
        objective.key_results.select_related("owner", "linked_objective")
        .annotate(checkin_count=checkins_counted())
        .prefetch_related(
            "milestones", Prefetch("checkins", queryset=daily, to_attr="daily_checkins")
        )
        .order_by("position", "id")
    )
    return with_link_visibility(key_results, person)


def latest_checkins(key_results: list[KeyResult]) -> dict[int, list[CheckIn]]:
    """The latest HISTORY_SHOWN check-ins of each key result, newest first, in one query:
    one short range of the `checkin_latest` index per key result, however many it holds."""
    newest = CheckIn.objects.order_by("-at", "-id").values("pk")
    wanted = Q(pk__in=[])
    for kr in key_results:
        wanted |= Q(pk__in=newest.filter(key_result=kr.pk)[:HISTORY_SHOWN])
    found: dict[int, list[CheckIn]] = defaultdict(list)
    if key_results:
        for checkin in (
            CheckIn.objects.filter(wanted).select_related("author").order_by("-at", "-id")
        ):
            found[checkin.key_result_id].append(checkin)
    return found


def checkins_counted() -> Coalesce:
    """How many check-ins a key result holds (a subquery per row of a short list)."""
    counted = (
        CheckIn.objects.filter(key_result=OuterRef("pk"))
        .order_by()
        .values("key_result")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def daily_checkins(cycle: Cycle, *, on: date) -> QuerySet[CheckIn]:
    """The last check-in of each day of each key result: at most one per day of the cycle up
    to `on` (a chart needs no more), however many check-ins there are.

    Days are the server's (TIME_ZONE): `chart_day` finds a moment's day by comparing it with
    the days' starts, worked out here, so the database converts no time zone (a stored year 1
    cannot be converted west of UTC) and needs no function per row.
    """
    days = chart_days(cycle, on=on)
    latest_first = Window(
        RowNumber(),
        partition_by=[F("key_result_id"), day_of("at", days)],
        order_by=[F("at").desc(), F("pk").desc()],
    )
    readings = CheckIn.objects.annotate(rank=latest_first).filter(rank=1)
    return readings.only("key_result_id", "value", "at").order_by()


def chart_days(cycle: Cycle, *, on: date) -> list[date]:
    """The days a chart shows: from the cycle's start to `on` (the start alone before it)."""
    count = max((on - cycle.start).days, 0) + 1
    return [cycle.start + timedelta(days=n) for n in range(count)]


def chart_day(moment: datetime, cycle: Cycle, *, on: date) -> date:
    """The day of `chart_days` a check-in counts on: its own, else the first or the last."""
    return min(max(charts.local_day(moment), cycle.start), max(on, cycle.start))


def day_start(on: date) -> datetime:
    """00:00 of `on` in the current time zone."""
    return timezone.make_aware(datetime.combine(on, time.min))


def day_of(field: str, days: list[date]) -> Case | Value:
    """SQL for `chart_day`: a balanced tree of comparisons with the days' starts (about
    log2(len(days)) per row), whose leaves are the days' positions."""

    def within(low: int, high: int) -> Case | Value:
        if high - low == 1:
            return Value(low)
        middle = (low + high) // 2
        before = When(**{f"{field}__lt": day_start(days[middle])}, then=within(low, middle))
        return Case(before, default=within(middle, high), output_field=IntegerField())

    return within(0, len(days))


def key_result_detail(
    kr: KeyResult, latest: list[CheckIn], cycle: Cycle, *, on: date, bands: engine.Bands
) -> KeyResultDetail:
    milestones = list(kr.milestones.all())
    facts = key_result_facts(kr)
    return KeyResultDetail(
        kr=kr,
        pace=key_result_pace(kr, cycle, on=on, bands=bands),
        checkins=latest,
        checkin_count=kr.checkin_count,  # type: ignore[attr-defined]
        milestones=milestones,
        series=key_result_series(kr, cycle, kr.daily_checkins, milestones, on),  # type: ignore[attr-defined]
        satisfied=engine.health_satisfied(facts) if kr.type in engine.HEALTH_TYPES else None,
        follows_hidden=follows_hidden(kr),
    )


def key_result_series(
    kr: KeyResult, cycle: Cycle, daily: list[CheckIn], milestones: list[Milestone], on: date
) -> list[charts.Point]:
    """Progress after each day's last check-in (by its value; `daily_checkins`) or milestone
    done (by the day it was)."""
    facts = replace(
        key_result_facts(kr),
        current=None,
        milestones=tuple(engine.Milestone(m.weight, m.done) for m in milestones),
    )
    readings = [
        charts.Reading(on=chart_day(c.at, cycle, on=on), value=c.value)
        for c in daily
        if kr.type not in engine.DERIVED_TYPES
    ] + [
        charts.Reading(on=charts.local_day(m.updated_at), milestone_done=index)
        for index, m in enumerate(milestones)
        if m.done
    ]
    return charts.key_result_series(
        facts, readings, window_start=cycle.start, today=on, current_progress=kr.progress
    )


def objective_series(
    objective: Objective, key_results: list[KeyResultDetail], on: date
) -> list[charts.Point]:
    """The weighted line of the key results' series; a straight line without any."""
    series = charts.objective_series([(d.kr.weight, d.series) for d in key_results])
    return series or [(objective.cycle.start, engine.ZERO), (on, objective.progress)]


def related_objectives(person: User, **condition: object) -> list[Objective]:
    """Parents or children of an objective, only those `person` may see."""
    related = objectives_visible_to(person).filter(**condition)
    return list(related.select_related("cycle", "owner").order_by("title"))


def paced(
    objectives: list[Objective], on: date, bands: engine.Bands
) -> list[tuple[Objective, Pace]]:
    return [(o, objective_pace(o, on=on, bands=bands)) for o in objectives]


def lowest_confidence(confidences: Iterable[str]) -> str:
    """The objective's confidence: the lowest its key results report (empty if none)."""
    reported = set(confidences)
    return next((c for c in CONFIDENCE_ORDER if c in reported), "")
