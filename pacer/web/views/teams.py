"""Managing teams (admins): create, rename, move, archive and restore; members and leads.

The teams list and a team's page are in `overview.py`; they link here. Every write goes
through `services.team_*` / `services.membership_*`, whose refusals become form errors
(or a message, for the buttons); a member who asks for any of these pages gets a 403.
"""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pacer.accounts.models import User
from pacer.okrs import permissions, services
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Membership, Organization, Team
from pacer.web import selectors
from pacer.web.forms import MemberForm, TeamForm, show_problems, without_errors

FORM = "web/teams/form.html"
EDIT = "web/teams/edit.html"


def admin_of(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not permissions.can_manage_teams(user, user.organization):
        raise PermissionDenied("Only organization admins manage teams.")
    return user


def team_or_404(admin: User, ref: str) -> Team:
    return get_object_or_404(
        Team.objects.select_related("parent"), organization_id=admin.organization_id, ref=ref
    )


def parent_choices(admin: User, team: Team | None = None) -> QuerySet[Team]:
    """Active teams a team may go under: not itself, not one of its own sub-teams."""
    teams = selectors.teams_of(admin).filter(archived_at__isnull=True).order_by("name")
    if team is None:
        return teams
    below = selectors.descendant_ids(team.pk, selectors.teams_of(admin).only("pk", "parent"))
    return teams.exclude(pk__in=[team.pk, *below])


def member_choices(team: Team) -> QuerySet[User]:
    """Active people of the organization who are not in the team yet."""
    return (
        User.objects.filter(organization_id=team.organization_id, is_active=True)
        .exclude(memberships__team=team)
        .order_by("name", "email")
    )


def edit_url(team: Team, anchor: str = "") -> str:
    return reverse("team_edit", args=[team.ref]) + (f"#{anchor}" if anchor else "")


@login_required
def team_new(request: HttpRequest) -> HttpResponse:
    admin = admin_of(request)
    data = request.POST if request.method == "POST" else None
    initial = {"parent": request.GET.get("parent")} if data is None else None
    form = TeamForm(data, parents=parent_choices(admin), initial=initial)
    if data is not None and "refresh" in data:  # a picker's Find: shown again, nothing saved
        without_errors(form)
        return render(request, FORM, {"form": form})
    if data is not None and form.is_valid():
        try:
            organization = cast(Organization, admin.organization)  # admin_of: not None
            team = services.team_create(organization=organization, by=admin, **form.cleaned_data)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, f"Created the team {team.name}. Add its members below.")
            return redirect(edit_url(team, "members"))
    return render(request, FORM, {"form": form}, status=400 if data else 200)


def render_edit(
    request: HttpRequest,
    team: Team,
    *,
    form: TeamForm | None = None,
    member_form: MemberForm | None = None,
    status: int = 200,
) -> HttpResponse:
    admin = cast(User, request.user)
    context: dict[str, Any] = {
        "team": team,
        "form": form
        or TeamForm(
            parents=parent_choices(admin, team),
            creating=False,
            initial={
                "name": team.name,
                "parent": team.parent_id,
                "checkin_cadence": team.checkin_cadence,
            },
        ),
        "member_form": member_form or MemberForm(people=member_choices(team)),
        "memberships": selectors.team_memberships(team),
    }
    return render(request, EDIT, context, status=status)


@login_required
def team_edit(request: HttpRequest, ref: str) -> HttpResponse:
    admin = admin_of(request)
    team = team_or_404(admin, ref)
    if request.method != "POST":
        return render_edit(request, team)
    form = TeamForm(request.POST, parents=parent_choices(admin, team), creating=False)
    if "refresh" in request.POST:  # a picker's Find: shown again, nothing saved
        without_errors(form)
        return render_edit(request, team, form=form)
    if form.is_valid():
        try:
            services.team_update(team=team, by=admin, **form.cleaned_data)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, f"Saved the team {form.cleaned_data['name'].strip()}.")
            return redirect("team_detail", ref=team.ref)
    return render_edit(request, team, form=form, status=400)


@login_required
@require_POST
def team_member_add(request: HttpRequest, ref: str) -> HttpResponse:
    admin = admin_of(request)
    team = team_or_404(admin, ref)
    form = MemberForm(request.POST, people=member_choices(team))
    if "refresh" in request.POST:  # the person picker's Find: shown again, nothing saved
        without_errors(form)
        return render_edit(request, team, member_form=form)
    if form.is_valid():
        person = form.cleaned_data["person"]
        try:
            services.membership_set(team=team, by=admin, **form.cleaned_data)
        except DomainError as error:
            show_problems(form, error)
        else:
            role = "lead" if form.cleaned_data["is_lead"] else "member"
            messages.success(request, f"{person} is now a {role} of {team.name}.")
            return redirect(edit_url(team, "members"))
    return render_edit(request, team, member_form=form, status=400)


def member_of(team: Team, person_id: int) -> User:
    membership = get_object_or_404(
        Membership.objects.select_related("person"), team=team, person_id=person_id
    )
    return membership.person


@login_required
@require_POST
def team_member_lead(request: HttpRequest, ref: str, person_id: int) -> HttpResponse:
    """Make a member lead the team (`is_lead=1`), or no longer lead it (`is_lead=0`)."""
    admin = admin_of(request)
    team = team_or_404(admin, ref)
    person = member_of(team, person_id)
    is_lead = request.POST.get("is_lead") == "1"
    done = f"{person} leads {team.name}." if is_lead else f"{person} no longer leads {team.name}."
    return act(request, team, done, services.membership_set, person=person, is_lead=is_lead)


@login_required
@require_POST
def team_member_remove(request: HttpRequest, ref: str, person_id: int) -> HttpResponse:
    admin = admin_of(request)
    team = team_or_404(admin, ref)
    person = member_of(team, person_id)
    return act(
        request, team, f"{person} left {team.name}.", services.membership_remove, person=person
    )


@login_required
@require_POST
def team_archive(request: HttpRequest, ref: str) -> HttpResponse:
    admin = admin_of(request)
    team = team_or_404(admin, ref)
    done = f"Archived {team.name}: it left the lists; its objectives and history stay."
    return act(request, team, done, services.team_archive, then="team_detail")


@login_required
@require_POST
def team_restore(request: HttpRequest, ref: str) -> HttpResponse:
    admin = admin_of(request)
    team = team_or_404(admin, ref)
    return act(request, team, f"Restored {team.name}.", services.team_restore, then="team_detail")


def act(
    request: HttpRequest,
    team: Team,
    done: str,
    service: Any,
    then: str = "members",
    **arguments: Any,
) -> HttpResponse:
    """Run a button's service; a refusal becomes a message on the page it came from."""
    try:
        service(team=team, by=request.user, **arguments)
    except DomainError as error:
        messages.error(request, sentence(error))
    else:
        messages.success(request, done)
    if then == "team_detail":
        return redirect("team_detail", ref=team.ref)
    return redirect(edit_url(team, then))


def sentence(error: DomainError) -> str:
    """A refusal as the message shown at the top of the page."""
    text = "; ".join(message for _, message in error.problems)
    return text[:1].upper() + text[1:] + "."
