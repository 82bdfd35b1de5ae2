"""Cycles, for organization admins: New cycle, edit (name, dates, planning or active),
delete an unused one, and Plan next cycle (pick or create the next one, copy unfinished
objectives with the key results the admin picks).

Everyone sees the cycles (views/overview.py); every page here answers a member with a 403.
Each view validates a form and calls one service; a refusal becomes form errors and a
400, with nothing written.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from pacer.accounts.models import User
from pacer.okrs import periods, permissions, rules, services
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Cycle, KeyResult, Objective
from pacer.web import paging, selectors
from pacer.web.forms import ConfirmForm, CycleForm, PlainForm, PlanNextForm

FORM = "web/cycles/form.html"


def admin_of(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not permissions.can_manage_cycles(user, user.organization):
        raise PermissionDenied("Only organization admins create, change and plan cycles.")
    return user


def admin_cycle(request: HttpRequest, ref: str) -> tuple[User, Cycle]:
    admin = admin_of(request)
    cycles = selectors.cycles_of(admin).select_related("organization")
    return admin, get_object_or_404(cycles, ref=ref)


def show_refusal(form: PlainForm, error: DomainError) -> None:
    """A refusal on a page whose form has few fields: problems of the form's fields go next
    to them, the others (cycle, archived, ...) to the top as they read."""
    for field, message in error.problems:
        form.add_error(field if field in form.fields else None, message)


def status_of(request: HttpRequest) -> int:
    """A form sent back with errors is a 400; the first view of it a 200."""
    return 400 if request.method == "POST" else 200


# --- New cycle, edit ---------------------------------------------------------------------


@login_required
def cycle_new(request: HttpRequest) -> HttpResponse:
    admin = admin_of(request)
    data = request.POST if request.method == "POST" else None
    form = CycleForm(data, initial=new_cycle_initial(admin))
    if data is not None and form.is_valid():
        try:
            cycle = services.cycle_create(organization=admin.organization, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"Created {cycle.name}.")
            return redirect("cycle_overview", ref=cycle.ref)
    return render(request, FORM, {"form": form, "creating": True}, status=status_of(request))


def new_cycle_initial(admin: User) -> dict[str, object]:
    """The calendar quarter after the organization's last cycle (or today's), in planning."""
    last_end = selectors.cycles_of(admin).order_by("-end").values_list("end", flat=True).first()
    day = selectors.today() if last_end is None else last_end + timedelta(days=1)
    start, end = periods.quarter_of(day)
    return {"name": periods.cycle_label(start, end)[1], "start": start, "end": end}


@login_required
def cycle_edit(request: HttpRequest, ref: str) -> HttpResponse:
    _, cycle = admin_cycle(request, ref)
    if cycle.is_closed:
        (_, reason), *_ = rules.read_only_problems(cycle_name=cycle.name, cycle_closed=True)
        messages.error(request, f"{reason[:1].upper()}{reason[1:]}.")
        return redirect("cycle_overview", ref=ref)
    data = request.POST if request.method == "POST" else None
    form = CycleForm(data, initial=edit_initial(cycle), editing=True)
    if data is not None and form.is_valid():
        try:
            services.cycle_update(cycle=cycle, **form.cleaned_data)
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"Saved {form.cleaned_data['name'].strip()}.")
            return redirect("cycle_overview", ref=ref)
    return render(request, FORM, {"form": form, "cycle": cycle}, status=status_of(request))


def edit_initial(cycle: Cycle) -> dict[str, object]:
    return {"name": cycle.name, "start": cycle.start, "end": cycle.end, "state": cycle.state}


# --- Delete ------------------------------------------------------------------------------


@login_required
def cycle_delete(request: HttpRequest, ref: str) -> HttpResponse:
    """A confirmation page; the service deletes only a cycle without objectives."""
    _, cycle = admin_cycle(request, ref)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        try:
            services.cycle_delete(cycle=cycle)
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"Deleted {cycle.name}.")
            return redirect("cycle_list")
    context = {"form": form, "cycle": cycle}
    return render(request, "web/cycles/delete.html", context, status=status_of(request))


# --- Plan next cycle ---------------------------------------------------------------------


@dataclass
class CarryRow:
    """One offered objective: ticked or not, and its key results, each ticked or not."""

    objective: Objective
    ticked: bool
    key_results: list[tuple[KeyResult, bool]]


@login_required
def cycle_plan_next(request: HttpRequest, ref: str) -> HttpResponse:
    """One page of the unfinished objectives at a time (`paging.plan_next_page`): the form
    copies the ticked ones of the page shown; "Plan <next>" then opens the next cycle, "Copy
    and show more" comes back here, where the copied ones are no longer offered."""
    admin, cycle = admin_cycle(request, ref)
    following = services.next_cycle_of(cycle)
    refused = rules.plan_next_problems(
        cycle_name=cycle.name,
        in_planning=cycle.state == Cycle.State.PLANNING,
        has_next=following is not None,
    )
    shown = None if refused else paging.plan_next_page(admin, cycle, following, request.GET)
    offered = [] if shown is None else shown.objectives
    form = PlanNextForm(request.POST if request.method == "POST" else None, offered=offered)
    if form.is_bound and not refused and form.is_valid():
        try:
            planned = services.cycle_plan_next(cycle=cycle, carry=form.carry())
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, planned_message(planned))
            if request.POST.get("then") == "more" and shown is not None:
                return redirect(reverse("cycle_plan_next", args=[cycle.ref]) + shown.query)
            return redirect("cycle_overview", ref=planned.cycle.ref)
    context: dict[str, Any] = {
        "cycle": cycle,
        "following": following,
        "refused": [message for _, message in refused],
        "form": form,
        "shown": shown,
        "rows": carry_rows(form),
    }
    return render(request, "web/cycles/plan_next.html", context, status=status_of(request))


def carry_rows(form: PlanNextForm) -> list[CarryRow]:
    objectives, key_results = form.ticked()
    return [
        CarryRow(
            objective=objective,
            ticked=objective.pk in objectives,
            key_results=[(kr, kr.pk in key_results) for kr in objective.key_results.all()],
        )
        for objective in form.offered
    ]


def planned_message(planned: services.PlannedCycle) -> str:
    copies = len(planned.copies)
    copied = f"copied {copies} objective{'s' if copies != 1 else ''}"
    if planned.created:
        return f"Created {planned.cycle.name} (planning) and {copied} into it."
    return f"{planned.cycle.name}: {copied} into it."
