"""A team's Slack and Teams channels in the web: one POST per button of the team page's
"Slack and Teams" section (admins). A refusal shows the section again with the field's
error; success goes back to the team page with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pacer.accounts.models import User
from pacer.messaging import services
from pacer.messaging.models import KIND_LABELS, TEAM_KINDS
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Team
from pacer.web.views.teams import admin_of, team_or_404

NOT_DONE = {"save": "Not saved", "remove": "Not removed", "test": "Not sent"}


@login_required
@require_POST
def team_channel(request: HttpRequest, ref: str, kind: str) -> HttpResponse:
    admin = admin_of(request)  # a 403 for members
    team = team_or_404(admin, ref)
    if kind not in TEAM_KINDS:
        raise Http404("No such channel.")
    action = request.POST.get("action", "save")
    try:
        done = act(team, kind, action, request.POST.get(f"{kind}_url", ""), admin)
    except DomainError as error:
        return refused(request, team, kind, action, error)
    messages.success(request, done)
    return redirect(reverse("team_detail", args=[team.ref]) + "#channels")


def act(team: Team, kind: str, action: str, url: str, admin: User) -> str:
    label = KIND_LABELS[kind]
    if action == "remove":
        removed = services.channel_remove(team=team, kind=kind, by=admin)
        return f"Removed {team.name}'s {label} channel." if removed else "There was none."
    if action == "test":
        return services.send_test(team=team, kind=kind, by=admin)
    services.channel_set(team=team, kind=kind, url=url, by=admin)
    return f"Saved {team.name}'s {label} channel."


def refused(
    request: HttpRequest, team: Team, kind: str, action: str, error: DomainError
) -> HttpResponse:
    label = KIND_LABELS[kind]
    message = "; ".join(m.removeprefix(f"{label} webhook URL: ") for _, m in error.problems)
    context = {
        "team": team,
        "channels": services.channels_of(team),
        "error": (kind, message),
        "label": label,
        "heading": f"{NOT_DONE.get(action, 'Not saved')}: please correct the following",
    }
    return render(request, "messaging/team_channels.html", context, status=422)
