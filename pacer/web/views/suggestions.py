"""Suggested parents on the objective form (docs/coach.md).

As the title, description, cycle, team or key results change, htmx posts the form to
`parent_suggestions`, which answers with the panel: the objectives the one being written
most likely supports (`coach.suggest.parent_suggestions`), each with the words it shares.
"Use as parent" posts the form to `parent_use`, which answers with the parents picker, that
objective chosen, and the panel again. Nothing is saved: the form's own button does that.
Without JavaScript the panel stays empty and the form works as before.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_POST

from pacer.accounts.models import User
from pacer.coach.suggest import parent_suggestions as suggestions_for
from pacer.okrs.models import Cycle, Objective, Team
from pacer.web.forms import MAX_KEY_RESULTS
from pacer.web.views.objective import editable_objective, person
from pacer.web.views.objective_edit import edit_form, objective_form, open_cycles

PANEL = "web/partials/objective/_parent_suggestions.html"
USED = "web/partials/objective/_parent_used.html"
MAX_ID_DIGITS = 18  # larger is no row's key (and int() refuses thousands of digits)


@dataclass(frozen=True)
class Draft:
    """The objective as the form holds it now; `objective` when editing one."""

    title: str
    description: str
    key_result_titles: list[str]
    cycle: Cycle
    team: Team | None
    chosen: set[int]  # the parents already picked
    objective: Objective | None = None


def an_id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= MAX_ID_DIGITS else None


def ids(values: list[str]) -> set[int]:
    return {pk for pk in map(an_id, values) if pk is not None}


def draft_from(user: User, data: QueryDict, objective: Objective | None) -> Draft | None:
    """What the form sent; None if its cycle is not one of the open cycles (a new objective's).
    An edited objective keeps its cycle and key results (the form shows neither)."""
    if objective is not None:
        cycle: Cycle | None = objective.cycle
        ordered = objective.key_results.order_by("position", "id")
        titles = list(ordered.values_list("title", flat=True))
    else:
        cycle_id = an_id(data.get("cycle", ""))
        cycle = open_cycles(user).filter(pk=cycle_id).first() if cycle_id else None
        titles = [data.get(f"key_results-{i}-title", "") for i in range(MAX_KEY_RESULTS)]
    if cycle is None:
        return None
    return Draft(
        title=data.get("title", ""),
        description=data.get("description", ""),
        key_result_titles=titles,
        cycle=cycle,
        team=team_from(user, data.get("team", "")),
        chosen=ids(data.getlist("parents")),
        objective=objective,
    )


def team_from(user: User, value: str) -> Team | None:
    """The form's team, if it is one of the person's organization (the team above it counts
    in the ranking)."""
    team_id = an_id(value)
    if team_id is None or user.organization_id is None:
        return None
    return Team.objects.filter(organization_id=user.organization_id, pk=team_id).first()


def edited(request: HttpRequest) -> Objective | None:
    """The objective of the edit form (`?objective=<ref>`): 404 if hidden, 403 if only
    visible; None on the new form."""
    ref = request.GET.get("objective", "").replace("\x00", "")
    return editable_objective(person(request), ref) if ref else None


def panel_context(user: User, draft: Draft) -> dict[str, Any]:
    found = suggestions_for(
        user,
        title=draft.title,
        description=draft.description,
        key_result_titles=draft.key_result_titles,
        cycle=draft.cycle,
        team=draft.team,
        exclude_ids=[draft.objective.pk] if draft.objective else [],
    )
    return {"suggestions": found, "chosen": draft.chosen, "objective": draft.objective}


@login_required
@require_POST
def parent_suggestions(request: HttpRequest) -> HttpResponse:
    """htmx: the panel for the form as sent (empty when nothing is alike)."""
    user = person(request)
    draft = draft_from(user, request.POST, edited(request))
    if draft is None:
        return HttpResponse("Choose one of the open cycles.", status=400)
    return render(request, PANEL, panel_context(user, draft))


@login_required
@require_POST
def parent_use(request: HttpRequest) -> HttpResponse:
    """htmx: the parents picker with `use_parent` chosen too, and the panel out of band."""
    user = person(request)
    objective = edited(request)
    parent = an_id(request.POST.get("use_parent", ""))
    if parent is None:
        return HttpResponse("Choose a suggested parent.", status=400)
    data = request.POST.copy()
    data.appendlist("parents", str(parent))
    draft = draft_from(user, data, objective)
    if draft is None:
        return HttpResponse("Choose one of the open cycles.", status=400)
    data.setlist("parents", [str(pk) for pk in sorted(draft.chosen)])  # the picker's int()
    form = edit_form(user, objective, data) if objective else objective_form(user, data)
    context = {**panel_context(user, draft), "picker": form["parents"]}
    return render(request, USED, context)
