"""The Work page of a cycle: its initiatives by impact, filtered by team, owner, status and
overdue (GET parameters), as a list or as a board with a column per status.

A card of the board moves to another status with its own small form (a status select and a
Move button: the mouse and the keyboard alike, no dragging needed); the move is a status
update (`initiative_set_status`). With htmx the results are swapped in place, focus kept on
the moved card's button (same id); without JavaScript the form posts and comes back.
"""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from pacer.accounts.models import User
from pacer.initiatives import services
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Team
from pacer.web import timeline
from pacer.web.forms import BoardMoveForm
from pacer.web.htmx import render_page_or_fragment, wants_fragment
from pacer.web.selectors import cycles_of, default_cycle
from pacer.web.selectors import work as selectors
from pacer.web.views.initiatives import changeable_initiative, safe_next


def person(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def work_home(request: HttpRequest) -> HttpResponse:
    """The main navigation's Work: the current cycle's work (else the latest cycle's)."""
    cycle = default_cycle(person(request), on=timezone.localdate())
    if cycle is None:
        messages.info(request, "There is no cycle yet: work belongs to a cycle.")
        return redirect("cycle_list")
    return redirect("cycle_work", ref=cycle.ref)


@login_required
def cycle_work(request: HttpRequest, ref: str) -> HttpResponse:
    user, on = person(request), timezone.localdate()
    cycle = get_object_or_404(cycles_of(user), ref=ref)
    filters = selectors.parse_work_filters(request.GET)
    shown = selectors.cycle_initiatives(user, cycle, filters, on=on, page=request.GET.get("page"))
    work = shown.work
    context: dict[str, Any] = {
        "cycle": cycle,
        "filters": filters,
        "work": work,
        "page": shown.page,
        "columns": selectors.board_columns(work) if filters.board else [],
        "changeable": selectors.changeable_ids(user, [w.initiative for w in work])
        if filters.board and not cycle.is_closed
        else set(),
        "status_choices": selectors.STATUS_CHOICES,
        "here": request.get_full_path(),
    }
    if not wants_fragment(request):
        context["team_options"] = selectors.team_filter_options(cycle, filters.team)
        context["team"] = Team.objects.filter(
            organization_id=cycle.organization_id, ref=filters.team
        ).first()
    return render_page_or_fragment(
        request, "web/work/work.html", "web/partials/work/_results.html", context
    )


@login_required
def cycle_work_timeline(request: HttpRequest, ref: str) -> HttpResponse:
    """The Work page's page of work as bars from start to due across the cycle."""
    user, on = person(request), timezone.localdate()
    cycle = get_object_or_404(cycles_of(user), ref=ref)
    filters = selectors.parse_work_filters(request.GET)
    shown = selectors.cycle_timeline(user, cycle, filters, on=on, page=request.GET.get("page"))
    chart = timeline.timeline_chart(
        [row.bar for row in shown.rows],
        window_start=cycle.start,
        window_end=cycle.end,
        today=on,
        statuses=selectors.STATUS_CHOICES,
        title=f"Timeline of the work in {cycle.name}",
        dom_id="work-timeline",
    )
    context = {
        "cycle": cycle,
        "filters": filters,
        "rows": shown.rows,
        "page": shown.page,
        "chart": mark_safe(chart),  # built from dates and escaped text only
    }
    return render(request, "web/work/timeline.html", context)


@login_required
@require_POST
def initiative_move(request: HttpRequest, ref: str) -> HttpResponse:
    """A board card to another status; back to the board it came from."""
    user = person(request)
    initiative = changeable_initiative(user, ref)
    form = BoardMoveForm(request.POST)
    if form.is_valid():
        try:
            services.initiative_set_status(
                initiative=initiative, status=form.cleaned_data["status"], by=user
            )
        except (DomainError, PermissionDenied) as error:
            messages.error(request, f"“{initiative.title}” was not moved: {error}")
        else:
            if not wants_fragment(request):
                label = initiative.get_status_display()
                messages.success(request, f"Moved “{initiative.title}” to {label}.")
    else:
        problems = "; ".join(f"{name}: {' '.join(map(str, e))}" for name, e in form.errors.items())
        messages.error(request, f"“{initiative.title}” was not moved: {problems}")
    if target := safe_next(form.data.get("next")):
        return redirect(target)
    return redirect(reverse("cycle_work", args=[initiative.cycle.ref]) + "?view=board")
