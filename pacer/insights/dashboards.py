"""The dashboards' reads (docs/dashboards.md): an organization's, a team's (with its
sub-teams) and a person's numbers for one cycle, each a fixed number of queries.

Every live count starts from `objectives_visible_to(viewer)` (or `initiatives_visible_to`),
so a private objective the viewer may not see is in no number. Status counts, the heat map,
stale key results, objectives without key results and people without OKRs are counted live
from stored progress (status is a range of stored progress for one cycle on one date,
okrs.selectors.status_condition). The week-by-week trends and the participation of ended
periods come from stored rows (insights/snapshots.py), read in the scope the viewer may
see: `all` for organization admins (who see every objective), `public` for everyone else.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce

from pacer.accounts.models import User
from pacer.initiatives.models import Initiative
from pacer.initiatives.selectors import in_work_order, initiatives_visible_to
from pacer.insights.models import (
    SCOPE_ALL,
    SCOPE_PUBLIC,
    ParticipationSnapshot,
    WeeklySnapshot,
)
from pacer.okrs import periods
from pacer.okrs import progress as engine
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Membership, Objective, Team
from pacer.okrs.selectors import (
    answered_by,
    cadence_condition,
    objectives_visible_to,
    status_condition,
)
from pacer.web.selectors.cycles import success_counts
from pacer.web.selectors.teams import descendant_ids

TOP_WORK = 5  # the most impactful open initiatives shown; the Work page has them all
# Key results whose progress does not come from a check-in value: nobody is asked for one.
NOT_CHECKED_IN_TYPES = (engine.LINKED, engine.INITIATIVES)


@dataclass(frozen=True)
class Scope:
    """What a dashboard covers: a cycle, and the whole organization, a team and the teams
    below it (`team_ids`), or the objectives and key results of one person."""

    cycle: Cycle
    team: Team | None = None
    team_ids: tuple[int, ...] | None = None
    person: User | None = None

    @property
    def cadence(self) -> str:
        """The rhythm of the dashboard's periods: the team's, else the organization's."""
        if self.team is not None and self.team.checkin_cadence:
            return self.team.checkin_cadence
        return self.cycle.organization.checkin_cadence or periods.WEEKLY


def objectives_in(viewer: User, scope: Scope) -> QuerySet[Objective]:
    """The scope's live objectives the viewer may see."""
    objectives = objectives_visible_to(viewer).filter(cycle=scope.cycle, archived_at__isnull=True)
    if scope.team_ids is not None:
        objectives = objectives.filter(team_id__in=scope.team_ids)
    if scope.person is not None:
        objectives = objectives.filter(owner=scope.person)
    return objectives


def answerer() -> Coalesce:
    """Who answers for a key result: its owner, else its objective's owner."""
    return Coalesce("owner_id", "objective__owner_id")


def key_results_in(viewer: User, scope: Scope) -> QuerySet[KeyResult]:
    """The key results of the scope's visible objectives (of a person: those they answer
    for, under any visible objective of the cycle)."""
    if scope.person is None:
        return KeyResult.objects.filter(objective__in=objectives_in(viewer, scope).values("pk"))
    visible = objectives_visible_to(viewer).filter(pk=OuterRef("objective_id"))
    return KeyResult.objects.filter(
        Exists(visible),
        pk__in=answered_by(scope.person, [scope.cycle]),
        objective__archived_at=None,
    )


# --- Status counts and the heat map -----------------------------------------------------------


def status_aggregates(cycle: Cycle, *, on: date) -> dict[str, Count]:
    expected = engine.expected_progress(on, cycle.start, cycle.end)
    bands = cycle.organization.bands
    return {
        status: Count("pk", filter=status_condition(status, expected, bands))
        for status in engine.STATUSES
    }


def status_counts(viewer: User, scope: Scope, *, on: date) -> dict[str, int]:
    """The scope's visible objectives by status at `on`: one query."""
    counts = (
        objectives_in(viewer, scope).order_by().aggregate(**status_aggregates(scope.cycle, on=on))
    )
    return {status: counts[status] or 0 for status in engine.STATUSES}


