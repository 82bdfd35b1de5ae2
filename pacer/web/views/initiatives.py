"""The initiative page and its changes: new, edit and delete an initiative, status updates,
and its tasks (add, tick, edit, move up or down, delete).

Reads go through `initiatives_visible_to` (a hidden initiative is a 404, never a 403);
changes ask `permissions.can_change_initiative` (others get a 403), a tick
`can_tick_task` (the assignee too). One service each decides what is valid and refuses a
closed cycle; a `DomainError` becomes form errors (400, nothing written). Ticking and
moving a task answer htmx with the tasks section alone (`partials/initiatives/_tasks.html`);
without JavaScript every form posts and comes back to the page.
"""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from pacer.accounts.models import User
from pacer.initiatives import services
from pacer.initiatives.models import Initiative, Task
from pacer.initiatives.services import InitiativeSpec
from pacer.okrs import permissions
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Cycle, Team
from pacer.web.forms import (
    ConfirmForm,
    InitiativeForm,
    StatusUpdateForm,
    TaskForm,
    TaskMoveForm,
    show_problems,
    without_errors,
)
from pacer.web.htmx import wants_fragment
from pacer.web.selectors import cycles_of
from pacer.web.selectors import work as selectors

PAGE = "web/initiatives/detail.html"
TASKS = "web/partials/initiatives/_tasks.html"


def person(request: HttpRequest) -> User:
    """The signed-in person (every view here requires sign-in)."""
    return cast(User, request.user)


def visible_initiative(user: User, ref: str) -> Initiative:
    """The initiative `ref` if `user` may see it; a 404 otherwise."""
    return get_object_or_404(selectors.initiatives_for_page(user), ref=ref)


def changeable_initiative(user: User, ref: str) -> Initiative:
    """The initiative `ref` if `user` may change it: 404 if hidden, 403 if only visible."""
    initiative = visible_initiative(user, ref)
    if not permissions.can_change_initiative(user, initiative):
        raise PermissionDenied("Its owner, its team and the goals' editors change this work.")
    return initiative


def visible_task(user: User, ref: str, task_id: int) -> tuple[Initiative, Task]:
    initiative = visible_initiative(user, ref)
    task = get_object_or_404(initiative.tasks.all(), pk=task_id)
    task.initiative = initiative  # loaded with its cycle: no query again
    return initiative, task


def safe_next(value: object) -> str:
    """A `next` the form sent, if it is a path of this site ('' otherwise)."""
    target = str(value or "")
    local = target.startswith("/") and url_has_allowed_host_and_scheme(target, None)
    return target if local and target.isprintable() else ""


def refusal(error: DomainError) -> str:
    return "; ".join(message for _, message in error.problems)


def people(user: User, *current: User | None) -> QuerySet[User]:
    """Whom work may be given to: the active people of the organization (and whoever holds
    it now, if no longer active)."""
    found = permissions.active_people(user)
    for someone in current:
        if someone is not None:
            found = found | User.objects.filter(pk=someone.pk)
    return found.order_by("name", "email")


# --- The page ----------------------------------------------------------------------------


def page_context(
    user: User,
    initiative: Initiative,
    *,
    task_form: TaskForm | None = None,
    status_form: StatusUpdateForm | None = None,
    tasks_error: str = "",
) -> dict[str, Any]:
    detail = selectors.initiative_detail(user, initiative, on=timezone.localdate())
    if detail.writable:
        task_form = task_form or TaskForm(prefix="task", people=people(user))
        status_form = status_form or StatusUpdateForm(initial={"status": initiative.status})
    return {
        "detail": detail,
        "initiative": initiative,
        "task_form": task_form if detail.writable else None,
        "status_form": status_form if detail.writable else None,
        "tasks_error": tasks_error,
    }


def render_page(
    request: HttpRequest, initiative: Initiative, status: int = 200, **forms: Any
) -> HttpResponse:
    context = page_context(person(request), initiative, **forms)
    return render(request, PAGE, context, status=status)


@login_required
def initiative_detail(request: HttpRequest, ref: str) -> HttpResponse:
    return render_page(request, visible_initiative(person(request), ref))


def back_to(initiative: Initiative, anchor: str = "") -> HttpResponse:
    return redirect(reverse("initiative_detail", args=[initiative.ref]) + anchor)


