"""The reminder's one-click link, and the Nudge buttons of "who has not checked in"."""

from typing import cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pacer.accounts.models import User
from pacer.okrs.errors import DomainError
from pacer.reminders import services
from pacer.reminders.links import BadLink, person_of_token
from pacer.web import selectors
from pacer.web.views.overview import cycle_or_404

BACKEND = "django.contrib.auth.backends.ModelBackend"


def reminder_link(request: HttpRequest, token: str) -> HttpResponse:
    """Sign the link's person in (if needed) and land on the weekly check-in. A bad,
    expired or someone else's link says so (never a 500) and signs nobody in."""
    try:
        person = person_of_token(token, now=timezone.now())
    except BadLink as problem:
        return render(request, "reminders/link_problem.html", {"problem": problem}, status=400)
    if request.user.is_authenticated and request.user.pk != person.pk:
        other = (
            "This link is for another person. Sign out first to use it, or go to your own "
            "weekly check-in."
        )
        return render(request, "reminders/link_problem.html", {"problem": other}, status=403)
    if not request.user.is_authenticated:
        login(request, person, backend=BACKEND)
    return redirect("checkin_week")


@login_required
@require_POST
def nudge(request: HttpRequest, ref: str) -> HttpResponse:
    """Nudge one person (`person`, an id) or everyone listed (`all`): once a day each."""
    actor = cast(User, request.user)
    if not selectors.may_chase(actor):
        raise PermissionDenied("Only team leads and admins nudge people.")
    cycle = cycle_or_404(actor, ref)
    now = timezone.now()
    rows = selectors.missing_checkins(actor, cycle, now=now)
    chosen = request.POST.get("person", "")
    people = [r.person for r in rows if "all" in request.POST or str(r.person.pk) == chosen]
    if not people:
        messages.error(request, "person: choose someone listed on this page to nudge.")
    nudged, refused = [], []
    for person in people:
        try:
            services.nudge(actor=actor, person=person, now=now)
            nudged.append(str(person))
        except DomainError as error:
            refused.append(error.problems[0][1])
    if nudged:
        messages.success(request, f"Nudged {', '.join(nudged)}.")
    for message in refused:
        messages.warning(request, message)
    return redirect(reverse("missing_checkins", args=[cycle.ref]))
