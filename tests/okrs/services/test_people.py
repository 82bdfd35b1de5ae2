"""pacer.okrs.services.people: an admin invites, deactivates and reactivates people."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from pacer.accounts.models import User
from pacer.okrs import services
from tests.factories import World, fresh, make_person, make_team, refusal

pytestmark = pytest.mark.django_db

NOT_ADMIN = {"": "only an admin of the organization manages its people"}


def invite(world: World, **changes: object) -> User:
    values: dict[str, object] = {
        "organization": world.org,
        "email": " New.Person@Acme.TEST ",
        "name": " New Person ",
        "admin": False,
        "teams": [world.team],
        "invited_by": world.admin,
        **changes,
    }
    return services.person_invite(**values)  # type: ignore[arg-type]


def test_an_admin_invites_a_person_into_teams(world: World) -> None:
    person = invite(world, admin=True)
    assert (person.email, person.name, person.organization) == (
        "new.person@acme.test",
        "New Person",
        world.org,
    )
    assert person.is_org_admin and not person.has_usable_password()
    assert list(person.memberships.values_list("team__ref", "is_lead")) == [("platform", False)]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": " "}, "email"),
        ({"email": "OWNER@acme.test"}, "email"),
    ],
)
def test_an_invitation_needs_a_new_email(
    world: World, changes: dict[str, object], field: str
) -> None:
    assert set(refusal(lambda: invite(world, **changes))) == {field}


def test_an_address_with_an_account_elsewhere_creates_nothing(world: World) -> None:
    """Answered as a new address is (tests/security/test_invitations.py)."""
    assert invite(world, email="xavier@globex.test") is None
    assert fresh(world.stranger).organization == world.other_org


def test_an_invitation_names_only_teams_of_the_organization(world: World) -> None:
    globex_team = make_team(world.other_org, "globex-team")
    assert set(refusal(lambda: invite(world, teams=[globex_team]))) == {"teams"}


@pytest.mark.parametrize("inviter", ["owner", "stranger"])
def test_only_an_admin_of_the_organization_invites(world: World, inviter: str) -> None:
    assert refusal(lambda: invite(world, invited_by=getattr(world, inviter))) == NOT_ADMIN


def test_the_invitation_mail_carries_a_link_for_this_person(world: World) -> None:
    person = invite(world)
    uid, token = services.invitation_path_args(person)
    assert force_str(urlsafe_base64_decode(uid)) == str(person.pk)
    assert default_token_generator.check_token(person, token)
    services.invitation_send(
        person=person, invited_by=world.admin, set_password_url=f"https://pacer.test/{uid}/{token}"
    )
    (message,) = mail.outbox
    assert message.to == ["new.person@acme.test"]
    assert f"https://pacer.test/{uid}/{token}" in message.body
    assert "Acme" in message.subject


def test_deactivating_and_reactivating_a_person(world: World) -> None:
    services.person_deactivate(person=world.teammate, by=world.admin)
    assert not fresh(world.teammate).is_active
    services.person_deactivate(person=fresh(world.teammate), by=world.admin)
    assert not fresh(world.teammate).is_active
    services.person_reactivate(person=fresh(world.teammate), by=world.admin)
    assert fresh(world.teammate).is_active


def test_an_admin_cannot_deactivate_themselves(world: World) -> None:
    problems = refusal(lambda: services.person_deactivate(person=world.admin, by=world.admin))
    assert problems == {"": "you cannot deactivate yourself; ask another admin"}


@pytest.mark.parametrize("by", ["owner", "stranger"])
def test_only_an_admin_of_the_organization_deactivates_and_reactivates(
    world: World, by: str
) -> None:
    actor = getattr(world, by)
    assert refusal(lambda: services.person_deactivate(person=world.teammate, by=actor)) == (
        NOT_ADMIN
    )
    assert refusal(lambda: services.person_reactivate(person=world.teammate, by=actor)) == (
        NOT_ADMIN
    )


def test_a_person_of_no_organization_is_not_managed_here(world: World) -> None:
    loner = make_person(None, "loner@nowhere.test")
    for service in (services.person_deactivate, services.person_reactivate):
        problems = refusal(lambda service=service: service(person=loner, by=world.admin))
        assert problems == {"": "this person belongs to no organization"}
