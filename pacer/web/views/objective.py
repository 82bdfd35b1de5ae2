"""The objective page and everything that changes one objective.

Reads go through `objectives_visible_to` (a hidden objective is a 404), writes through
`can_edit_objective` (others get a 403) and one service each. htmx requests get fragments
from `partials/objective/`; the same views serve the whole page without scripts.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Prefetch, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from pacer.accounts.models import User
from pacer.okrs import history, permissions, selectors, services
from pacer.okrs import progress as engine
from pacer.okrs.errors import DomainError
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Milestone, Objective, Team
from pacer.web import charts
from pacer.web.forms import (
    CheckInForm,
    CopyForm,
    KeyResultBaseFormSet,
    KeyResultForm,
    KeyResultFormSet,
    MoveKeyResultForm,
    ObjectiveForm,
    RetrospectiveForm,
    show_problems,
)

PARTIALS = "web/partials/objective/"
HISTORY_SHOWN = 8
ACTIVITY_SHOWN = 15
CONFIDENCE_ORDER = (engine.OFF_TRACK, engine.AT_RISK, engine.ON_TRACK)


# --- Reading one objective ---------------------------------------------------------------


def person(request: HttpRequest) -> User:
    """The signed-in person (every view here requires sign-in)."""
    return cast(User, request.user)


def visible_objective(user: User, ref: str) -> Objective:
    """The objective `ref` if `user` may see it; a 404 otherwise (never a 403)."""
    objectives = selectors.objectives_visible_to(user).select_related(
        "cycle", "owner", "team", "organization"
    )
    return get_object_or_404(objectives, ref=ref)


def editable_objective(user: User, ref: str) -> Objective:
    """The objective `ref` if `user` may change it: 404 if hidden, 403 if only visible."""
    objective = visible_objective(user, ref)
    if not permissions.can_edit_objective(user, objective):
        raise PermissionDenied("Only the owner, the owning team and admins change this objective.")
    return objective


def value_text(kr: KeyResult, value: Decimal | None) -> str:
    """A value as people write it: 42 %, 1.5 EUR, Yes/No."""
    if value is None:
        return "none"
    if kr.type == engine.BOOLEAN:
        return "Yes" if value == 1 else "No"
    number = f"{value.normalize():f}"
    return f"{number} {kr.unit}".strip()


@dataclass
class KeyResultRow:
    kr: KeyResult
    pace: selectors.Pace
    checkins: list[CheckIn]
    milestones: list[Milestone]
    chart: SafeString
    series: list[charts.Point]
    form: CheckInForm | None
    satisfied: bool | None
    linked_visible: bool
    error: str = ""

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
        return [(c, value_text(self.kr, c.value)) for c in self.checkins[:HISTORY_SHOWN]]

    @property
    def older_count(self) -> int:
        return max(len(self.checkins) - HISTORY_SHOWN, 0)


@dataclass(frozen=True)
class Activity:
    """One entry of the change history, in words: who did what, what changed (old -> new),
    and through which path (web, api, cli, import)."""

    at: datetime
    actor: str
    text: str
    note: str = ""
    changes: tuple[tuple[str, str, str], ...] = ()
    via: str = ""

    @property
    def date_only(self) -> bool:
        """Dated without a time (OKR files, backdated check-ins): midnight UTC."""
        return self.at.astimezone(UTC).time() == time.min

    @property
    def day(self) -> date:
        """The date a date-only event means, whatever the time zone shown."""
        return self.at.astimezone(UTC).date()


@dataclass
class ObjectivePage:
    objective: Objective
    pace: selectors.Pace
    confidence: str
    rows: list[KeyResultRow]
    chart: SafeString
    parents: list[tuple[Objective, selectors.Pace]]
    children: list[tuple[Objective, selectors.Pace]]
    activity: list[Activity]
    can_edit: bool
    writable: bool
    succeeded: bool
    retrospective: RetrospectiveForm | None = None
    read_only_reason: str = ""
    extra: dict = field(default_factory=dict)


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
    bands = objective.organization.bands
    can_edit = permissions.can_edit_objective(user, objective)
    reason = read_only_reason(objective)
    writable = can_edit and not reason
    key_results = list(key_results_of(objective))
    visible_links = visible_linked_ids(user, key_results)
    rows = [
        key_result_row(
            kr,
            objective.cycle,
            today=today,
            bands=bands,
            form=(bound or {}).get(kr.pk) or (checkin_form(kr) if writable else None),
            linked_visible=kr.linked_objective_id in visible_links,
        )
        for kr in key_results
    ]
    for row in rows:
        row.error = (errors or {}).get(row.kr.pk, "")
    pace = selectors.objective_pace(objective, on=today, bands=bands)
    return ObjectivePage(
        objective=objective,
        pace=pace,
        confidence=lowest_confidence(kr.confidence for kr in key_results),
        rows=rows,
        chart=objective_chart(objective, rows, today),
        parents=paced(related_objectives(user, child_links__child=objective), today, bands),
        children=paced(related_objectives(user, parent_links__parent=objective), today, bands),
        activity=activity_of(user, objective, key_results),
        can_edit=can_edit,
        writable=writable,
        succeeded=engine.succeeded(objective.kind, objective.score),
        retrospective=retrospective or retrospective_form(objective, can_edit),
        read_only_reason=reason,
    )


def read_only_reason(objective: Objective) -> str:
    """The service's reason, as a sentence ('' when the objective may change)."""
    problems = selectors.read_only_problems(objective)
    message = problems[0][1] if problems else ""
    return message[:1].upper() + message[1:] + "." if message else ""


