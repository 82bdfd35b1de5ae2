"""Webhooks in the admins' settings (/settings/webhooks/): list and add (the secret shown
once, on the page that answers the add), a webhook's page (events, active, its delivery log
with Redeliver), and delete with a confirmation. The rules are pacer.webhooks.services'."""

from typing import Any, cast
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pacer.accounts.models import User
from pacer.events.kinds import WEBHOOK_KINDS
from pacer.okrs.errors import DomainError
from pacer.webhooks import services
from pacer.webhooks.models import Webhook

LOG_LENGTH = 50
EVENT_HELP = {
    "checkin.created": "a check-in is recorded",
    "objective.status_changed": "an objective turns on track, at risk or off track",
    "objective.created": "an objective is created",
    "objective.updated": "an objective's title, owner, team or details change",
    "comment.created": "someone comments",
    "cycle.closed": "a cycle is closed",
}


def admin(request: HttpRequest) -> User:
    user = cast(User, request.user)
    services.require_admin(user)  # a 403 for members
    return user


def errors_of(error: DomainError) -> dict[str, str]:
    return {field: message for field, message in error.problems}


def event_choices(chosen: list[str]) -> list[dict[str, Any]]:
    return [{"name": k, "help": EVENT_HELP[k], "checked": k in chosen} for k in WEBHOOK_KINDS]


@login_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    by = admin(request)
    context: dict[str, Any] = {"url": "", "chosen": list(WEBHOOK_KINDS), "errors": {}}
    status = 200
    if request.method == "POST":
        url, chosen = request.POST.get("url", ""), request.POST.getlist("events")
        try:
            created = services.webhook_create(by=by, url=url, events=chosen)
        except DomainError as error:
            context |= {"url": url, "chosen": chosen, "errors": errors_of(error)}
            status = 422
        else:  # the only time the secret is shown: not a redirect, nothing in the session
            return render(request, "webhooks/created.html", {"created": created})
    context |= {
        "webhooks": services.webhooks_of(by),
        "events": event_choices(context["chosen"]),
    }
    return render(request, "webhooks/list.html", context, status=status)


@login_required
def webhook_detail(request: HttpRequest, webhook_id: int) -> HttpResponse:
    by = admin(request)
    webhook = services.webhook_of(by, webhook_id)
    errors: dict[str, str] = {}
    chosen = list(webhook.events)
    status = 200
    if request.method == "POST":
        chosen = request.POST.getlist("events")
        try:
            services.webhook_update(
                webhook, by=by, events=chosen, active=request.POST.get("active") == "on"
            )
        except DomainError as error:
            errors, status = errors_of(error), 422
            webhook.refresh_from_db()
        else:
            messages.success(request, "Saved the webhook.")
            return redirect("webhook_detail", webhook.pk)
    return render(
        request, "webhooks/detail.html", detail_context(webhook, chosen, errors), status=status
    )


def detail_context(webhook: Webhook, chosen: list[str], errors: dict[str, str]) -> dict[str, Any]:
    return {
        "webhook": webhook,
        "events": event_choices(chosen),
        "errors": errors,
        "deliveries": list(services.deliveries_of(webhook)[:LOG_LENGTH]),
        "log_length": LOG_LENGTH,
    }


@login_required
def webhook_delete(request: HttpRequest, webhook_id: int) -> HttpResponse:
    by = admin(request)
    webhook = services.webhook_of(by, webhook_id)
    if request.method == "POST":
        services.webhook_delete(webhook, by=by)
        messages.success(request, f"Deleted the webhook to {webhook.url_masked}.")
        return redirect("webhook_list")
    return render(request, "webhooks/delete.html", {"webhook": webhook})


@login_required
@require_POST
def redeliver(request: HttpRequest, webhook_id: int, delivery_id: UUID) -> HttpResponse:
    by = admin(request)
    delivery = services.delivery_of(services.webhook_of(by, webhook_id), str(delivery_id))
    services.redeliver(delivery, by=by)
    messages.success(request, f"Queued delivery {delivery.delivery_id} again.")
    return redirect(reverse("webhook_detail", args=[webhook_id]) + "#deliveries")
