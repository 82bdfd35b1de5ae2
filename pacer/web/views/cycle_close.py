"""Closing a cycle, for organization admins: each objective's computed score, colour and
success by kind, an override with its reason and the close-out notes, why each missed key
result was missed; then close."""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from pacer.accounts.models import User
from pacer.initiatives.models import Initiative
from pacer.initiatives.selectors import initiatives_visible_to
from pacer.okrs import permissions, rules, selectors, services
from pacer.okrs import progress as engine
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Cycle, KeyResult, Objective
from pacer.web import paging
from pacer.web.forms import PlainForm, RetrospectiveForm, show_problems
from pacer.web.selectors import today
from pacer.web.views.objective import person, retrospective_initial


class MissReasonForm(PlainForm):
    """Why a missed key result was missed (the service holds the rules)."""

    miss_reason = forms.ChoiceField(
        choices=[("", "Not given"), *KeyResult.MissReason.choices],
        required=False,
        label="Missed because",
    )
    miss_note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Note",
        help_text="Required for “Other”.",
    )


@dataclass
class ScoredKeyResult:
    """A key result on the close page; a missed one (score below 0.7) of the opened
    objective carries the form of its reason."""

    kr: KeyResult
    color: str
    missed: bool
    form: MissReasonForm | None = None


def miss_reason_form(kr: KeyResult) -> MissReasonForm:
    initial = {"miss_reason": kr.miss_reason, "miss_note": kr.miss_note}
    return MissReasonForm(initial=initial, prefix=f"k{kr.pk}")


def scored_key_results(
    objective: Objective, opened: bool, bound: dict[int, MissReasonForm]
) -> list[ScoredKeyResult]:
    rows = []
    for kr in objective.key_results.all():
        missed = rules.key_result_missed(kr.score)
        form = bound.get(kr.pk) or (miss_reason_form(kr) if opened and missed else None)
        rows.append(ScoredKeyResult(kr, engine.color(kr.score), missed, form))
    return rows


@dataclass
class ScoredObjective:
    """An objective on the close page. Each number carries the colour of its own value: the
    computed score its own, the final score (the override, else the computed) its own."""

    objective: Objective
    key_results: list[ScoredKeyResult]
    computed: Decimal
    computed_color: str
    final: Decimal
    final_color: str
    succeeded: bool
    work: list["ClosedWork"]
    # Only the objective opened (`?open=<id>`) or sent back with errors carries its form:
    # 25 forms took about half of the page's time (issue 11).
    form: RetrospectiveForm | None


@dataclass(frozen=True)
class ClosedWork:
    """An initiative under the objective, in its final state, and whether a copy of it
    already went on to the next cycle."""

    initiative: Initiative
    carried: bool

    @property
    def open(self) -> bool:
        return self.initiative.status not in engine.CLOSED_INITIATIVE_STATUSES


def work_by_objective(user: User, objectives: list[Objective]) -> dict[int, list[ClosedWork]]:
    """The visible initiatives under each objective of the page (three queries)."""
    through = Initiative.key_results.through
    visible = initiatives_visible_to(user)
    pairs = set(
        through.objects.filter(
            keyresult__objective__in=[o.pk for o in objectives], initiative__in=visible
        ).values_list("keyresult__objective_id", "initiative_id")
    )
    initiatives = Initiative.objects.in_bulk({i for _, i in pairs})
    carried = set(
        Initiative.objects.filter(carried_from__in=initiatives).values_list(
            "carried_from_id", flat=True
        )
    )
    found: dict[int, list[ClosedWork]] = {}
    for objective_id, initiative_id in sorted(pairs, key=lambda p: initiatives[p[1]].title):
        work = ClosedWork(initiatives[initiative_id], initiative_id in carried)
        found.setdefault(objective_id, []).append(work)
    return found


def scored(
    objective: Objective,
    form: RetrospectiveForm | None,
    opened: bool = False,
    work: list[ClosedWork] | None = None,
    reasons: dict[int, MissReasonForm] | None = None,
) -> ScoredObjective:
    frozen = objective.final_score
    computed = frozen if frozen is not None else engine.score(objective.progress)
    return ScoredObjective(
        objective=objective,
        key_results=scored_key_results(objective, opened, reasons or {}),
        computed=computed,
        computed_color=engine.color(computed),
        final=objective.score,
        final_color=engine.color(objective.score),
        succeeded=engine.succeeded(objective.kind, objective.score),
        work=work or [],
        form=form or (close_out_form(objective) if opened else None),
    )


