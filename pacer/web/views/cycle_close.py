"""Closing a cycle, for organization admins: each objective's computed score, colour and
success by kind, an override with its reason and the close-out notes; then close."""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from pacer.accounts.models import User
from pacer.okrs import permissions, selectors, services
from pacer.okrs import progress as engine
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Cycle, KeyResult, Objective
from pacer.web import paging
from pacer.web.forms import RetrospectiveForm, show_problems
from pacer.web.selectors import today
from pacer.web.views.objective import person, retrospective_initial


@dataclass
class ScoredObjective:
    """An objective on the close page. Each number carries the colour of its own value: the
    computed score its own, the final score (the override, else the computed) its own."""

    objective: Objective
    key_results: list[tuple[KeyResult, str]]
    computed: Decimal
    computed_color: str
    final: Decimal
    final_color: str
    succeeded: bool
    # Only the objective opened (`?open=<id>`) or sent back with errors carries its form:
    # 25 forms took about half of the page's time (issue 11).
    form: RetrospectiveForm | None


def scored(
    objective: Objective, form: RetrospectiveForm | None, opened: bool = False
) -> ScoredObjective:
    frozen = objective.final_score
    computed = frozen if frozen is not None else engine.score(objective.progress)
    return ScoredObjective(
        objective=objective,
        key_results=[(kr, engine.color(kr.score)) for kr in objective.key_results.all()],
        computed=computed,
        computed_color=engine.color(computed),
        final=objective.score,
        final_color=engine.color(objective.score),
        succeeded=engine.succeeded(objective.kind, objective.score),
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
    unconfirmed = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action in CONFIRMATIONS:
            if request.POST.get("confirm") == "yes":
                return (close_now if action == "close" else reopen_now)(request, cycle)
            unconfirmed = CONFIRMATIONS[action]
        else:
            saved = save_retrospective(request, cycle)
            if isinstance(saved, HttpResponseRedirect):
                return saved
            bound = saved
    shown = paging.close_page(user, cycle, request.GET)
    raw_open = request.GET.get("open", "")
    opened = int(raw_open) if raw_open.isdigit() else None
    context = {
        "cycle": cycle,
        "shown": shown,
        "rows": [scored(o, bound.get(o.pk), o.pk == opened) for o in shown.objectives],
        "freezes": paging.freeze_counts(cycle),
        "ends_later": today() < cycle.end,
        "unconfirmed": unconfirmed,
    }
    status = 400 if bound or unconfirmed else 200
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