def key_results_of(objective: Objective) -> QuerySet[KeyResult]:
    checkins = CheckIn.objects.select_related("author").order_by("-at", "-id")
    return (
        objective.key_results.select_related("owner", "linked_objective")
        .prefetch_related("milestones", Prefetch("checkins", queryset=checkins))
        .order_by("position", "id")
    )


def visible_linked_ids(user: User, key_results: list[KeyResult]) -> set[int]:
    linked = {kr.linked_objective_id for kr in key_results if kr.linked_objective_id}
    if not linked:
        return set()
    visible = selectors.objectives_visible_to(user).filter(pk__in=linked)
    return set(visible.values_list("pk", flat=True))


def related_objectives(user: User, **condition: object) -> list[Objective]:
    """Parents or children of an objective, only those `user` may see."""
    related = selectors.objectives_visible_to(user).filter(**condition)
    return list(related.select_related("cycle", "owner").order_by("title"))


def paced(
    objectives: list[Objective], today: date, bands: engine.Bands
) -> list[tuple[Objective, selectors.Pace]]:
    return [(o, selectors.objective_pace(o, on=today, bands=bands)) for o in objectives]


def lowest_confidence(confidences: Iterable[str]) -> str:
    """The objective's confidence: the lowest its key results report (empty if none)."""
    reported = set(confidences)
    return next((c for c in CONFIDENCE_ORDER if c in reported), "")


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


def key_result_row(
    kr: KeyResult,
    cycle: Cycle,
    *,
    today: date,
    bands: engine.Bands,
    form: CheckInForm | None,
    linked_visible: bool,
) -> KeyResultRow:
    checkins = list(kr.checkins.all())
    milestones = list(kr.milestones.all())
    facts = selectors.key_result_facts(kr)
    series = key_result_series(kr, cycle, checkins, milestones, today)
    window_start, window_end = kr.window(cycle)
    chart = charts.progress_chart(
        series,
        window_start=window_start,
        window_end=window_end,
        title=f"Progress of “{kr.title}” over time against the expected pace",
        dom_id=f"kr-chart-{kr.pk}",
        today=today,
    )
    return KeyResultRow(
        kr=kr,
        pace=selectors.key_result_pace(kr, cycle, on=today, bands=bands),
        checkins=checkins,
        milestones=milestones,
        chart=mark_safe(chart),  # built from numbers and escaped text only
        series=series,
        form=form,
        satisfied=engine.health_satisfied(facts) if kr.type in engine.HEALTH_TYPES else None,
        linked_visible=linked_visible,
    )