def after_task_change(
    request: HttpRequest, initiative: Initiative, *, error: str = ""
) -> HttpResponse:
    """htmx: the tasks section as it now stands; else back to where the form was (a safe
    `next`, such as My focus) or the page's tasks, the error as a message."""
    if not wants_fragment(request):
        if error:
            messages.error(request, error)
        if target := safe_next(request.POST.get("next")):
            return redirect(target)
        return back_to(initiative, "#tasks")
    initiative = visible_initiative(person(request), initiative.ref)  # fresh progress
    response = render(request, TASKS, page_context(person(request), initiative, tasks_error=error))
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- New, edit, delete -------------------------------------------------------------------


def initiative_form(
    user: User,
    cycle: Cycle,
    data: QueryDict | None,
    *,
    initial: dict[str, Any],
    current: Initiative | None = None,
) -> InitiativeForm:
    teams = permissions.teams_to_file_under(user)
    if current is not None and current.team_id is not None:
        teams = teams | Team.objects.filter(pk=current.team_id)
    return InitiativeForm(
        data,
        initial=initial,
        owners=people(user, current.owner if current else None),
        teams=teams.order_by("name"),
        key_results=selectors.key_results_to_support(user, cycle),
    )


def new_initial(user: User, params: QueryDict) -> dict[str, Any]:
    """You own it; the key results and team the link came from are chosen."""
    chosen = [v for v in params.getlist("key_result") if v.isdigit()]
    ref = params.get("team", "").replace("\x00", "")  # PostgreSQL refuses a NUL: a 500
    team = permissions.teams_to_file_under(user).filter(ref=ref).first() if ref else None
    return {"owner": user.pk, "key_results": chosen, "team": team}


def edit_initial(initiative: Initiative) -> dict[str, Any]:
    names = ("title", "description", "owner", "team", "status", "start", "due")
    initial = {name: getattr(initiative, name) for name in names}
    initial["key_results"] = [kr.pk for kr in initiative.key_results.all()]
    initial["link"] = initiative.link_url
    return initial


def only_refreshing(data: QueryDict | None) -> bool:
    """A picker's Find without JavaScript: show the form again, save nothing."""
    return data is not None and "refresh" in data


@login_required
def initiative_new(request: HttpRequest, ref: str) -> HttpResponse:
    """A new initiative in the cycle `ref` (from the Work page, or a key result's "Add
    initiative", which chooses that key result)."""
    user = person(request)
    cycle = get_object_or_404(cycles_of(user), ref=ref)
    data = request.POST if request.method == "POST" else None
    form = initiative_form(user, cycle, data, initial=new_initial(user, request.GET))
    if only_refreshing(data):
        without_errors(form)
    elif data is not None and form.is_valid():
        try:
            spec = InitiativeSpec(**form.spec_input())
            initiative = services.initiative_create(cycle=cycle, spec=spec, by=user)
        except DomainError as error:
            show_problems(form, error)
        except PermissionDenied as denied:
            form.add_error("team", str(denied))
        else:
            messages.success(request, f"Started “{initiative.title}”.")
            return back_to(initiative)
    status = 400 if data is not None and form.errors else 200
    context = {"form": form, "cycle": cycle, "creating": True}
    return render(request, "web/initiatives/form.html", context, status=status)


@login_required
def initiative_edit(request: HttpRequest, ref: str) -> HttpResponse:
    user = person(request)
    initiative = changeable_initiative(user, ref)
    data = request.POST if request.method == "POST" else None
    form = initiative_form(
        user, initiative.cycle, data, initial=edit_initial(initiative), current=initiative
    )
    if only_refreshing(data):
        without_errors(form)
    elif data is not None and form.is_valid():
        try:
            spec = InitiativeSpec(**form.spec_input())
            services.initiative_update(initiative=initiative, spec=spec, by=user)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, "Saved.")
            return back_to(initiative)
    status = 400 if data is not None and form.errors else 200
    context = {"form": form, "cycle": initiative.cycle, "initiative": initiative}
    return render(request, "web/initiatives/form.html", context, status=status)


@login_required
def initiative_delete(request: HttpRequest, ref: str) -> HttpResponse:
    """A confirmation page; the key results it supported are computed again without it."""
    user = person(request)
    initiative = changeable_initiative(user, ref)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        try:
            services.initiative_delete(initiative=initiative, by=user)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, f"Deleted “{initiative.title}”.")
            return redirect("cycle_work", ref=initiative.cycle.ref)
    status = 400 if form.is_bound else 200
    context = {"form": form, "initiative": initiative}
    return render(request, "web/initiatives/delete.html", context, status=status)


@login_required
@require_POST
def initiative_status(request: HttpRequest, ref: str) -> HttpResponse:
    """A status update: the status and a note; the list of updates shows it first."""
    user = person(request)
    initiative = changeable_initiative(user, ref)
    form = StatusUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.initiative_set_status(initiative=initiative, by=user, **form.cleaned_data)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, f"Status: {initiative.get_status_display()}.")
            return back_to(initiative, "#updates")
    return render_page(request, initiative, status=400, status_form=form)


