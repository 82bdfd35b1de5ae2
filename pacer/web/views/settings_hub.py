"""The Settings page: one place that links every setting a person (or an admin) has."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pacer.okrs import permissions


@login_required
def settings_index(request: HttpRequest) -> HttpResponse:
    tasks = permissions.can_see_background_tasks(request.user)  # type: ignore[arg-type]
    return render(request, "web/settings/index.html", {"sees_tasks": tasks})