def key_result_series(
    kr: KeyResult,
    cycle: Cycle,
    checkins: list[CheckIn],
    milestones: list[Milestone],
    today: date,
) -> list[charts.Point]:
    """Progress after each check-in (by its value) or milestone done (by the day it was)."""
    facts = engine.KeyResultFacts(
        type=kr.type,
        start=kr.start,
        target=kr.target,
        threshold=kr.threshold,
        low=kr.low,
        high=kr.high,
        milestones=tuple(engine.Milestone(m.weight, m.done) for m in milestones),
    )
    readings = [
        charts.Reading(on=timezone.localdate(c.at), value=c.value)
        for c in checkins
        if kr.type not in (engine.MILESTONES, engine.LINKED)
    ] + [
        charts.Reading(on=timezone.localdate(m.updated_at), milestone_done=index)
        for index, m in enumerate(milestones)
        if m.done
    ]
    return charts.key_result_series(
        facts,
        readings,
        window_start=cycle.start,
        today=today,
        current_progress=kr.progress,
    )


def objective_chart(objective: Objective, rows: list[KeyResultRow], today: date) -> SafeString:
    series = charts.objective_series([(row.kr.weight, row.series) for row in rows])
    if not series:
        series = [(objective.cycle.start, engine.ZERO), (today, objective.progress)]
    chart = charts.progress_chart(
        series,
        window_start=objective.cycle.start,
        window_end=objective.cycle.end,
        title=f"Progress of “{objective.title}” over time against the expected pace",
        dom_id="objective-chart-svg",
        today=today,
    )
    return mark_safe(chart)  # built from numbers and escaped text only


def activity_of(user: User, objective: Objective, key_results: list[KeyResult]) -> list[Activity]:
    """The latest history entries about the objective and its parts, in two queries."""
    rows = list(history.entries_of_objective(objective.pk)[:ACTIVITY_SHOWN])
    names = related_names(user, rows)
    krs = {kr.pk: kr for kr in key_results}
    return [describe(entry, names, krs) for entry in rows]


REFERENCES = {
    "owner": "person", "author": "person", "person": "person", "team": "team",
    "cycle": "cycle", "objective": "objective", "parent": "objective", "child": "objective",
    "linked_objective": "objective",
}  # fmt: skip
HIDDEN_OBJECTIVE = "a private objective"
TEXT_SHOWN = 200


def related_names(user: User, rows: list) -> dict[tuple[str, str], str]:
    """Names of the people, teams, cycles and objectives the entries name by id, in one
    query; objectives only where `user` may see them."""
    wanted: dict[str, set[int]] = {"person": set(), "team": set(), "cycle": set()}
    wanted["objective"] = set()
    for entry in rows:
        for name, pair in history.changes_of(entry).items():
            kind = REFERENCES.get(name)
            if kind:
                wanted[kind] |= {int(v) for v in pair if v.isdigit()}
    if not any(wanted.values()):
        return {}
    label = Coalesce(NullIf("name", Value("")), "email", output_field=CharField())
    parts = [
        User.objects.filter(pk__in=wanted["person"]).values_list("pk", Value("person"), label),
        Team.objects.filter(pk__in=wanted["team"]).values_list("pk", Value("team"), "name"),
        Cycle.objects.filter(pk__in=wanted["cycle"]).values_list("pk", Value("cycle"), "name"),
        selectors.objectives_visible_to(user)
        .filter(pk__in=wanted["objective"])
        .order_by()
        .values_list("pk", Value("objective"), "title"),
    ]
    query = parts[0].order_by().union(*(part.order_by() for part in parts[1:]), all=True)
    return {(kind, str(pk)): str(title) for pk, kind, title in query}


