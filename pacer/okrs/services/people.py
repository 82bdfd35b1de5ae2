"""Writes about people: invite, deactivate, reactivate, change their teams, role and time
zone, send an invitation again.

The same conventions as every service hold (`<thing>_<action>`, keyword-only,
atomic, DomainError naming the field). People are deactivated, never deleted, so history
keeps its authors; a deactivated person cannot sign in (Django's backend refuses them).
"""

from collections.abc import Sequence

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from pacer.accounts.access import end_access
from pacer.accounts.models import User
from pacer.okrs import history, permissions, rules
from pacer.okrs.errors import DomainError, raise_if
from pacer.okrs.models import Membership, Organization, Team
from pacer.okrs.rules import Problem


def _require_admin(person: User, organization: Organization) -> None:
    if not permissions.can_manage_people(person, organization):
        raise DomainError("only an admin of the organization manages its people")


def _invite_problems(
    *, organization: Organization, email: str, teams: Sequence[Team]
) -> list[Problem]:
    problems: list[Problem] = []
    if not email:
        problems.append(("email", "is required"))
    elif User.objects.filter(email__iexact=email, organization=organization).exists():
        problems.append(("email", f"{email} is already a person of this organization"))
    return problems + _teams_problems(organization, teams)


def _teams_problems(organization: Organization, teams: Sequence[Team]) -> list[Problem]:
    if any(team.organization_id != organization.pk for team in teams):
        return [("teams", "every team must belong to the organization")]
    archived = sorted(team.name for team in teams if team.archived_at is not None)
    if archived:
        return [("teams", f"archived teams take no new members: {', '.join(archived)}")]
    return []


@transaction.atomic
def person_invite(
    *,
    organization: Organization,
    email: str,
    name: str,
    admin: bool,
    teams: Sequence[Team],
    invited_by: User,
) -> User | None:
    """A new person of `organization`, without a usable password until they choose one;
    send the invitation with `invitation_send` once this has returned.

    An email is one account, in one organization (it is the sign-in name). If it has an
    account in another organization, nothing is created and None comes back: the edges
    answer exactly as for a new person, and the account holder gets a note instead of an
    invitation, so the answer does not tell an admin which addresses have accounts
    elsewhere (docs/security.md, "People and invitations", also for what it leaves).
    """
    _require_admin(invited_by, organization)
    email = User.objects.normalize_email_address(email)
    raise_if(_invite_problems(organization=organization, email=email, teams=teams))
    elsewhere = User.objects.filter(email__iexact=email).first()
    if elsewhere is not None:
        _tell_account_holder(elsewhere, organization=organization, invited_by=invited_by)
        return None
    person = User.objects.create_user(
        email,
        password=None,  # unusable: the invitation link sets it
        name=name.strip(),
        organization=organization,
        role=User.Role.ADMIN if admin else User.Role.MEMBER,
    )
    history.log_created(
        Membership.objects.bulk_create(Membership(team=team, person=person) for team in teams)
    )
    return person


def _tell_account_holder(person: User, *, organization: Organization, invited_by: User) -> None:
    """Mail the holder of an account elsewhere that `invited_by` tried to invite them."""
    body = (
        f"Hello {person.get_short_name()},\n\n"
        f"{invited_by.get_full_name()} invited {person.email} to {organization} on Pacer.\n"
        "This address already has a Pacer account, and an address belongs to one "
        "organization, so nothing changed: your account stays as it is.\n"
        f"To join {organization}, ask them to invite another address of yours.\n"
    )
    send_mail(
        subject=f"You are invited to {organization} on Pacer",
        message=body,
        from_email=None,  # DEFAULT_FROM_EMAIL
        recipient_list=[person.email],
    )


def invitation_path_args(person: User) -> tuple[str, str]:
    """The `uidb64` and `token` of the `password_reset_confirm` URL for `person`.

    The token is Django's password-reset token: it stops working once a password is set
    and after PASSWORD_RESET_TIMEOUT (three days by default).
    """
    return urlsafe_base64_encode(force_bytes(person.pk)), default_token_generator.make_token(person)


