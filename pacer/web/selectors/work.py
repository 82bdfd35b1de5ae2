"""Work: reads for the initiative page, the Work page of a cycle, the objective page's
initiatives and My focus (pacer.web.selectors).

Everything starts from `pacer.initiatives.selectors.initiatives_visible_to`, so work under a
private objective never reaches someone who may not see it, not in lists, counts or filter
choices. Each read takes a fixed number of queries however much work there is.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.safestring import SafeString

from pacer.accounts.models import User
from pacer.initiatives.models import Initiative, StatusUpdate, Task
from pacer.initiatives.selectors import (
    Work,
    by_impact,
    in_work_order,
    initiatives_visible_to,
    open_task_counts,
    with_work,
    with_work_counted,
)
from pacer.okrs import permissions
from pacer.okrs import progress as engine
from pacer.okrs.models import Cycle, KeyResult, Membership, Team
from pacer.okrs.selectors import objectives_visible_to
from pacer.web.paging import counted_page, team_choices, team_options
from pacer.web.timeline import Bar

STATUS_CHOICES = Initiative.Status.choices
UPDATES_SHOWN = 20  # the latest status updates the initiative page lists


# --- The initiative page -----------------------------------------------------------------


def initiatives_for_page(person: User) -> QuerySet[Initiative]:
    """The initiatives `person` may see, with what the page shows loaded."""
    return with_work(initiatives_visible_to(person)).select_related("cycle__organization")


@dataclass
class InitiativeDetail:
    """What the initiative page shows: the work as lists show it, its tasks in order, its
    latest status updates, and what the reader may do."""

    work: Work
    tasks: list[Task]
    updates: list[StatusUpdate]
    can_change: bool
    read_only_reason: str
    reader_id: int

    @property
    def initiative(self) -> Initiative:
        return self.work.initiative

    @property
    def writable(self) -> bool:
        return self.can_change and not self.read_only_reason

    @property
    def task_rows(self) -> list[tuple[Task, bool]]:
        """Each task with whether the reader may tick it."""
        return [(task, self.may_tick(task)) for task in self.tasks]

    def may_tick(self, task: Task) -> bool:
        """Whoever may change the initiative, and a task's assignee (can_tick_task)."""
        mine = task.assignee_id is not None and task.assignee_id == self.reader_id
        return not self.read_only_reason and (self.can_change or mine)


def initiative_detail(person: User, initiative: Initiative, *, on: date) -> InitiativeDetail:
    tasks = sorted(initiative.tasks.all(), key=lambda t: (t.position, t.pk))
    updates = list(
        initiative.updates.select_related("author").order_by("-at", "-id")[:UPDATES_SHOWN]
    )
    closed = initiative.cycle.is_closed
    return InitiativeDetail(
        work=by_impact([initiative], on)[0],
        tasks=tasks,
        updates=updates,
        can_change=permissions.can_change_initiative(person, initiative),
        read_only_reason=f"The cycle {initiative.cycle.name} is closed: its work is frozen."
        if closed
        else "",
        reader_id=person.pk,
    )


def key_results_to_support(person: User, cycle: Cycle) -> QuerySet[KeyResult]:
    """The key results an initiative of `cycle` may support: those `person` may see."""
    objectives = objectives_visible_to(person).filter(cycle=cycle, archived_at__isnull=True)
    return (
        KeyResult.objects.filter(objective__in=objectives)
        .select_related("objective")
        .order_by("objective__title", "position", "id")
    )


# --- The Work page of a cycle ------------------------------------------------------------


@dataclass(frozen=True)
class WorkFilters:
    team: str = ""
    owner: str = ""  # part of the owner's name or email
    status: str = ""
    overdue: bool = False
    board: bool = False

    @property
    def any(self) -> bool:
        return bool(self.team or self.owner or self.status or self.overdue)