@dataclass(frozen=True)
class HeatCell:
    status: str
    n: int
    level: int  # its shade, 0 (none) to 4 (the fullest cell of the map)


@dataclass(frozen=True)
class HeatRow:
    team_ref: str
    team_name: str
    cells: list[HeatCell]
    below: bool  # the row counts the teams below its team too (else its own objectives)

    @property
    def total(self) -> int:
        return sum(cell.n for cell in self.cells)


def heat_teams(scope: Scope, teams: Sequence[Team]) -> tuple[list[Team], list[Team]]:
    """The heat map's rows, one level at a time (docs/dashboards.md): the teams counted alone
    (the dashboard's own team) and the teams counted with every team below them (the level
    under the scope). An organization with a single top team goes down to that team's
    children, its own objectives in a row of their own, so the map is never one row."""
    children: dict[int | None, list[Team]] = defaultdict(list)
    for team in teams:
        children[team.parent_id].append(team)
    alone = [scope.team] if scope.team is not None else []
    level = children[scope.team.pk if scope.team is not None else None]
    while len(level) == 1 and children[level[0].pk]:
        alone.append(level[0])
        level = children[level[0].pk]
    return alone, level


def heat_map(viewer: User, scope: Scope, *, on: date) -> list[HeatRow]:
    """Teams by status, one level at a time: the visible objectives of the scope per team (one
    query), summed up the tree in Python. A team dashboard has a row for its own objectives
    and one per team below it (with that team's sub-teams); objectives without a team are in
    the totals, not in a row. Rows without objectives are left out, the rest by team name."""
    teams = list(
        Team.objects.filter(organization_id=scope.cycle.organization_id).only(
            "pk", "ref", "name", "parent_id"
        )
    )
    per_team = {
        row["team_id"]: [row[s] or 0 for s in engine.STATUSES]
        for row in objectives_in(viewer, scope)
        .filter(team__isnull=False)
        .order_by()
        .values("team_id")
        .annotate(**status_aggregates(scope.cycle, on=on))
    }
    alone, below = heat_teams(scope, teams)
    counts = [(team, False, per_team.get(team.pk, [0] * 4)) for team in alone]
    counts += [(team, True, subtree_counts(team, teams, per_team)) for team in below]
    counts = [c for c in counts if any(c[2])]
    counts.sort(key=lambda c: (c[0].name, c[0].ref, c[1]))
    most = max((n for _, _, row in counts for n in row), default=0)
    return [
        HeatRow(
            team.ref,
            team.name,
            [
                HeatCell(s, n, heat_level(n, most))
                for s, n in zip(engine.STATUSES, row, strict=True)
            ],
            below=with_below,
        )
        for team, with_below, row in counts
    ]


def subtree_counts(team: Team, teams: Sequence[Team], per_team: dict[int, list[int]]) -> list[int]:
    """A team's counts per status with every team below it."""
    ids = (team.pk, *descendant_ids(team.pk, teams))
    return [sum(per_team.get(i, [0] * 4)[k] for i in ids) for k in range(len(engine.STATUSES))]