@login_required
@require_POST
def initiative_carry_over(request: HttpRequest, ref: str) -> HttpResponse:
    """Copy unfinished work into the next cycle (from the close page or the initiative's
    page); back where the person came from, with what happened."""
    user = person(request)
    initiative = changeable_initiative(user, ref)
    back = safe_next(request.POST.get("next")) or reverse("initiative_detail", args=[ref])
    try:
        copy = services.initiative_carry_over(initiative=initiative, by=user)
    except DomainError as error:
        messages.error(request, f"“{initiative.title}” was not carried over: {refusal(error)}")
    else:
        messages.success(request, f"“{initiative.title}” is carried over to {copy.cycle.name}.")
    return redirect(back)


# --- Tasks -------------------------------------------------------------------------------


@login_required
@require_POST
def task_add(request: HttpRequest, ref: str) -> HttpResponse:
    user = person(request)
    initiative = changeable_initiative(user, ref)
    form = TaskForm(request.POST, prefix="task", people=people(user))
    # Enter in the title sends the form with the picker's Find (the first submit button):
    # only a Find with something to find is a refresh; otherwise the task is added.
    if only_refreshing(request.POST) and request.POST.get("task-assignee__q", "").strip():
        without_errors(form)
        return render_page(request, initiative, task_form=form)
    if form.is_valid():
        try:
            task = services.task_create(initiative=initiative, by=user, **form.cleaned_data)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, f"Added the task “{task.title}”.")
            return back_to(initiative, "#tasks")
    return render_page(request, initiative, status=400, task_form=form)


@login_required
@require_POST
def task_done(request: HttpRequest, ref: str, task_id: int) -> HttpResponse:
    """Tick a task done or not done (its assignee may, besides the initiative's editors)."""
    initiative, task = visible_task(person(request), ref, task_id)
    try:
        services.task_set_done(task=task, done=request.POST.get("done") == "1", by=person(request))
    except DomainError as error:
        return after_task_change(request, initiative, error=refusal(error))
    return after_task_change(request, initiative)


@login_required
def task_edit(request: HttpRequest, ref: str, task_id: int) -> HttpResponse:
    """A task's title, assignee and due date; errors at their fields, nothing written."""
    user = person(request)
    initiative = changeable_initiative(user, ref)
    task = get_object_or_404(initiative.tasks.select_related("assignee"), pk=task_id)
    task.initiative = initiative
    initial = {"title": task.title, "assignee": task.assignee_id, "due": task.due}
    data = request.POST if request.method == "POST" else None
    form = TaskForm(data, initial=initial, people=people(user, task.assignee))
    if only_refreshing(data):
        without_errors(form)
    elif data is not None and form.is_valid():
        try:
            services.task_update(task=task, by=user, **form.cleaned_data)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, f"Saved the task “{task.title}”.")
            return back_to(initiative, "#tasks")
    status = 400 if data is not None and form.errors else 200
    context = {"form": form, "initiative": initiative, "task": task}
    return render(request, "web/initiatives/task_form.html", context, status=status)


@login_required
@require_POST
def task_move(request: HttpRequest, ref: str, task_id: int) -> HttpResponse:
    """Move a task one place up or down; a refusal (the first up) is a message."""
    user = person(request)
    initiative = changeable_initiative(user, ref)
    task = get_object_or_404(initiative.tasks.all(), pk=task_id)
    task.initiative = initiative
    form = TaskMoveForm(request.POST)
    if not form.is_valid():
        return after_task_change(request, initiative, error="Choose up or down to move it.")
    try:
        services.task_move(task=task, offset=form.offset(), by=user)
    except DomainError as error:
        return after_task_change(
            request, initiative, error=f"“{task.title}” was not moved: {refusal(error)}."
        )
    return after_task_change(request, initiative)


@login_required
def task_delete(request: HttpRequest, ref: str, task_id: int) -> HttpResponse:
    """A confirmation page; the initiative's progress is computed again without it."""
    user = person(request)
    initiative = changeable_initiative(user, ref)
    task = get_object_or_404(initiative.tasks.all(), pk=task_id)
    task.initiative = initiative
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        try:
            services.task_delete(task=task, by=user)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, f"Deleted the task “{task.title}”.")
            return back_to(initiative, "#tasks")
    status = 400 if form.is_bound else 200
    context = {"form": form, "initiative": initiative, "task": task}
    return render(request, "web/initiatives/task_delete.html", context, status=status)
