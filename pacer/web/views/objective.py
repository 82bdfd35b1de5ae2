"""The objective page and the changes made on it: check-ins, milestones, the close-out,
archive and restore.

Reads go through `objectives_visible_to` (a hidden objective is a 404), writes through
`can_edit_objective` (others get a 403) and one service each. The page's data comes from
`web.selectors.objective_detail`, its activity list from `web.activity`; this module adds
the forms and draws the charts. htmx requests get fragments from `partials/objective/`
(`web.htmx`); the same views serve the whole page without scripts.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from pacer.accounts.models import User
from pacer.initiatives.selectors import Work
from pacer.okrs import permissions, services
from pacer.okrs import progress as engine
from pacer.okrs import selectors as okr_selectors
from pacer.okrs.display import value_text
from pacer.okrs.errors import DomainError
from pacer.okrs.models import CheckIn, KeyResult, Milestone, Objective
from pacer.web import charts, comments, selectors
from pacer.web.activity import Activity, activity_of
from pacer.web.forms import CheckInForm, RetrospectiveForm, show_problems
from pacer.web.htmx import render_page_or_fragment
from pacer.web.live import live
from pacer.web.selectors import versions
from pacer.web.selectors.work import work_by_key_result

PAGE = "web/objective/detail.html"
PARTIALS = "web/partials/objective/"
NO_CHART = SafeString("")


# --- Finding the objective ---------------------------------------------------------------


def person(request: HttpRequest) -> User:
    """The signed-in person (every view here requires sign-in)."""
    return cast(User, request.user)


def visible_objective(user: User, ref: str) -> Objective:
    """The objective `ref` if `user` may see it; a 404 otherwise (never a 403)."""
    objectives = okr_selectors.objectives_visible_to(user).select_related(
        "cycle", "owner", "team", "organization"
    )
    return get_object_or_404(objectives, ref=ref)


def editable_objective(user: User, ref: str) -> Objective:
    """The objective `ref` if `user` may change it: 404 if hidden, 403 if only visible."""
    objective = visible_objective(user, ref)
    if not permissions.can_edit_objective(user, objective):
        raise PermissionDenied("Only the owner, the owning team and admins change this objective.")
    return objective


# --- The page as shown: the selector's read, with forms and charts -----------------------


@dataclass
class KeyResultRow(selectors.KeyResultDetail):
    """A key result's row: the selector's read, its chart, its check-in form (for those who
    may check in) and the error of a change that failed, with values as people write them."""

    chart: SafeString = NO_CHART
    form: CheckInForm | None = None
    error: str = ""
    work: list[Work] = field(default_factory=list)  # the initiatives behind it, by impact

    @property
    def current_text(self) -> str:
        return value_text(self.kr, self.kr.current)

    @property
    def start_text(self) -> str:
        return value_text(self.kr, self.kr.start)

    @property
    def target_text(self) -> str:
        return value_text(self.kr, self.kr.target)

    @property
    def forecast_text(self) -> str:
        """A metric's forecast value as people write it; empty without one."""
        return "" if self.kr.forecast is None else value_text(self.kr, self.kr.forecast)

    @property
    def rule_text(self) -> str:
        """The condition of a health metric, in words."""
        kr = self.kr
        if kr.type == engine.STAY_ABOVE:
            return f"stay at or above {value_text(kr, kr.threshold)}"
        if kr.type == engine.STAY_BELOW:
            return f"stay at or below {value_text(kr, kr.threshold)}"
        return f"stay between {value_text(kr, kr.low)} and {value_text(kr, kr.high)}"

    @property
    def history(self) -> list[tuple[CheckIn, str]]:
        return [(c, value_text(self.kr, c.value)) for c in self.checkins]

    @property
    def older_count(self) -> int:
        return max(self.checkin_count - len(self.checkins), 0)


@dataclass
class ObjectivePage(selectors.ObjectiveDetail):
    """The page: the selector's read with the rows as shown, the chart, the activity list and
    the close-out form."""

    rows: list[KeyResultRow] = field(default_factory=list)
    chart: SafeString = NO_CHART
    activity: list[Activity] = field(default_factory=list)
    retrospective: RetrospectiveForm | None = None


def fields_of(read: object) -> dict[str, Any]:
    """A selector's dataclass as keywords, to build the richer one shown from it."""
    return {f.name: getattr(read, f.name) for f in fields(read)}  # type: ignore[arg-type]