def close_out_form(objective: Objective) -> RetrospectiveForm:
    initial = retrospective_initial(objective)
    return RetrospectiveForm(initial=initial, prefix=f"o{objective.pk}")


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
    reasons: dict[int, MissReasonForm] = {}
    reason_of: int | None = None  # the objective whose key result's reason came back
    unconfirmed = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action in CONFIRMATIONS:
            if request.POST.get("confirm") == "yes":
                return (close_now if action == "close" else reopen_now)(request, cycle)
            unconfirmed = CONFIRMATIONS[action]
        elif action == "miss_reason":
            answer = save_miss_reason(request, cycle)
            if isinstance(answer, HttpResponseRedirect):
                return answer
            reason_of, reasons = answer
        else:
            saved = save_retrospective(request, cycle)
            if isinstance(saved, HttpResponseRedirect):
                return saved
            bound = saved
    shown = paging.close_page(user, cycle, request.GET)
    raw_open = request.GET.get("open", "")
    opened = reason_of or (int(raw_open) if raw_open.isdigit() else None)
    work = work_by_objective(user, shown.objectives)
    context = {
        "cycle": cycle,
        "shown": shown,
        "rows": [
            scored(o, bound.get(o.pk), o.pk == opened, work.get(o.pk), reasons)
            for o in shown.objectives
        ],
        "freezes": paging.freeze_counts(cycle),
        "ends_later": today() < cycle.end,
        "unconfirmed": unconfirmed,
    }
    status = 400 if bound or reasons or unconfirmed else 200
    return render(request, "web/objective/close.html", context, status=status)


# What the confirmation box of each irreversible step says when left unticked.
CONFIRMATIONS = {
    "close": "Tick “I understand” to close the cycle; nothing was closed.",
    "reopen": "Tick “I understand” to reopen the cycle; nothing was reopened.",
}


def close_now(request: HttpRequest, cycle: Cycle) -> HttpResponse:
    services.cycle_close(cycle=cycle)
    messages.success(request, f"{cycle.name} is closed; its scores are frozen.")
    return redirect("cycle_close", ref=cycle.ref)


def reopen_now(request: HttpRequest, cycle: Cycle) -> HttpResponse:
    if not cycle.is_closed:
        messages.info(request, f"{cycle.name} is not closed.")
    else:
        services.cycle_reopen(cycle=cycle)
        messages.success(request, f"{cycle.name} is open again; its numbers follow check-ins.")
    return redirect("cycle_overview", ref=cycle.ref)


def same_page(request: HttpRequest, cycle: Cycle) -> str:
    """The close page with the page and team filter of the request (the forms post to it)."""
    kept = {key: request.GET[key] for key in ("page", "team") if request.GET.get(key)}
    query = f"?{urlencode(kept)}" if kept else ""
    return reverse("cycle_close", args=[cycle.ref]) + query


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
            return redirect(same_page(request, cycle) + f"#o{objective.pk}")
    return {objective.pk: form}


def save_miss_reason(
    request: HttpRequest, cycle: Cycle
) -> HttpResponseRedirect | tuple[int, dict[int, MissReasonForm]]:
    """Save why one missed key result was missed; its objective and bound form on error."""
    raw_id = request.POST.get("key_result", "").strip()
    visible = selectors.objectives_visible_to(person(request)).filter(cycle=cycle)
    kr = get_object_or_404(
        KeyResult.objects.filter(objective__in=visible).select_related("objective"),
        pk=int(raw_id) if raw_id.isdigit() else 0,
    )
    form = MissReasonForm(request.POST, prefix=f"k{kr.pk}")
    if form.is_valid():
        try:
            services.key_result_set_miss_reason(key_result=kr, **form.cleaned_data)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, f"Saved why “{kr.title}” was missed.")
            return redirect(same_page(request, cycle) + f"#o{kr.objective_id}")
    return kr.objective_id, {kr.pk: form}