def parse_work_filters(params: Mapping[str, str]) -> WorkFilters:
    """Filters from GET parameters; unknown values are ignored, NULs dropped (PostgreSQL
    refuses them in a query parameter)."""

    def get(name: str) -> str:
        return str(params.get(name, "")).replace("\x00", "").strip()[:200]

    status = get("status")
    return WorkFilters(
        team=get("team"),
        owner=get("owner").lower(),
        status=status if status in engine.INITIATIVE_STATUSES else "",
        overdue=get("overdue") in ("1", "on", "true"),
        board=get("view") == "board",
    )


WORK_PAGE_SIZE = 50  # a page of the Work list or board: bounded however much work a cycle has


@dataclass(frozen=True)
class WorkPage:
    page: Page[int]  # the ids of this page's initiatives, in the order of the contract
    work: list[Work]


def cycle_initiatives(
    person: User, cycle: Cycle, filters: WorkFilters, *, on: date, page: str | None = None
) -> WorkPage:
    """A page of the cycle's work `person` may see, filtered, by impact (the contract's
    order over all of it, sorted and cut by the database; only the page's initiatives are
    loaded)."""
    initiatives = initiatives_visible_to(person).filter(cycle=cycle)
    if filters.team:
        initiatives = initiatives.filter(team__ref=filters.team)
    if filters.owner:
        initiatives = initiatives.filter(
            Q(owner__email__icontains=filters.owner) | Q(owner__name__icontains=filters.owner)
        )
    if filters.status:
        initiatives = initiatives.filter(status=filters.status)
    if filters.overdue:
        initiatives = initiatives.filter(overdue_condition(on))
    shown = counted_page(in_work_order(initiatives), page, WORK_PAGE_SIZE)
    ids = list(shown.object_list)
    # Lean rows: the page shows no task, only the open count (with_work_counted).
    rows = list(with_work_counted(Initiative.objects.filter(pk__in=ids))) if ids else []
    chosen = Initiative.objects.filter(pk__in=ids)
    work = by_impact(rows, on, open_tasks=open_task_counts(chosen) if rows else {})
    return WorkPage(page=shown, work=work)


def overdue_condition(on: date) -> Q:
    return Q(due__lt=on) & ~Q(status__in=engine.CLOSED_INITIATIVE_STATUSES)


def team_filter_options(cycle: Cycle, chosen: str) -> SafeString:
    """The team filter's options: the organization's live teams. The owner is a search field,
    not a list: a large cycle's work has thousands of owners (3,600 at the large bench size)."""
    teams = Team.objects.filter(organization_id=cycle.organization_id, archived_at__isnull=True)
    return team_options(team_choices(teams), chosen)


def board_columns(work: Iterable[Work]) -> list[tuple[str, str, list[Work]]]:
    """(status, label, work) for each status, in the order of INITIATIVE_STATUSES."""
    by_status: dict[str, list[Work]] = defaultdict(list)
    for item in work:
        by_status[item.initiative.status].append(item)
    return [(value, label, by_status[value]) for value, label in STATUS_CHOICES]


@dataclass(frozen=True)
class TimelineRow:
    """One initiative on the timeline: its work, and its bar across the cycle."""

    work: Work
    bar: Bar


@dataclass(frozen=True)
class WorkTimeline:
    page: Page[int]
    rows: list[TimelineRow]


def cycle_timeline(
    person: User, cycle: Cycle, filters: WorkFilters, *, on: date, page: str | None = None
) -> WorkTimeline:
    """The Work page's page of work (same filters, order and paging) as timeline bars."""
    shown = cycle_initiatives(person, cycle, filters, on=on, page=page)
    return WorkTimeline(
        page=shown.page,
        rows=[TimelineRow(w, timeline_bar(w.initiative, cycle)) for w in shown.work],
    )


def timeline_bar(initiative: Initiative, cycle: Cycle) -> Bar:
    """From start to due within the cycle; a missing date is the cycle's own (an open end)."""
    start = min(max(initiative.start or cycle.start, cycle.start), cycle.end)
    end = min(max(initiative.due or cycle.end, start), cycle.end)
    return Bar(
        title=initiative.title,
        status=initiative.status,
        status_label=initiative.get_status_display(),
        start=start,
        end=end,
        open_start=initiative.start is None,
        open_end=initiative.due is None,
    )