def objective_page(
    user: User,
    objective: Objective,
    *,
    bound: dict[int, CheckInForm] | None = None,
    errors: dict[int, str] | None = None,
    retrospective: RetrospectiveForm | None = None,
) -> ObjectivePage:
    """Everything the objective page shows, in a fixed number of queries."""
    today = timezone.localdate()
    read = selectors.objective_detail(user, objective, on=today)
    work = work_by_key_result(user, [d.kr for d in read.key_results], on=today)
    rows = [
        KeyResultRow(
            **fields_of(detail),
            chart=key_result_chart(detail, objective, today),
            form=(bound or {}).get(detail.kr.pk) or checkin_form_for(user, detail.kr, read),
            error=(errors or {}).get(detail.kr.pk, ""),
            work=work.get(detail.kr.pk, []),
        )
        for detail in read.key_results
    ]
    return ObjectivePage(
        **fields_of(read),
        rows=rows,
        chart=objective_chart(read, today),
        activity=activity_of(user, objective, [d.kr for d in read.key_results]),
        retrospective=retrospective or retrospective_form(objective, read.can_edit),
    )


def checkin_form_for(
    user: User, kr: KeyResult, read: selectors.ObjectiveDetail
) -> CheckInForm | None:
    """For the objective's editors, and the key result's owner (`permissions.can_check_in`),
    while the objective may change."""
    may_check_in = read.can_edit or kr.owner_id == user.pk
    return checkin_form(kr) if may_check_in and not read.read_only_reason else None


def checkin_form(kr: KeyResult, data: object = None) -> CheckInForm:
    return CheckInForm(data, key_result=kr, prefix=f"kr{kr.pk}")


def retrospective_form(objective: Objective, can_edit: bool) -> RetrospectiveForm | None:
    """Shown to editors once the cycle is closed (the close page shows it before)."""
    if not (can_edit and objective.cycle.is_closed):
        return None
    return RetrospectiveForm(initial=retrospective_initial(objective))


def retrospective_initial(objective: Objective) -> dict[str, object]:
    names = ("score_override", "override_reason", "went_well", "went_wrong", "learned")
    return {name: getattr(objective, name) for name in names}


def key_result_chart(
    detail: selectors.KeyResultDetail, objective: Objective, today: date
) -> SafeString:
    """The key result's own chart; none where it follows an objective the reader may not see."""
    if detail.follows_hidden:
        return NO_CHART
    kr = detail.kr
    window_start, window_end = kr.window(objective.cycle)
    chart = charts.progress_chart(
        detail.series,
        window_start=window_start,
        window_end=window_end,
        title=chart_title(kr.title, detail.pace),
        dom_id=f"kr-chart-{kr.pk}",
        today=today,
        pace=not detail.pace.final,
        forecast=forecast_line(
            kr.last_checkin_at,
            kr.progress,
            kr.forecast_label,
            kr.forecast_progress,
            kr.window(objective.cycle),
        ),
    )
    return mark_safe(chart)  # built from numbers and escaped text only


def objective_chart(read: selectors.ObjectiveDetail, today: date) -> SafeString:
    objective = read.objective
    chart = charts.progress_chart(
        read.series,
        window_start=objective.cycle.start,
        window_end=objective.cycle.end,
        title=chart_title(objective.title, read.pace),
        dom_id="objective-chart-svg",
        today=today,
        pace=not read.pace.final,
        forecast=forecast_line(
            max(
                (d.kr.last_checkin_at for d in read.key_results if d.kr.last_checkin_at),
                default=None,
            ),
            objective.progress,
            objective.forecast_label,
            objective.forecast_progress,
            (objective.cycle.start, objective.cycle.end),
        ),
    )
    return mark_safe(chart)  # built from numbers and escaped text only


def forecast_line(
    last_checkin_at: datetime | None,
    progress: Decimal,
    label: str | None,
    forecast_progress: Decimal | None,
    window: tuple[date, date],
) -> tuple[charts.Point, Decimal] | None:
    """The chart's forecast: from the last check-in (its day, within the window) to the
    forecast at the window's end; none without a check-in or a forecast (no label)."""
    if last_checkin_at is None or label is None or forecast_progress is None:
        return None
    since = min(max(charts.local_day(last_checkin_at), window[0]), window[1])
    return (since, progress), forecast_progress


def chart_title(title: str, pace: okr_selectors.Pace) -> str:
    """A closed cycle's chart shows progress alone: no expected pace."""
    if pace.final:
        return f"Progress of “{title}” over time, until the cycle closed"
    return f"Progress of “{title}” over time against the expected pace"


