"""The OKR coach in the web (docs/coach.md): live hints on the objective forms, and the
organization's lint rules (admins)."""

import re
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pacer.coach import config as lint_config
from pacer.coach import hints, services
from pacer.coach.forms import RuleSettingsForm
from pacer.okrs import permissions
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Organization
from pacer.web.forms import show_problems
from pacer.web.views.objective import editable_objective, person

HINTS = "web/partials/coach/_hints.html"
RULES_PAGE = "web/coach/rule_settings.html"
REF = re.compile(r"[-\w]{1,100}", re.ASCII)


@login_required
@require_POST
def objective_hints(request: HttpRequest) -> HttpResponse:
    """htmx: the coach's hints on the objective the form describes (`?objective=<ref>` when
    editing one). Advice only: saving never asks."""
    user = person(request)
    ref = request.GET.get("objective", "")
    if ref and not REF.fullmatch(ref):
        return HttpResponseBadRequest("No such objective.")
    findings = hints.objective_hints(
        user,
        request.POST,
        editing=editable_objective(user, ref) if ref else None,
        now=timezone.now(),
        zone=timezone.get_current_timezone(),
    )
    return render(request, HINTS, {"findings": findings})


@login_required
def lint_rule_settings(request: HttpRequest) -> HttpResponse:
    """Settings, Lint rules: each rule on or off, and its threshold (admins)."""
    user = person(request)
    if not permissions.can_change_settings(user, user.organization):
        raise PermissionDenied("Only organization admins change the lint rules.")
    organization = cast(Organization, user.organization)
    if request.method != "POST":
        current = lint_config.of_organization(organization.pk)
        form = RuleSettingsForm(initial=RuleSettingsForm.initial_of(current))
        return render(request, RULES_PAGE, {"form": form})
    form = RuleSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.save_rule_settings(organization=organization, choices=form.choices(), by=user)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, "Saved the lint rules.")
            return redirect("lint_rule_settings")
    return render(request, RULES_PAGE, {"form": form}, status=400)
