"""The organization's people: everyone sees the list (filtered by team and state); admins
invite, change a person's teams, role and time zone, send an invitation again, deactivate,
reactivate.

Writes go through `pacer.okrs.people`; a member who posts to an admin action gets a 403.
"""

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pacer.accounts.models import User
from pacer.okrs import permissions
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Membership, Team
from pacer.okrs.services import people
from pacer.web.forms import (
    InviteForm,
    PeopleFilterForm,
    PersonForm,
    show_problems,
    without_errors,
)


def person_of(request: HttpRequest) -> User:
    return cast(User, request.user)


def admin_of(request: HttpRequest) -> User:
    user = person_of(request)
    if not permissions.can_manage_people(user, user.organization):
        raise PermissionDenied("Only organization admins manage people.")
    return user


def people_of(user: User) -> QuerySet[User]:
    """The people of the user's organization with their teams, in two queries."""
    if user.organization_id is None:
        return User.objects.none()
    memberships = Membership.objects.select_related("team").order_by("team__name")
    return User.objects.filter(organization_id=user.organization_id).prefetch_related(
        Prefetch("memberships", queryset=memberships)
    )


def teams_of(user: User) -> QuerySet[Team]:
    if user.organization_id is None:
        return Team.objects.none()
    return Team.objects.filter(
        organization_id=user.organization_id, archived_at__isnull=True
    ).order_by("name")


INVITED = Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)
STATES = {
    "active": Q(is_active=True) & ~INVITED,
    "invited": Q(is_active=True) & INVITED,
    "deactivated": Q(is_active=False),
}


def filtered(people: QuerySet[User], filters: PeopleFilterForm) -> QuerySet[User]:
    """The people of the chosen team and state; an unknown choice filters nothing."""
    if not filters.is_valid():
        return people
    team, state = filters.cleaned_data["team"], filters.cleaned_data["state"]
    if team is not None:
        people = people.filter(memberships__team=team)
    if state:
        people = people.filter(STATES[state])
    return people


PAGE_SIZE = 50  # people a page; an organization of thousands pages through them
FILTERS = ("team", "state")


def one_person(people: QuerySet[User], person_id: str | None) -> QuerySet[User]:
    """Only the person `person_id` (a search result links there); anything else: everyone."""
    if person_id is None or not person_id.isdigit():
        return people
    return people.filter(pk=int(person_id))


def render_people(
    request: HttpRequest, form: InviteForm | None = None, status: int = 200
) -> HttpResponse:
    user = person_of(request)
    if form is None and permissions.can_manage_people(user, user.organization):
        form = InviteForm(teams=teams_of(user))
    chosen = {k: v for k, v in request.GET.items() if k in FILTERS}
    filters = PeopleFilterForm(chosen or None, teams=teams_of(user))
    people = one_person(filtered(people_of(user), filters), request.GET.get("person"))
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "people": page,  # the rows of this page
        "page": page,
        "form": form,
        "filters": filters,
        "filtered": filters.is_bound or "person" in request.GET,
    }
    return render(request, "web/people/list.html", context, status=status)


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    return render_people(request)


@login_required
def person_invite(request: HttpRequest) -> HttpResponse:
    admin = admin_of(request)
    if request.method != "POST":
        return render_people(request)
    form = InviteForm(request.POST, teams=teams_of(admin))
    if "refresh" in request.POST:  # the teams picker's Find: shown again, nothing saved
        without_errors(form)
        return render_people(request, form)
    if form.is_valid():
        try:
            person = people.person_invite(
                organization=admin.organization,  # type: ignore[arg-type]
                invited_by=admin,
                **form.cleaned_data,
            )
        except DomainError as error:
            show_problems(form, error)
        else:
            if person is not None:  # None: the address has an account elsewhere (a note went)
                send_invitation(request, person, admin)
            email = User.objects.normalize_email_address(form.cleaned_data["email"])
            messages.success(request, f"Invited {email}: an email is on its way to them.")
            return redirect("people")
    return render_people(request, form, status=400)


def send_invitation(request: HttpRequest, person: User, admin: User) -> None:
    path = reverse("password_reset_confirm", args=people.invitation_path_args(person))
    people.invitation_send(
        person=person, invited_by=admin, set_password_url=request.build_absolute_uri(path)
    )


def organization_person(admin: User, person_id: int) -> User:
    return get_object_or_404(User, pk=person_id, organization_id=admin.organization_id)


@login_required
@require_POST
def person_deactivate(request: HttpRequest, person_id: int) -> HttpResponse:
    done = "{person} is deactivated and can no longer sign in."
    return change_person(request, person_id, people.person_deactivate, done)


@login_required
@require_POST
def person_reactivate(request: HttpRequest, person_id: int) -> HttpResponse:
    return change_person(
        request, person_id, people.person_reactivate, "{person} can sign in again."
    )


def change_person(
    request: HttpRequest, person_id: int, action: Callable[..., object], done: str
) -> HttpResponse:
    """Run an admin's action on a person; a refusal becomes a message on the people page."""
    admin = admin_of(request)
    person = organization_person(admin, person_id)
    try:
        action(person=person, by=admin)
    except DomainError as error:
        messages.error(request, str(error).capitalize() + ".")
    else:
        messages.success(request, done.format(person=person))
    return redirect("people")


@login_required
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    """An admin changes a person's role, time zone and teams."""
    admin = admin_of(request)
    person = organization_person(admin, person_id)
    data = request.POST if request.method == "POST" else None
    initial = {
        "role": person.role,
        "time_zone": person.time_zone,
        "teams": [m.team_id for m in person.memberships.filter(team__archived_at__isnull=True)],
    }
    form = PersonForm(data, teams=teams_of(admin), initial=initial)
    if data is not None and "refresh" in data:  # the teams picker's Find: nothing saved
        without_errors(form)
        return render(request, "web/people/edit.html", {"person": person, "form": form})
    if data is not None and form.is_valid():
        try:
            people.person_update(person=person, by=admin, **form.cleaned_data)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, f"Saved the changes to {person}.")
            return redirect(reverse("people") + f"#person-{person.pk}")
    context = {"person": person, "form": form}
    return render(request, "web/people/edit.html", context, status=400 if data else 200)


@login_required
@require_POST
def person_resend_invitation(request: HttpRequest, person_id: int) -> HttpResponse:
    """Email the link to choose a password again (the first one works for a few days)."""
    admin = admin_of(request)
    person = organization_person(admin, person_id)
    path = reverse("password_reset_confirm", args=people.invitation_path_args(person))
    try:
        people.invitation_resend(
            person=person, by=admin, set_password_url=request.build_absolute_uri(path)
        )
    except DomainError as error:
        text = "; ".join(message for _, message in error.problems)
        messages.error(request, text[:1].upper() + text[1:] + ".")
    else:
        messages.success(request, f"Sent the invitation to {person.email} again.")
    return redirect(reverse("people") + f"#person-{person.pk}")