def describe(entry: Any, names: dict[tuple[str, str], str], krs: dict[int, KeyResult]) -> Activity:
    changes = history.changes_of(entry)
    action = history.action_of(entry)
    model = entry.content_type.model
    subject = entry.object_repr
    kr = krs.get(_id(changes.get("key_result")) or 0) if model in ("checkin", "milestone") else None
    if model == "keyresult":
        kr = krs.get(entry.object_id)
    note = ""
    if model == "checkin":
        value_pair = changes.get("value", ("None", "None"))
        value = value_pair[1] if action == "create" else value_pair[0]
        kr_title = f"“{kr.title}”" if kr else "a key result"
        verb = "checked in on" if action == "create" else "deleted a check-in on"
        text = f"{verb} {kr_title}"
        if value != "None":
            text += f": {value_text(kr, Decimal(value)) if kr else _plain(value)}"
        at = changes.get("at", ("None", "None"))[1 if action == "create" else 0]
        if at != "None" and at[:10] != entry.timestamp.astimezone(UTC).strftime("%Y-%m-%d"):
            text += f" (for {at[:10]})"
        note = changes.get("note", ("", ""))[1 if action == "create" else 0]
        note = "" if note == "None" else note
        shown: tuple[tuple[str, str, str], ...] = ()
    elif model == "alignment":
        pair = changes.get("parent", ("None", "None"))
        parent = pair[1] if action == "create" else pair[0]
        title = names.get(("objective", parent), HIDDEN_OBJECTIVE)
        text = "aligned the objective to " if action == "create" else "removed the alignment to "
        text += f"“{title}”" if title != HIDDEN_OBJECTIVE else title
        shown = ()
    else:
        text = _sentence(model, action, subject, changes)
        shown = () if action != "update" else _changes_shown(changes, names, kr)
    actor = str(entry.actor) if entry.actor else ""
    return Activity(entry.timestamp, actor, text, note, shown, history.via_of(entry))


NOUNS = {
    "objective": "the objective", "keyresult": "key result", "milestone": "milestone",
}  # fmt: skip


def _sentence(model: str, action: str, subject: str, changes: dict) -> str:
    if model == "objective":
        if action == "create":
            return "created the objective"
        archived = changes.get("archived_at")
        if archived and set(changes) == {"archived_at"}:
            return "archived the objective" if archived[1] != "None" else "restored the objective"
        if set(changes) == {"final_score"}:
            return (
                "froze the final score"
                if changes["final_score"][1] != "None"
                else ("reopened the score")
            )
        return "changed the objective"
    noun = NOUNS.get(model, model)
    verb = {"create": "added", "update": "changed", "delete": "deleted"}.get(action, action)
    if model == "keyresult" and set(changes) == {"final_score"}:
        return f"froze the final score of key result “{subject}”"
    return f"{verb} {noun} “{subject}”"


def _changes_shown(
    changes: dict[str, tuple[str, str]],
    names: dict[tuple[str, str], str],
    kr: KeyResult | None,
) -> tuple[tuple[str, str, str], ...]:
    return tuple(
        (name.replace("_", " "), _shown(name, old, names, kr), _shown(name, new, names, kr))
        for name, (old, new) in sorted(changes.items())
    )


def _shown(name: str, value: str, names: dict[tuple[str, str], str], kr: KeyResult | None) -> str:
    if value in ("None", ""):
        return "\u2013"  # an en dash: no value
    kind = REFERENCES.get(name)
    if kind:
        return names.get((kind, value), HIDDEN_OBJECTIVE if kind == "objective" else "#" + value)
    if value in ("True", "False"):
        return "yes" if value == "True" else "no"
    if name in ("start", "target", "threshold", "low", "high") and kr is not None:
        try:
            return value_text(kr, Decimal(value))
        except ArithmeticError:
            return value
    if name.endswith("_at") and len(value) >= 16:
        return value[:16] + " UTC"
    if len(value) > TEXT_SHOWN:
        return value[:TEXT_SHOWN] + "…"
    return _plain(value)


def _plain(value: str) -> str:
    """A stored decimal without its trailing zeros (12.500000 -> 12.5)."""
    try:
        number = Decimal(value)
    except ArithmeticError:
        return value
    return f"{number.normalize():f}" if number.is_finite() else value


def _id(pair: tuple[str, str] | None) -> int | None:
    if pair is None:
        return None
    value = pair[1] if pair[1] != "None" else pair[0]
    return int(value) if value.isdigit() else None


# --- The page and its inline changes -----------------------------------------------------


@login_required
def objective_detail(request: HttpRequest, ref: str) -> HttpResponse:
    objective = visible_objective(person(request), ref)
    page = objective_page(person(request), objective)
    return render(request, "web/objective/detail.html", {"page": page})


@login_required
@require_POST
def key_result_checkin(request: HttpRequest, ref: str, kr_ref: str) -> HttpResponse:
    """An inline check-in; htmx gets the key result's row plus the header and chart."""
    objective = editable_objective(person(request), ref)
    kr = get_object_or_404(objective.key_results.all(), ref=kr_ref)
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
    try:
        services.milestone_set_done(milestone=milestone, done=request.POST.get("done") == "1")
    except DomainError as error:
        return after_change(
            request, ref, milestone.key_result, errors={milestone.key_result_id: str(error)}
        )
    return after_change(request, ref, milestone.key_result)


