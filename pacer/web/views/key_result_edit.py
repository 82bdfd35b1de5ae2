"""Editing one key result: its definition and deleting it (after a confirmation); its
milestones are edited by views/milestones.py, on this page.

Each view finds the objective through `editable_objective` (404 if hidden, 403 if only
visible) and the key result among its own; the services decide what is valid, and a
`DomainError` becomes form errors on the fields it names, with what was typed kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from pacer.okrs import services
from pacer.okrs.errors import DomainError
from pacer.okrs.models import KeyResult, Objective
from pacer.web.forms import (
    ConfirmForm,
    KeyResultBaseFormSet,
    KeyResultEditForm,
    MilestoneForm,
    show_problems,
    without_errors,
)
from pacer.web.views.objective import editable_objective, person
from pacer.web.views.objective_edit import (
    key_result_choices,
    only_refreshing,
    refuse_if_read_only,
    show_key_result_problems,
)

EDITED = (
    "title", "type", "unit", "start", "target", "threshold", "low", "high", "weight", "due",
    "description", "owner", "linked_objective",
)  # fmt: skip


def editable_key_result(request: HttpRequest, ref: str, kr_ref: str) -> tuple[Objective, KeyResult]:
    """The objective `ref` (if the user may change it) and its key result `kr_ref`."""
    objective = editable_objective(person(request), ref)
    kr = get_object_or_404(objective.key_results.all(), ref=kr_ref.replace("\x00", ""))
    return objective, kr


def status_of(request: HttpRequest) -> int:
    return 400 if request.method == "POST" else 200


@login_required
def key_result_edit(request: HttpRequest, ref: str, kr_ref: str) -> HttpResponse:
    objective, kr = editable_key_result(request, ref, kr_ref)
    if refused := refuse_if_read_only(request, objective):
        return refused
    data = request.POST if request.method == "POST" else None
    form = definition_form(request, kr, data)
    if only_refreshing(data):  # "Update fields" without JavaScript: nothing is saved
        without_errors(form)
        return render_edit(request, objective, kr, form=form)
    if data is not None and form.is_valid():
        row = KeyResultBaseFormSet.spec_input(dict(form.cleaned_data))
        try:
            spec = services.key_result_spec(kr, **row)
            services.key_result_update(key_result=kr, spec=spec)
        except DomainError as error:
            show_key_result_problems(form, error)
        else:
            messages.success(request, f"Saved the key result “{spec.title.strip()}”.")
            return redirect(reverse("objective_detail", args=[ref]) + f"#kr-{kr.pk}")
    return render_edit(request, objective, kr, form=form, status=status_of(request))


def definition_form(
    request: HttpRequest, kr: KeyResult, data: QueryDict | None = None
) -> KeyResultEditForm:
    """The key result's definition as stored; owner and linked objective among the choices
    of `key_result_choices`."""
    choices = key_result_choices(person(request))
    choices["initial"] = {name: getattr(kr, name) for name in EDITED}
    return KeyResultEditForm(data, **choices)  # type: ignore[arg-type]


def render_edit(
    request: HttpRequest,
    objective: Objective,
    kr: KeyResult,
    *,
    form: KeyResultEditForm | None = None,
    milestone_form: MilestoneForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "objective": objective,
        "kr": kr,
        "form": form or definition_form(request, kr),
        "milestone_form": milestone_form or MilestoneForm(prefix="milestone"),
        "milestones": list(kr.milestones.order_by("position", "pk")),
    }
    return render(request, "web/objective/key_result_form.html", context, status=status)


@login_required
def key_result_delete(request: HttpRequest, ref: str, kr_ref: str) -> HttpResponse:
    """A confirmation page; the key result goes with its check-ins and milestones."""
    objective, kr = editable_key_result(request, ref, kr_ref)
    if refused := refuse_if_read_only(request, objective):
        return refused
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        try:
            services.key_result_delete(key_result=kr)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, f"Deleted the key result “{kr.title}”.")
            return redirect("objective_detail", ref=ref)
    context = {"form": form, "objective": objective, "kr": kr, "checkins": kr.checkins.count()}
    return render(
        request, "web/objective/key_result_delete.html", context, status=status_of(request)
    )