# --- The page and its inline changes -----------------------------------------------------


def objective_version(request: HttpRequest, ref: str) -> versions.Version | None:
    """Its header, chart and key results as `request`'s person sees them; None if hidden."""
    version = versions.objective_version(person(request), ref)
    return versions.with_day(version, timezone.localdate())


@login_required
@live(objective_version)
def objective_detail(request: HttpRequest, ref: str) -> HttpResponse:
    objective = visible_objective(person(request), ref)
    page = objective_page(person(request), objective)
    target = comments.target_from_link(objective, request.GET.get("on", ""))
    section = comments.section(person(request), objective, target=target)
    return render(request, PAGE, {"page": page, "comments": section})


@login_required
@require_POST
def key_result_checkin(request: HttpRequest, ref: str, kr_ref: str) -> HttpResponse:
    """An inline check-in; htmx gets the key result's row plus the header and chart."""
    objective = visible_objective(person(request), ref)
    kr = get_object_or_404(objective.key_results.all(), ref=kr_ref)
    if not permissions.can_check_in(person(request), kr):
        raise PermissionDenied("Only the objective's editors and the key result's owner check in.")
    form = checkin_form(kr, request.POST)
    if form.is_valid():
        try:
            services.checkin_create(key_result=kr, author=person(request), **form.checkin_input())
        except DomainError as error:
            show_problems(form, error)
    if form.errors:
        return after_change(request, ref, kr, bound={kr.pk: form})
    return after_change(request, ref, kr)


@login_required
@require_POST
def milestone_toggle(request: HttpRequest, ref: str, milestone_id: int) -> HttpResponse:
    objective = editable_objective(person(request), ref)
    milestone = get_object_or_404(
        Milestone.objects.select_related("key_result"),
        pk=milestone_id,
        key_result__objective=objective,
    )
    kr = milestone.key_result
    try:
        services.milestone_set_done(milestone=milestone, done=request.POST.get("done") == "1")
    except DomainError as error:
        return after_change(request, ref, kr, errors={kr.pk: str(error)})
    return after_change(request, ref, kr)


def after_change(
    request: HttpRequest,
    ref: str,
    kr: KeyResult,
    *,
    bound: dict[int, CheckInForm] | None = None,
    errors: dict[int, str] | None = None,
) -> HttpResponse:
    """The answer to a change of one key result: for htmx its row (and, when saved, the
    header and chart out of band); without scripts the page again (400) or a redirect."""
    failed = bool(bound or errors)
    if not request.htmx and not failed:  # type: ignore[attr-defined]
        return redirect(reverse("objective_detail", args=[ref]) + f"#kr-{kr.pk}")
    objective = visible_objective(person(request), ref)  # fresh numbers
    page = objective_page(person(request), objective, bound=bound, errors=errors)
    row = next(row for row in page.rows if row.kr.pk == kr.pk)
    context = {"page": page, "row": row, "oob": not failed}
    return render_page_or_fragment(
        request, PAGE, PARTIALS + "_changed.html", context, page_status=400
    )


@login_required
@require_POST
def objective_retrospective(request: HttpRequest, ref: str) -> HttpResponse:
    """An editor's override and notes on a closed cycle's objective."""
    objective = editable_objective(person(request), ref)
    form = RetrospectiveForm(request.POST)
    if form.is_valid():
        try:
            services.objective_set_retrospective(objective=objective, **form.cleaned_data)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, "Saved the close-out of this objective.")
            return redirect("objective_detail", ref=ref)
    page = objective_page(person(request), objective, retrospective=form)
    return render(request, PAGE, {"page": page}, status=400)


@login_required
@require_POST
def objective_archive(request: HttpRequest, ref: str) -> HttpResponse:
    done = "Archived. It no longer takes check-ins; restore it any time."
    return archive_or_restore(request, ref, services.objective_archive, done)


@login_required
@require_POST
def objective_restore(request: HttpRequest, ref: str) -> HttpResponse:
    return archive_or_restore(request, ref, services.objective_restore, "Restored.")


def archive_or_restore(
    request: HttpRequest, ref: str, action: Callable[..., Objective], done: str
) -> HttpResponse:
    """Run the service; a closed cycle's refusal becomes a message on the objective page."""
    objective = editable_objective(person(request), ref)
    try:
        action(objective=objective)
    except DomainError as error:
        messages.error(request, "; ".join(text for _, text in error.problems))
    else:
        messages.success(request, done)
    return redirect("objective_detail", ref=ref)
