"""The milestones of a `milestones` key result, edited from its edit page: add one, mark it
done, rename it or change its weight (a page of its own), move it up or down, and delete it
after a confirmation.

Marking done and moving also answer htmx with the milestones section alone (the progress in
it refreshed); without JavaScript they go back to the edit page.

Each view finds the key result through `editable_key_result` (404 if hidden, 403 if only
visible) and the milestone among its own; the services decide what is valid (and refuse a
closed cycle or an archived objective), and a `DomainError` becomes form errors.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from pacer.okrs import services
from pacer.okrs.errors import DomainError
from pacer.okrs.models import KeyResult, Milestone, Objective
from pacer.web.forms import (
    ConfirmForm,
    MilestoneEditForm,
    MilestoneForm,
    MilestoneMoveForm,
    show_problems,
)
from pacer.web.htmx import wants_fragment
from pacer.web.views.key_result_edit import editable_key_result, render_edit, status_of
from pacer.web.views.objective_edit import refuse_if_read_only


def editable_milestone(
    request: HttpRequest, ref: str, kr_ref: str, milestone_id: int
) -> tuple[Objective, KeyResult, Milestone]:
    """The objective `ref` (if the user may change it), its key result and the milestone."""
    objective, kr = editable_key_result(request, ref, kr_ref)
    milestone = get_object_or_404(kr.milestones.all(), pk=milestone_id)
    milestone.key_result = kr
    return objective, kr, milestone


def back_to(kr: KeyResult, objective: Objective) -> HttpResponse:
    return redirect("key_result_edit", ref=objective.ref, kr_ref=kr.ref)


def after_change(
    request: HttpRequest, objective: Objective, kr: KeyResult, *, error: str = ""
) -> HttpResponse:
    """htmx: the milestones section as it now stands; otherwise back to the edit page (the
    error, if any, as a message)."""
    if not wants_fragment(request):
        if error:
            messages.error(request, error)
        return back_to(kr, objective)
    kr.refresh_from_db()
    context = {
        "objective": objective,
        "kr": kr,
        "milestones": list(kr.milestones.order_by("position", "pk")),
        "milestone_form": MilestoneForm(prefix="milestone"),
        "milestones_error": error,
    }
    response = render(request, "web/objective/_milestones.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_POST
def milestone_add(request: HttpRequest, ref: str, kr_ref: str) -> HttpResponse:
    objective, kr = editable_key_result(request, ref, kr_ref)
    if refused := refuse_if_read_only(request, objective):
        return refused
    form = MilestoneForm(request.POST, prefix="milestone")
    if form.is_valid():
        try:
            milestone = services.milestone_create(
                key_result=kr, title=form.cleaned_data["title"], weight=form.cleaned_data["weight"]
            )
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, f"Added the milestone “{milestone.title}”.")
            return back_to(kr, objective)
    return render_edit(request, objective, kr, milestone_form=form, status=400)


@login_required
@require_POST
def milestone_done(request: HttpRequest, ref: str, kr_ref: str, milestone_id: int) -> HttpResponse:
    """Mark a milestone done or not done from the edit page, and come back to it."""
    objective, kr, milestone = editable_milestone(request, ref, kr_ref, milestone_id)
    try:
        services.milestone_set_done(milestone=milestone, done=request.POST.get("done") == "1")
    except DomainError as error:
        return after_change(request, objective, kr, error=str(error))
    return after_change(request, objective, kr)


@login_required
def milestone_edit(request: HttpRequest, ref: str, kr_ref: str, milestone_id: int) -> HttpResponse:
    """Rename a milestone or change its weight; errors at their fields, nothing written."""
    objective, kr, milestone = editable_milestone(request, ref, kr_ref, milestone_id)
    if refused := refuse_if_read_only(request, objective):
        return refused
    initial = {"title": milestone.title, "weight": milestone.weight_text}
    data = request.POST if request.method == "POST" else None
    form = MilestoneEditForm(data, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            services.milestone_update(
                milestone=milestone,
                title=form.cleaned_data["title"],
                weight=form.cleaned_data["weight"],
            )
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, f"Saved the milestone “{milestone.title}”.")
            return back_to(kr, objective)
    context = {"form": form, "objective": objective, "kr": kr, "milestone": milestone}
    return render(request, "web/objective/milestone_form.html", context, status=status_of(request))


@login_required
@require_POST
def milestone_move(request: HttpRequest, ref: str, kr_ref: str, milestone_id: int) -> HttpResponse:
    """Move a milestone one place up or down; a refusal (the first up) is a message."""
    objective, kr, milestone = editable_milestone(request, ref, kr_ref, milestone_id)
    form = MilestoneMoveForm(request.POST)
    if not form.is_valid():
        return after_change(request, objective, kr, error="Choose up or down to move it.")
    try:
        services.milestone_move(milestone=milestone, offset=form.offset())
    except DomainError as error:
        reasons = "; ".join(message for _, message in error.problems)
        return after_change(
            request, objective, kr, error=f"“{milestone.title}” was not moved: {reasons}."
        )
    return after_change(request, objective, kr)


@login_required
def milestone_delete(
    request: HttpRequest, ref: str, kr_ref: str, milestone_id: int
) -> HttpResponse:
    """A confirmation page; the key result's progress is computed again without it."""
    objective, kr, milestone = editable_milestone(request, ref, kr_ref, milestone_id)
    if refused := refuse_if_read_only(request, objective):
        return refused
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        try:
            services.milestone_delete(milestone=milestone)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, f"Deleted the milestone “{milestone.title}”.")
            return back_to(kr, objective)
    context = {"form": form, "objective": objective, "kr": kr, "milestone": milestone}
    return render(
        request, "web/objective/milestone_delete.html", context, status=status_of(request)
    )