# --- The objective page ------------------------------------------------------------------


def work_by_key_result(
    person: User, key_results: Sequence[KeyResult], *, on: date
) -> dict[int, list[Work]]:
    """The work `person` may see behind each key result, by impact, in four queries."""
    if not key_results:
        return {}
    ids = [kr.pk for kr in key_results]
    # The supporting initiatives as a list first, then the visibility rule on those rows
    # only. As a subquery, a join with DISTINCT had SQLite walk every initiative of the
    # organization (large bench: 327 -> 25 ms), and PostgreSQL, misjudging the hidden
    # supports, tested every initiative against the rule before keeping these (93 -> 5 ms).
    supporting = Initiative.key_results.through.objects.filter(keyresult_id__in=ids)
    initiative_ids = set(supporting.values_list("initiative_id", flat=True))
    visible = initiatives_visible_to(person).filter(pk__in=initiative_ids)
    initiatives = with_work(visible)
    found: dict[int, list[Work]] = defaultdict(list)
    for item in by_impact(list(initiatives), on):
        for kr in item.initiative.key_results.all():
            if kr.pk in ids:
                found[kr.pk].append(item)
    return found


# --- My focus ----------------------------------------------------------------------------


def my_open_tasks(person: User) -> QuerySet[Task]:
    """The open tasks assigned to me, of work I may see in cycles not closed, due first
    (those without a date last)."""
    initiatives = initiatives_visible_to(person).exclude(cycle__state=Cycle.State.CLOSED)
    # A correlated EXISTS per task of mine, not `initiative IN (every visible initiative)`:
    # SQLite built that whole list first (large bench: 343 -> 25 ms for count and page).
    mine = initiatives.filter(pk=OuterRef("initiative_id"))
    return (
        Task.objects.filter(assignee=person, done=False)
        .filter(Exists(mine))
        .select_related("initiative")
        .order_by(F("due").asc(nulls_last=True), "initiative__title", "position", "pk")
    )


def work_at_risk_in_my_teams(
    person: User, cycles: Sequence[Cycle], *, on: date
) -> QuerySet[Initiative]:
    """Work of my teams in `cycles` that is blocked or overdue."""
    my_teams = Membership.objects.filter(person=person).values("team_id")
    at_risk = Q(status=engine.BLOCKED) | overdue_condition(on)
    # The few candidates by cycle and team first, as a list, then the visibility rule on
    # them only: with the conditions side by side SQLite walked every initiative of the
    # organization (large bench: ~100 -> ~50 ms for count and page), and with a subquery
    # PostgreSQL tested every initiative against the rule before keeping these (90 -> 6 ms).
    candidates = Initiative.objects.filter(cycle__in=cycles, team_id__in=my_teams).filter(at_risk)
    return (
        initiatives_visible_to(person)
        .filter(pk__in=list(candidates.values_list("pk", flat=True)))
        .select_related("owner", "team")
        .order_by("due", "title")
    )


def changeable_ids(person: User, initiatives: Sequence[Initiative]) -> set[int]:
    """Which of these (loaded with their key results) `person` may change: the set form of
    `permissions.can_change_initiative`, in two queries however many there are (a test
    holds the two to the same answers)."""
    if not person.is_authenticated or not initiatives:
        return set()
    mine = [i for i in initiatives if i.organization_id == person.organization_id]
    if person.is_org_admin:
        return {i.pk for i in mine}
    my_teams = set(Membership.objects.filter(person=person).values_list("team_id", flat=True))
    objective_ids = {kr.objective_id for i in mine for kr in i.key_results.all()}
    editable = set(
        permissions.objectives_editable_by(person)
        .filter(pk__in=objective_ids)
        .values_list("pk", flat=True)
    )
    return {
        i.pk
        for i in mine
        if i.owner_id == person.pk
        or i.team_id in my_teams
        or any(kr.objective_id in editable for kr in i.key_results.all())
    }