def after_change(
    request: HttpRequest,
    ref: str,
    kr: KeyResult,
    *,
    bound: dict[int, CheckInForm] | None = None,
    errors: dict[int, str] | None = None,
) -> HttpResponse:
    """The answer to a change of one key result: fragments for htmx, else the page."""
    failed = bool(bound or errors)
    if not request.htmx and not failed:  # type: ignore[attr-defined]
        return redirect(reverse("objective_detail", args=[ref]) + f"#kr-{kr.pk}")
    objective = visible_objective(person(request), ref)  # fresh numbers
    page = objective_page(person(request), objective, bound=bound, errors=errors)
    if not request.htmx:  # type: ignore[attr-defined]
        return render(request, "web/objective/detail.html", {"page": page}, status=400)
    row = next(row for row in page.rows if row.kr.pk == kr.pk)
    context = {"page": page, "row": row, "oob": not failed}
    return render(request, PARTIALS + "_changed.html", context)


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
    return render(request, "web/objective/detail.html", {"page": page}, status=400)


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


# --- Create, edit, copy, move ------------------------------------------------------------


def open_cycles(user: User) -> QuerySet[Cycle]:
    return Cycle.objects.filter(organization=user.organization).exclude(state=Cycle.State.CLOSED)


def default_cycle(user: User, ref: str) -> Cycle | None:
    """The cycle asked for, else the shortest active one (the quarter rather than the year)."""
    cycles = open_cycles(user)
    active = cycles.filter(state=Cycle.State.ACTIVE).order_by("end", "-start")
    ref = ref.replace("\x00", "")  # PostgreSQL refuses NUL in a query parameter (a 500)
    return cycles.filter(ref=ref).first() if ref else active.first()


def objective_form(
    user: User, data: object = None, current_team: Team | None = None, **kwargs: object
) -> ObjectiveForm:
    """The create/edit form; an edit may keep the objective's team even if `user` is not in it."""
    teams = permissions.teams_to_file_under(user)
    if current_team is not None:
        teams = teams | Team.objects.filter(pk=current_team.pk)
    candidates = (
        selectors.without_read_only(selectors.objectives_visible_to(user))
        .select_related("cycle")
        .order_by("cycle__start", "title")
    )
    return ObjectiveForm(
        data,
        cycles=open_cycles(user),
        teams=teams.distinct().order_by("name"),
        parents=candidates,
        **kwargs,  # type: ignore[arg-type]
    )


def refuse_if_read_only(request: HttpRequest, objective: Objective) -> HttpResponse | None:
    """Closed cycles and archived objectives are read-only: say so and go back."""
    reason = read_only_reason(objective)
    if not reason:
        return None
    messages.error(request, reason)
    return redirect("objective_detail", ref=objective.ref)


@login_required
def objective_new(request: HttpRequest) -> HttpResponse:
    user = person(request)
    initial = {"cycle": default_cycle(user, request.GET.get("cycle", ""))}
    data = request.POST if request.method == "POST" else None
    form = objective_form(user, data, initial=initial)
    formset = cast(KeyResultBaseFormSet, KeyResultFormSet(data, prefix="key_results"))
    if data is not None and form.is_valid() and formset.is_valid():
        try:
            objective = create_from_forms(user, form, formset)
        except DomainError as error:
            show_objective_problems(form, formset, error)
        else:
            messages.success(request, f"Created “{objective.title}”.")
            return redirect("objective_detail", ref=objective.ref)
    context = {"form": form, "formset": formset, "creating": True}
    return render(request, "web/objective/form.html", context, status=400 if data else 200)


def create_from_forms(user: User, form: ObjectiveForm, formset: KeyResultBaseFormSet) -> Objective:
    fields = dict(form.cleaned_data)
    fields.pop("version", None)
    specs = [services.KeyResultSpec(**row) for row in formset.specs_input()]
    return services.objective_create(owner=user, key_results=specs, **fields)