def heat_level(n: int, most: int) -> int:
    """A cell's shade, 0 (none) to 4 (the fullest cell of the map)."""
    if n <= 0 or most <= 0:
        return 0
    return max(1, min(4, -(-4 * n // most)))


# --- Trends (stored snapshots only) -------------------------------------------------------------


@dataclass(frozen=True)
class TrendWeek:
    week: date
    objectives: int
    statuses: dict[str, int]
    mean_progress: Decimal
    key_results: int
    confidences: dict[str, int]  # "" is no confidence reported

    @property
    def status_values(self) -> list[int]:
        return [self.statuses[status] for status in engine.STATUSES]


SNAPSHOT_SUMS = (
    "objectives", "objectives_done", "objectives_on_track", "objectives_at_risk",
    "objectives_off_track", "progress_sum", "key_results", "confidence_on_track",
    "confidence_at_risk", "confidence_off_track", "confidence_none",
)  # fmt: skip


def snapshot_scope(viewer: User) -> str:
    """Admins see every objective, so their trends count every one; everyone else's count
    public objectives only (a private one never reaches a number they see)."""
    return SCOPE_ALL if viewer.is_org_admin else SCOPE_PUBLIC


def trends(viewer: User, scope: Scope) -> list[TrendWeek]:
    """Week by week, from the stored snapshots: one query (a person's dashboard has none:
    the snapshots are per team)."""
    if scope.person is not None or viewer.organization_id != scope.cycle.organization_id:
        return []
    rows = WeeklySnapshot.objects.filter(cycle=scope.cycle, scope=snapshot_scope(viewer))
    if scope.team_ids is not None:
        rows = rows.filter(team_id__in=scope.team_ids)
    sums = rows.order_by().values("week").annotate(**{f: Sum(f) for f in SNAPSHOT_SUMS})
    return [trend_week(row) for row in sums.order_by("week")]


def trend_week(row: dict[str, Any]) -> TrendWeek:
    objectives = row["objectives"] or 0
    mean = Decimal(row["progress_sum"] or 0) / objectives if objectives else engine.ZERO
    return TrendWeek(
        week=row["week"],
        objectives=objectives,
        statuses={s: row[f"objectives_{s}"] or 0 for s in engine.STATUSES},
        mean_progress=mean,
        key_results=row["key_results"] or 0,
        confidences={
            **{c: row[f"confidence_{c}"] or 0 for c in engine.CONFIDENCES},
            "": row["confidence_none"] or 0,
        },
    )


# --- Check-in participation per period ----------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive


@dataclass(frozen=True)
class Participation:
    period: Period
    awaited: int  # people with a key result awaiting a check-in in the period
    checked_in: int  # of those, people who checked in on one of them in the period

    @property
    def share(self) -> Decimal | None:
        return Decimal(self.checked_in) / self.awaited if self.awaited else None


def cycle_periods(scope: Scope, *, now: datetime, zone: Any) -> list[Period]:
    """The check-in periods of the dashboard's cycle so far, of its cadence, in `zone`."""
    return periods_of(scope.cycle, scope.cadence, now=now, zone=zone)


def periods_of(cycle: Cycle, cadence: str, *, now: datetime, zone: Any) -> list[Period]:
    """The check-in periods of the cycle so far (the rhythm rule: Monday 00:00, every other
    Monday from the cycle's start, or the 1st, in `zone`), oldest first."""
    first = datetime.combine(cycle.start, datetime.min.time(), tzinfo=zone)
    last_day = min(cycle.end, now.astimezone(zone).date())
    found: list[Period] = []
    start = periods.checkin_period_start(first, zone, cadence, cycle.start)
    while start.date() <= last_day:
        end = periods.checkin_period_end(start, cadence)
        found.append(Period(start, end))
        start = end
    return found


def awaitable(key_results: QuerySet[KeyResult]) -> QuerySet[KeyResult]:
    return key_results.exclude(type__in=NOT_CHECKED_IN_TYPES)


def done_before(moment: datetime) -> Q:
    """Done all through a period starting at `moment`: done now (a health key result never
    is), with no check-in since (its current value, the done one, was already current)."""
    return (
        Q(progress__gte=engine.ONE)
        & ~Q(type__in=engine.HEALTH_TYPES)
        & Q(last_checkin_at__lt=moment)
    )


def participation(viewer: User, scope: Scope, *, now: datetime, zone: Any) -> list[Participation]:
    """Per period: how many people answered for a key result awaiting a check-in (not done
    before the period began), and how many of them checked in on one in the period.

    A person's dashboard counts live, in the viewer's time zone, what the viewer may see.
    The organization's and a team's read the ended periods from the stored participation
    (snapshots.write_participation, hourly) and count only the rest live: both in UTC and
    in the viewer's snapshot scope (public objectives, or every one for admins), so stored
    and live periods mean the same. Three queries whatever the number of periods."""
    if scope.person is not None:
        found = cycle_periods(scope, now=now, zone=zone)
        return counted_participation(awaitable(key_results_in(viewer, scope)), found, now=now)
    found = cycle_periods(scope, now=now, zone=UTC)
    stored = stored_participation(viewer, scope)
    counted = counted_participation(
        awaitable(scope_key_results(viewer, scope)),
        [p for p in found if p.start not in stored],
        now=now,
    )
    counts = {**{row.period.start: (row.awaited, row.checked_in) for row in counted}, **stored}
    return [Participation(p, *counts[p.start]) for p in found]


def stored_participation(viewer: User, scope: Scope) -> dict[datetime, tuple[int, int]]:
    """(awaited, checked in) of each stored period of the dashboard's scope, by its start."""
    rows = ParticipationSnapshot.objects.filter(
        cycle=scope.cycle, team=scope.team, scope=snapshot_scope(viewer)
    ).values_list("period_start", "awaited", "checked_in")
    return {start: (awaited, checked) for start, awaited, checked in rows}


def scope_key_results(viewer: User, scope: Scope) -> QuerySet[KeyResult]:
    """The key results the stored numbers count for this viewer: under the scope's live
    objectives, public ones only unless the viewer is an admin (who sees every one)."""
    objectives = Objective.objects.filter(cycle=scope.cycle, archived_at__isnull=True)
    if scope.team_ids is not None:
        objectives = objectives.filter(team_id__in=scope.team_ids)
    if snapshot_scope(viewer) == SCOPE_PUBLIC:
        objectives = objectives.filter(visibility=engine.PUBLIC)
    return KeyResult.objects.filter(objective__in=objectives.values("pk"))


def counted_participation(
    key_results: QuerySet[KeyResult], found: list[Period], *, now: datetime
) -> list[Participation]:
    """Participation in the periods `found` among `key_results`: one query while only the
    period under way is counted, two with ended ones.

    Check-ins are never dated in the future, so a key result checked in during the period
    under way is one whose newest check-in (`last_checkin_at`) lies in it: that period is
    counted on the key results themselves, in the query that counts who is awaited.
    Reading the period's check-ins instead joined every key result of the scope to them
    (60 ms for the large organization's week on PostgreSQL)."""
    if not found:
        return []
    under_way = {i for i, p in enumerate(found) if p.end > now}
    counts = key_results.order_by().aggregate(
        **{
            f"awaited{i}": Count(answerer(), distinct=True, filter=~done_before(p.start))
            for i, p in enumerate(found)
        },
        **{
            f"checked{i}": Count(
                answerer(), distinct=True, filter=Q(last_checkin_at__gte=found[i].start)
            )
            for i in under_way
        },
    )
    ended = {i: p for i, p in enumerate(found) if i not in under_way}
    checked = {i: counts[f"checked{i}"] or 0 for i in under_way} | checked_in_ended(
        key_results, ended
    )
    return [
        Participation(p, counts[f"awaited{i}"] or 0, checked.get(i, 0)) for i, p in enumerate(found)
    ]


def checked_in_ended(key_results: QuerySet[KeyResult], ended: dict[int, Period]) -> dict[int, int]:
    """By period index: how many people checked in on one of `key_results` in each ended
    period, from the check-ins themselves (one query; none without ended periods)."""
    if not ended:
        return {}
    in_period = Case(
        *(When(at__gte=p.start, at__lt=p.end, then=i) for i, p in ended.items()),
        output_field=IntegerField(),
    )
    rows = (
        CheckIn.objects.filter(
            key_result__in=key_results.values("pk"),
            at__gte=min(p.start for p in ended.values()),
            at__lt=max(p.end for p in ended.values()),
        )
        .annotate(
            period=in_period,
            who=Coalesce("key_result__owner_id", "key_result__objective__owner_id"),
        )
        .order_by()
        .values("period")
        .annotate(n=Count("who", distinct=True))
    )
    return {row["period"]: row["n"] for row in rows if row["period"] is not None}


# --- Lists behind the numbers -------------------------------------------------------------------


def stale_since(scope: Scope, cadence: str, *, now: datetime, zone: Any) -> datetime | None:
    """The start of the period before the current one: a key result without a check-in
    since is stale (none for two periods). None while the cycle is younger than that."""
    current = periods.checkin_period_start(now, zone, cadence, scope.cycle.start)
    previous = periods.checkin_period_start(
        current - timedelta(microseconds=1), zone, cadence, scope.cycle.start
    )
    cycle_start = datetime.combine(scope.cycle.start, datetime.min.time(), tzinfo=zone)
    return previous if previous >= cycle_start else None


def stale_key_results(
    viewer: User, scope: Scope, *, now: datetime, zone: Any
) -> QuerySet[KeyResult]:
    """Key results awaiting check-ins (not done, not linked or fed by work) without one for
    two periods of their team's rhythm, in the viewer's time zone."""
    return awaitable(key_results_in(viewer, scope)).filter(stale(scope, now=now, zone=zone))


def stale(scope: Scope, *, now: datetime, zone: Any) -> Q:
    """Not done, and no check-in for two periods of the key result's team's rhythm (of the
    scope's cycle) in `zone`: `pacer lint`'s `stale` rule asks the same."""
    organization = scope.cycle.organization
    condition = Q(pk__in=[])
    for cadence in periods.CADENCES:
        since = stale_since(scope, cadence, now=now, zone=zone)
        if since is not None:
            condition |= cadence_condition(cadence, organization) & (
                Q(last_checkin_at__isnull=True) | Q(last_checkin_at__lt=since)
            )
    done = Q(progress__gte=engine.ONE) & ~Q(type__in=engine.HEALTH_TYPES)
    return condition & ~done


def objectives_without_key_results(viewer: User, scope: Scope) -> QuerySet[Objective]:
    has_one = KeyResult.objects.filter(objective_id=OuterRef("pk"))
    return objectives_in(viewer, scope).filter(~Exists(has_one))


def people_in(scope: Scope) -> QuerySet[User]:
    """The active people of the scope: the organization's, or the members of the teams."""
    people = User.objects.filter(organization_id=scope.cycle.organization_id, is_active=True)
    if scope.team_ids is not None:
        # A list of members built once: a join probed every team of a large tree for each
        # person of the organization (0.2 s for 600 teams and 5,000 people).
        members = Membership.objects.filter(team_id__in=scope.team_ids).values("person_id")
        people = people.filter(pk__in=members)
    return people


def people_without_okrs(viewer: User, scope: Scope) -> QuerySet[User]:
    """People of the scope who own no visible objective of the cycle and answer for no key
    result under one (as far as the viewer can tell: a private objective they cannot see
    does not count for its owner either)."""
    visible = objectives_in(viewer, Scope(scope.cycle))
    # NOT IN two lists computed once: a correlated NOT EXISTS per person walked the cycle's
    # objectives for each of 5,000 people (28 s at the large bench size).
    owners = visible.order_by().values("owner_id")
    answering = (
        KeyResult.objects.filter(objective__in=visible.values("pk"), owner_id__isnull=False)
        .order_by()
        .values("owner_id")
    )
    return people_in(scope).exclude(pk__in=owners).exclude(pk__in=answering)


def top_work(viewer: User, scope: Scope) -> list[Initiative]:
    """The most impactful open initiatives of the scope (the contract's order): one query."""
    work = (
        initiatives_visible_to(viewer)
        .filter(cycle=scope.cycle)
        .exclude(status__in=engine.CLOSED_INITIATIVE_STATUSES)
    )
    if scope.team_ids is not None:
        work = work.filter(team_id__in=scope.team_ids)
    if scope.person is not None:
        work = work.filter(owner=scope.person)
    return list(in_work_order(work).select_related("owner")[:TOP_WORK])


# --- One dashboard --------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    scope: Scope
    on: date
    statuses: dict[str, int]
    met: dict[bool, int] | None  # a closed cycle: met and not met, instead of statuses
    heat: list[HeatRow]
    trend: list[TrendWeek]
    participation: list[Participation]
    stale: int
    without_key_results: int
    without_okrs: int | None
    work: list[Initiative]

    @property
    def total(self) -> int:
        if self.met is not None:
            return self.met[True] + self.met[False]
        return sum(self.statuses.values())

    @property
    def met_count(self) -> int:
        return self.met[True] if self.met is not None else 0

    @property
    def not_met_count(self) -> int:
        return self.met[False] if self.met is not None else 0

    @property
    def status_cards(self) -> list[tuple[str, str, int]]:
        return [(status, label, self.statuses.get(status, 0)) for status, label in STATUS_LABELS]


def dashboard(viewer: User, scope: Scope, *, now: datetime, zone: Any, on: date) -> Dashboard:
    """Everything a dashboard shows, in a fixed number of queries."""
    closed = scope.cycle.is_closed
    return Dashboard(
        scope=scope,
        on=on,
        statuses={} if closed else status_counts(viewer, scope, on=on),
        met=success_counts(objectives_in(viewer, scope)) if closed else None,
        heat=[] if closed or scope.person is not None else heat_map(viewer, scope, on=on),
        trend=trends(viewer, scope),
        participation=participation(viewer, scope, now=now, zone=zone),
        stale=0 if closed else stale_key_results(viewer, scope, now=now, zone=zone).count(),
        without_key_results=objectives_without_key_results(viewer, scope).count(),
        without_okrs=None
        if scope.person is not None
        else people_without_okrs(viewer, scope).count(),
        work=top_work(viewer, scope),
    )


def scope_of_team(team: Team, teams: Sequence[Team], cycle: Cycle) -> Scope:
    """A team's dashboard covers the team and every team below it."""
    return Scope(cycle, team=team, team_ids=(team.pk, *descendant_ids(team.pk, teams)))


# --- Charts (server-drawn SVG: no script, CSP-safe) --------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 600, 160


@dataclass(frozen=True)
class Series:
    name: str
    key: str  # the CSS class of its line (a status or confidence word)
    points: str  # SVG polyline points
    last: str  # the last value, as text


@dataclass(frozen=True)
class Chart:
    title: str
    series: list[Series]
    top: str  # the y axis' top label
    weeks: list[date]


def polyline(values: Sequence[float], top: float) -> str:
    """Points of a line through `values`, evenly spaced, 0 at the bottom and `top` at the top
    of a CHART_WIDTH x CHART_HEIGHT box."""
    if not values:
        return ""
    step = CHART_WIDTH / max(1, len(values) - 1)
    scale = CHART_HEIGHT / top if top > 0 else 0.0
    return " ".join(
        f"{i * step:.1f},{CHART_HEIGHT - value * scale:.1f}" for i, value in enumerate(values)
    )


def trend_charts(trend: list[TrendWeek]) -> list[Chart]:
    """Mean progress, objectives by status and key results by reported confidence."""
    if not trend:
        return []
    weeks = [w.week for w in trend]
    progress = [float(w.mean_progress) for w in trend]
    most_status = max((n for w in trend for n in w.statuses.values()), default=0) or 1
    most_conf = max((n for w in trend for n in w.confidences.values()), default=0) or 1
    status_series = [
        Series(
            label,
            status,
            polyline([w.statuses[status] for w in trend], most_status),
            str(trend[-1].statuses[status]),
        )
        for status, label in STATUS_LABELS
    ]
    confidence_series = [
        Series(
            label,
            key or "none",
            polyline([w.confidences[key] for w in trend], most_conf),
            str(trend[-1].confidences[key]),
        )
        for key, label in CONFIDENCE_LABELS
    ]
    return [
        Chart(
            "Mean progress of objectives",
            [Series("Mean progress", "progress", polyline(progress, 1.0), f"{progress[-1]:.0%}")],
            "100 %",
            weeks,
        ),
        Chart("Objectives by status", status_series, str(most_status), weeks),
        Chart("Key results by reported confidence", confidence_series, str(most_conf), weeks),
    ]


STATUS_LABELS = (
    (engine.DONE, "Done"),
    (engine.ON_TRACK, "On track"),
    (engine.AT_RISK, "At risk"),
    (engine.OFF_TRACK, "Off track"),
)
CONFIDENCE_LABELS = (
    (engine.ON_TRACK, "On track"),
    (engine.AT_RISK, "At risk"),
    (engine.OFF_TRACK, "Off track"),
    ("", "None reported"),
)
