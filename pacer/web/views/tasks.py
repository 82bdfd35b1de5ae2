"""The admins' Background tasks page: what the worker has queued, is running, has failed
and has finished, and Run again for a failed task."""

from typing import cast
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pacer.accounts.models import User
from pacer.jobs import overview, services
from pacer.okrs import permissions


def admin_of(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not permissions.can_see_background_tasks(user):
        raise PermissionDenied(
            "Only whoever runs this Pacer installation sees its background tasks."
        )
    return user


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    admin_of(request)
    page = overview.tasks_page(request.GET.get("state", "all"), request.GET.get("page"))
    states = [
        (state, overview.STATE_LABELS[state], page.counts[state]) for state in overview.STATES
    ]
    return render(request, "web/settings/tasks.html", {"tasks": page, "states": states})


@login_required
@require_POST
def run_again(request: HttpRequest, result_id: UUID) -> HttpResponse:
    admin_of(request)
    try:
        result = services.run_again(str(result_id))
    except services.CannotRunAgain as error:
        messages.error(request, str(error))
    else:
        name = result.task_path.rsplit(".", 1)[-1]
        messages.success(request, f"Queued {name} again.")
    return redirect(reverse("tasks") + "?state=failed")