def show_objective_problems(
    form: ObjectiveForm,
    formset: KeyResultBaseFormSet,
    error: DomainError,
) -> None:
    """Key result problems (`key_results-<n>-<field>`) go to the n-th filled row."""
    filled = formset.filled_indexes()
    rest = []
    for name, message in error.problems:
        parts = name.split("-", 2)
        if parts[0] == "key_results" and len(parts) == 3:
            row = formset.forms[filled[int(parts[1])]]
            row.add_error(parts[2] if parts[2] in row.fields else None, message)
        else:
            rest.append((name, message))
    if rest:
        show_problems(form, DomainError(rest))


@login_required
def objective_edit(request: HttpRequest, ref: str) -> HttpResponse:
    user = person(request)
    objective = editable_objective(user, ref)
    if refused := refuse_if_read_only(request, objective):
        return refused
    data = request.POST if request.method == "POST" else None
    form = objective_form(user, data, objective.team, initial=edit_initial(objective), editing=True)
    form.fields["parents"].queryset = form.fields["parents"].queryset.exclude(pk=objective.pk)  # type: ignore[attr-defined]
    if data is not None and form.is_valid():
        try:
            services.objective_update(objective=objective, editor=user, **form.cleaned_data)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("objective_detail", ref=ref)
    return render_edit(request, objective, form=form, status=400 if data else 200)


def render_edit(
    request: HttpRequest,
    objective: Objective,
    *,
    form: ObjectiveForm | None = None,
    kr_form: KeyResultForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The edit page: the objective's fields, a form to add a key result, the moves."""
    user = person(request)
    if form is None:
        form = objective_form(user, initial=edit_initial(objective), editing=True)
        form.fields["parents"].queryset = form.fields["parents"].queryset.exclude(pk=objective.pk)  # type: ignore[attr-defined]
    context = {
        "form": form,
        "objective": objective,
        "kr_form": kr_form or KeyResultForm(prefix="new_kr"),
        "moves": move_forms(user, objective),
    }
    return render(request, "web/objective/form.html", context, status=status)


@login_required
@require_POST
def key_result_add(request: HttpRequest, ref: str) -> HttpResponse:
    """A new key result from the edit page, through `services.key_result_create`."""
    objective = editable_objective(person(request), ref)
    if refused := refuse_if_read_only(request, objective):
        return refused
    kr_form = KeyResultForm(request.POST, prefix="new_kr")
    if kr_form.is_valid():
        row = KeyResultBaseFormSet.spec_input(kr_form.cleaned_data)
        try:
            kr = services.key_result_create(objective=objective, spec=services.KeyResultSpec(**row))
        except DomainError as error:
            show_problems(kr_form, error)
        else:
            messages.success(request, f"Added the key result “{kr.title}”.")
            return redirect(reverse("objective_detail", args=[ref]) + f"#kr-{kr.pk}")
    return render_edit(request, objective, kr_form=kr_form, status=400)


def edit_initial(objective: Objective) -> dict[str, object]:
    return {
        "title": objective.title,
        "description": objective.description,
        "team": objective.team_id,
        "kind": objective.kind,
        "visibility": objective.visibility,
        "parents": list(objective.parents.values_list("pk", flat=True)),
        "version": selectors.objective_version(objective),
    }


def move_targets(user: User, objective: Objective) -> QuerySet[Objective]:
    """Objectives a key result may move to: open, not archived, editable by `user`."""
    editable = permissions.objectives_editable_by(user).exclude(pk=objective.pk)
    return selectors.without_read_only(editable).order_by("title")


def move_forms(user: User, objective: Objective) -> list[tuple[KeyResult, MoveKeyResultForm]]:
    targets = move_targets(user, objective)
    return [
        (kr, MoveKeyResultForm(objectives=targets, prefix=f"move{kr.pk}"))
        for kr in objective.key_results.order_by("position", "id")
    ]


@login_required
@require_POST
def key_result_move(request: HttpRequest, ref: str, kr_ref: str) -> HttpResponse:
    user = person(request)
    objective = editable_objective(user, ref)
    kr = get_object_or_404(objective.key_results.all(), ref=kr_ref)
    form = MoveKeyResultForm(
        request.POST, objectives=move_targets(user, objective), prefix=f"move{kr.pk}"
    )
    if not form.is_valid():
        messages.error(request, "Choose an objective you may change to move the key result to.")
        return redirect("objective_edit", ref=ref)
    try:
        services.key_result_move(key_result=kr, objective=form.cleaned_data["objective"])
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("objective_edit", ref=ref)
    target = form.cleaned_data["objective"]
    messages.success(request, f"Moved “{kr.title}” to “{target.title}”.")
    return redirect("objective_detail", ref=target.ref)


@login_required
def objective_copy(request: HttpRequest, ref: str) -> HttpResponse:
    user = person(request)
    objective = editable_objective(user, ref)
    key_results = objective.key_results.order_by("position", "id")
    data = request.POST if request.method == "POST" else None
    form = CopyForm(
        data,
        cycles=open_cycles(user),
        key_results=key_results,
        initial={"key_results": list(key_results)},
    )
    if data is not None and form.is_valid():
        try:
            copy = services.objective_copy(
                objective=objective,
                cycle=form.cleaned_data["cycle"],
                key_results=list(form.cleaned_data["key_results"].order_by("position", "id")),
                owner=user,
            )
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, f"Copied into {copy.cycle.name}.")
            return redirect("objective_detail", ref=copy.ref)
    context = {"form": form, "objective": objective}
    return render(request, "web/objective/copy.html", context, status=400 if data else 200)


