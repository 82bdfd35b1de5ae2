"""Settings, Check-in rhythm (/settings/organization/): admins choose the cadence and when
reminders go out."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pacer.accounts.models import User
from pacer.okrs import permissions, services
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Organization
from pacer.reminders.forms import RhythmForm
from pacer.web.forms import show_problems

PAGE = "reminders/rhythm.html"


@login_required
def rhythm(request: HttpRequest) -> HttpResponse:
    person = cast(User, request.user)
    if not permissions.can_change_settings(person, person.organization):
        raise PermissionDenied("Only organization admins change the check-in rhythm.")
    organization = cast(Organization, person.organization)
    if request.method != "POST":
        initial = {
            "checkin_cadence": organization.checkin_cadence,
            "reminder_weekday": organization.reminder_weekday,
            "reminder_time": organization.reminder_time,
        }
        return render(request, PAGE, {"form": RhythmForm(initial=initial)})
    form = RhythmForm(request.POST)
    if form.is_valid():
        try:
            services.organization_rhythm_update(organization=organization, **form.cleaned_data)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, "Saved the check-in rhythm.")
            return redirect("organization_rhythm")
    return render(request, PAGE, {"form": form}, status=400)
