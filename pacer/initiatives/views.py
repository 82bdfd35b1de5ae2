"""Trackers in the admins' settings (/settings/trackers/): list, add, change and delete
connections (the token never shown back), and an initiative's Sync now button. The rules
are pacer.initiatives.connections' and pacer.initiatives.sync's."""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pacer.accounts.models import User
from pacer.initiatives import connections, sync
from pacer.initiatives.models import TrackerConnection
from pacer.initiatives.selectors import initiatives_visible_to
from pacer.okrs.errors import DomainError

FIELDS = ("tracker", "base_url", "api_url")


def admin(request: HttpRequest) -> User:
    user = cast(User, request.user)
    connections.require_admin(user)  # a 403 for members
    return user


def submitted(request: HttpRequest) -> dict[str, Any]:
    """The form's values; a blank token keeps the stored one, the box removes it."""
    values: dict[str, Any] = {name: request.POST.get(name, "") for name in FIELDS}
    token = request.POST.get("token", "")
    values["token"] = "" if request.POST.get("forget_token") == "on" else (token or None)
    return values


def form_context(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    shown = {name: values.get(name, "") for name in FIELDS}  # never the token
    return {"values": shown, "errors": errors, "trackers": TrackerConnection.Tracker.choices}


@login_required
def tracker_list(request: HttpRequest) -> HttpResponse:
    by = admin(request)
    values: dict[str, Any] = {"tracker": "github", "base_url": "https://github.com"}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = submitted(request)
        try:
            added = connections.connection_set(by=by, **values)
        except DomainError as error:
            errors, status = dict(error.problems), 422
        else:
            messages.success(request, f"Connected {added}.")
            return redirect("tracker_list")
    context = form_context(values, errors) | {
        "connections": connections.connections_list(by),
        "interval": int(sync.interval().total_seconds() // 60),
    }
    return render(request, "initiatives/trackers.html", context, status=status)


@login_required
def tracker_edit(request: HttpRequest, connection_id: int) -> HttpResponse:
    by = admin(request)
    connection = connections.connection_of(by, connection_id)
    values: dict[str, Any] = {name: getattr(connection, name) for name in FIELDS}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = submitted(request)
        try:
            connections.connection_set(by=by, connection=connection, **values)
        except DomainError as error:
            errors, status = dict(error.problems), 422
            connection.refresh_from_db()
        else:
            messages.success(request, f"Saved {connection}.")
            return redirect("tracker_list")
    context = form_context(values, errors) | {"connection": connection}
    return render(request, "initiatives/tracker_edit.html", context, status=status)


@login_required
def tracker_delete(request: HttpRequest, connection_id: int) -> HttpResponse:
    by = admin(request)
    connection = connections.connection_of(by, connection_id)
    if request.method == "POST":
        connections.connection_delete(connection, by=by)
        messages.success(request, f"Removed {connection}.")
        return redirect("tracker_list")
    return render(request, "initiatives/tracker_delete.html", {"connection": connection})


@login_required
@require_POST
def sync_now(request: HttpRequest, ref: str) -> HttpResponse:
    """Sync the initiative's link at once and go back to its page (404 if hidden, 403 for
    those who may only see it)."""
    by = cast(User, request.user)
    initiative = get_object_or_404(initiatives_visible_to(by).select_related("cycle"), ref=ref)
    try:
        outcome = sync.sync_requested(initiative=initiative, by=by)
    except DomainError as error:
        messages.error(request, "; ".join(message for _, message in error.problems))
    else:
        if outcome.ok:
            messages.success(request, f"Synced: {outcome.message}.")
        else:
            messages.error(request, f"The sync failed: {outcome.message}")
    return redirect("initiative_detail", initiative.ref)