# --- Close a cycle -----------------------------------------------------------------------


@dataclass
class ScoredObjective:
    objective: Objective
    key_results: list[tuple[KeyResult, str]]
    computed: Decimal
    color: str
    succeeded: bool
    form: RetrospectiveForm


def scored(objective: Objective, form: RetrospectiveForm | None) -> ScoredObjective:
    computed = objective.final_score or engine.score(objective.progress)
    return ScoredObjective(
        objective=objective,
        key_results=[(kr, engine.color(kr.score)) for kr in objective.key_results.all()],
        computed=computed,
        color=engine.color(objective.score),
        succeeded=engine.succeeded(objective.kind, objective.score),
        form=form
        or RetrospectiveForm(initial=retrospective_initial(objective), prefix=f"o{objective.pk}"),
    )


def admin_cycle(user: User, ref: str) -> Cycle:
    cycle = get_object_or_404(Cycle, organization=user.organization, ref=ref)
    if not permissions.can_close_cycle(user, cycle):
        raise PermissionDenied("Only organization admins close a cycle.")
    return cycle


@login_required
def cycle_close(request: HttpRequest, ref: str) -> HttpResponse:
    """The scoring page: scores, colours, success per kind, overrides, notes; then close."""
    user = person(request)
    cycle = admin_cycle(user, ref)
    bound: dict[int, RetrospectiveForm] = {}
    if request.method == "POST":
        if request.POST.get("action") == "close":
            return close_now(request, cycle)
        saved = save_retrospective(request, cycle)
        if isinstance(saved, HttpResponseRedirect):
            return saved
        bound = saved
    objectives = (
        selectors.objectives_visible_to(user)
        .filter(cycle=cycle)
        .select_related("owner", "team")
        .prefetch_related("key_results")
        .order_by("team__name", "title")
    )
    rows = [scored(o, bound.get(o.pk)) for o in objectives]
    context = {"cycle": cycle, "rows": rows}
    return render(request, "web/objective/close.html", context, status=400 if bound else 200)


def close_now(request: HttpRequest, cycle: Cycle) -> HttpResponse:
    services.cycle_close(cycle=cycle)
    messages.success(request, f"{cycle.name} is closed; its scores are frozen.")
    return redirect("cycle_close", ref=cycle.ref)


def save_retrospective(
    request: HttpRequest, cycle: Cycle
) -> HttpResponseRedirect | dict[int, RetrospectiveForm]:
    """Save one objective's override and notes from the close page; bound form on error."""
    raw_id = request.POST.get("objective", "").strip()
    objective = get_object_or_404(
        selectors.objectives_visible_to(person(request)).filter(cycle=cycle),
        pk=int(raw_id) if raw_id.isdigit() else 0,
    )
    form = RetrospectiveForm(request.POST, prefix=f"o{objective.pk}")
    if form.is_valid():
        try:
            services.objective_set_retrospective(objective=objective, **form.cleaned_data)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, f"Saved the close-out of “{objective.title}”.")
            return redirect(reverse("cycle_close", args=[cycle.ref]) + f"#o{objective.pk}")
    return {objective.pk: form}
