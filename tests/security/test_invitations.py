"""Inviting an address does not tell an admin whether it has an account in another
organization.

The review's attack: Globex's admin invites `owner@acme.test` and reads "already has an
account". Now the answer is the one a new address gets, nothing is created, and the holder
of the account is told by mail (docs/security.md, "People and invitations").
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from pacer.accounts.models import User
from pacer.okrs import services
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Membership
from tests.factories import World, make_team

pytestmark = pytest.mark.django_db


def invite(admin: User, email: str) -> tuple[int, str, list[str]]:
    """What the inviting admin sees: the status, where it leads, the message shown."""
    client = Client()
    client.force_login(admin)
    data = {"email": email, "name": "Someone", "admin": "", "teams": []}
    response = client.post(reverse("person_invite"), data)
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    return response.status_code, response.get("Location", ""), shown


def test_an_address_with_an_account_elsewhere_answers_as_a_new_one(world: World) -> None:
    taken = invite(world.stranger, "owner@acme.test")
    new = invite(world.stranger, "newcomer@globex.test")
    assert taken[:2] == new[:2] == (302, reverse("people"))
    assert [m.replace("owner@acme.test", "X") for m in taken[2]] == [
        m.replace("newcomer@globex.test", "X") for m in new[2]
    ]
    assert not any("account" in message for message in taken[2])


def test_nothing_is_created_or_changed_for_the_account_holder(world: World) -> None:
    globex_team = make_team(world.other_org, "globex-team")
    before = User.objects.count(), Membership.objects.count()
    services.person_invite(
        organization=world.other_org,
        email=" Owner@ACME.test ",
        name="Owner",
        admin=True,
        teams=[globex_team],
        invited_by=world.stranger,
    )
    assert (User.objects.count(), Membership.objects.count()) == before
    owner = User.objects.get(pk=world.owner.pk)
    assert (owner.organization, owner.role, owner.name) == (
        world.org,
        world.owner.role,
        world.owner.name,
    )


def test_the_account_holder_gets_a_note_and_no_link(world: World) -> None:
    invite(world.stranger, "owner@acme.test")
    (note,) = mail.outbox
    assert note.to == ["owner@acme.test"]
    assert "Globex" in note.subject
    assert "already has a Pacer account" in note.body
    assert "http" not in note.body


def test_the_answer_does_not_depend_on_the_organization_of_the_account(world: World) -> None:
    """Someone of Acme, someone of no organization, a deactivated person: all look new."""
    loner = User.objects.create_user("loner@nowhere.test")
    gone = User.objects.create_user("gone@acme.test", organization=world.org, is_active=False)
    answers = {
        invite(world.stranger, email)[0:2]
        for email in ("teammate@acme.test", loner.email, gone.email, "fresh@globex.test")
    }
    assert answers == {(302, reverse("people"))}


def test_a_person_of_the_same_organization_is_refused_plainly(world: World) -> None:
    """The admin sees their own people anyway: saying so reveals nothing."""
    status, _, _ = invite(world.admin, "OWNER@acme.test")
    assert status == 400
    with pytest.raises(DomainError) as refused:
        services.person_invite(
            organization=world.org,
            email="owner@acme.test",
            name="",
            admin=False,
            teams=[],
            invited_by=world.admin,
        )
    assert "already a person of this organization" in str(refused.value)


def test_a_new_address_is_still_invited(world: World) -> None:
    invite(world.stranger, "newcomer@globex.test")
    person: Any = User.objects.get(email="newcomer@globex.test")
    assert person.organization == world.other_org and not person.has_usable_password()
    (message,) = mail.outbox
    assert message.to == ["newcomer@globex.test"] and "/reset/" in message.body
