"""The inbox, the notification preferences, and Follow / Unfollow buttons."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from pacer.accounts.models import User
from pacer.notifications import follows, kinds, preferences, selectors
from pacer.okrs import selectors as okr_selectors
from pacer.okrs.models import Objective, Team
from pacer.web.htmx import wants_fragment


def person(request: HttpRequest) -> User:
    return cast(User, request.user)


def page_number(request: HttpRequest) -> int:
    """?page=N; anything else is the first page."""
    text = request.GET.get("page", "1")
    return int(text) if text.isdigit() and 0 < len(text) < 7 else 1


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    number = page_number(request)
    rows, more = selectors.inbox_page(person(request), number)
    context = {"notifications": rows, "page": number, "more": more}
    return render(request, "notifications/inbox.html", context)


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = selectors.inbox(person(request)).filter(read_at=None).update(read_at=timezone.now())
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("notifications")


@login_required
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark it read and go where it points (a path in Pacer; anything else: the inbox)."""
    found = get_object_or_404(selectors.inbox(person(request)), pk=notification_id)
    if found.read_at is None:
        found.read_at = timezone.now()
        found.save(update_fields=["read_at"])
    local = found.url.startswith("/") and url_has_allowed_host_and_scheme(found.url, None)
    return redirect(found.url if local else "notifications")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    me = person(request)
    if request.method == "POST":
        on = [
            (kind, channel)
            for kind, channel in preferences.ALL
            if request.POST.get(f"{kind}:{channel}")
        ]
        preferences.save(me, on)
        messages.success(request, "Your notification choices are saved.")
        return redirect("notification_settings")
    current = preferences.chosen(me)
    grid = [
        (
            kind,
            kinds.LABELS[kind],
            [
                (channel, kinds.CHANNEL_LABELS[channel], current[kind, channel])
                for channel in kinds.CHANNELS
            ],
        )
        for kind in kinds.KINDS
    ]
    context = {
        "grid": grid,
        "channels": [kinds.CHANNEL_LABELS[c] for c in kinds.CHANNELS],
        "follows": list(follows.followed_by(me)),
    }
    return render(request, "notifications/settings.html", context)


# --- Follow / Unfollow ------------------------------------------------------------------


def visible_objective(user: User, ref: str) -> Objective:
    return get_object_or_404(okr_selectors.objectives_visible_to(user), ref=ref)


def team_of(user: User, ref: str) -> Team:
    if user.organization_id is None:
        raise Http404("No such team.")
    return get_object_or_404(Team, organization_id=user.organization_id, ref=ref)


def answer(
    request: HttpRequest, thing: Objective | Team, following: bool, back: str
) -> HttpResponse:
    """htmx: the button, swapped in place; otherwise back to where it was pressed."""
    if wants_fragment(request):
        context = {"thing": thing, "following": following, "kind": kind_of(thing)}
        return render(request, "notifications/_follow.html", context)
    done = "Following" if following else "No longer following"
    messages.success(
        request, f"{done} {thing.title if isinstance(thing, Objective) else thing.name}."
    )
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, None):
        return redirect(target)
    return redirect(back)


def kind_of(thing: Objective | Team) -> str:
    return "objective" if isinstance(thing, Objective) else "team"


@login_required
@require_POST
def objective_follow(request: HttpRequest, ref: str, on: bool) -> HttpResponse:
    objective = visible_objective(person(request), ref)
    if on:
        follows.follow(person(request), objective=objective)
    else:
        follows.unfollow(person(request), objective=objective)
    return answer(request, objective, on, f"/objectives/{objective.ref}/")


@login_required
@require_POST
def team_follow(request: HttpRequest, ref: str, on: bool) -> HttpResponse:
    team = team_of(person(request), ref)
    if on:
        follows.follow(person(request), team=team)
    else:
        follows.unfollow(person(request), team=team)
    return answer(request, team, on, f"/teams/{team.ref}/")