def invitation_send(*, person: User, invited_by: User, set_password_url: str) -> None:
    """Email `person` the link where they choose a password (the console by default)."""
    organization = person.organization
    body = (
        f"Hello {person.get_short_name()},\n\n"
        f"{invited_by.get_full_name()} invited you to {organization} on Pacer.\n"
        f"Choose your password here:\n\n{set_password_url}\n\n"
        f"Then sign in with {person.email}. The link works once and for a few days.\n"
    )
    send_mail(
        subject=f"You are invited to {organization} on Pacer",
        message=body,
        from_email=None,  # DEFAULT_FROM_EMAIL
        recipient_list=[person.email],
    )


@transaction.atomic
def person_deactivate(*, person: User, by: User) -> User:
    """Stop `person` from signing in; everything they wrote stays, with their name.

    Their sessions end and their API tokens are revoked: a reactivated person signs in
    again and makes new tokens."""
    if person.organization is None:
        raise DomainError("this person belongs to no organization")
    _require_admin(by, person.organization)
    if person.pk == by.pk:
        raise DomainError("you cannot deactivate yourself; ask another admin")
    if person.is_active:
        person.is_active = False
        person.save(update_fields=["is_active"])
    end_access(person)
    return person


@transaction.atomic
def person_reactivate(*, person: User, by: User) -> User:
    if person.organization is None:
        raise DomainError("this person belongs to no organization")
    _require_admin(by, person.organization)
    if not person.is_active:
        person.is_active = True
        person.save(update_fields=["is_active"])
    return person


def _organization_of(person: User) -> Organization:
    if person.organization is None:
        raise DomainError("this person belongs to no organization")
    return person.organization


@transaction.atomic
def person_update(
    *, person: User, role: str, time_zone: str, teams: Sequence[Team], by: User
) -> User:
    """Set a person's role, time zone and teams. `teams` are the active teams they belong
    to: memberships of archived teams stay as they were, a kept team keeps its lead. The
    organization keeps an active admin."""
    organization = _organization_of(person)
    _require_admin(by, organization)
    problems = rules.role_problems(role=role, roles=User.Role.values)
    problems += rules.time_zone_problems(time_zone) + _teams_problems(organization, teams)
    if not problems and person.is_org_admin and role != User.Role.ADMIN:
        admins = User.objects.select_for_update().filter(
            organization=organization, role=User.Role.ADMIN, is_active=True
        )
        others = len(admins.exclude(pk=person.pk).values_list("pk", flat=True))
        problems += rules.last_admin_problems(demoting=True, other_admins=others)
    raise_if(problems)
    if (person.role, person.time_zone) != (role, time_zone):
        person.role, person.time_zone = role, time_zone
        person.save(update_fields=["role", "time_zone"])
    _set_teams(person, teams)
    return person


def _set_teams(person: User, teams: Sequence[Team]) -> None:
    wanted = {team.pk: team for team in teams}
    current = {m.team_id: m for m in person.memberships.select_related("team")}
    for team_id, membership in current.items():
        if team_id not in wanted and membership.team.archived_at is None:
            membership.delete()
    for team_id, team in wanted.items():
        if team_id not in current:
            Membership.objects.create(team=team, person=person)


def invitation_resend(*, person: User, by: User, set_password_url: str) -> None:
    """Email the invitation again to someone who has not chosen a password yet (the link
    of the first one works for a few days only)."""
    organization = _organization_of(person)
    _require_admin(by, organization)
    if not person.is_active:
        raise DomainError(f"{person} is deactivated: reactivate them first", "person")
    if person.has_usable_password():
        raise DomainError(f"{person} already chose a password and signs in", "person")
    invitation_send(person=person, invited_by=by, set_password_url=set_password_url)
