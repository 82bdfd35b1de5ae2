"""The people page: the list, invitations by email, deactivation.

People come from the objective page tests' `world`: `owner` and `teammate` in the platform
team, `outsider` in no team, `admin` an organization admin.
"""

import re
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacer.accounts.models import User
from pacer.okrs.models import Membership, Organization, Team
from tests.web.test_objective_pages import XSS, World, client_for, make_person, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]

INVITE = reverse("person_invite")


def invite_data(world: World, **fields: Any) -> dict[str, Any]:
    return {
        "email": "nina@example.com",
        "name": "Nina",
        "admin": "",
        "teams": [world.platform.pk],
    } | fields


def link_in(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://\S+", str(message.body))
    assert found, message.body
    return found.group(0)


def test_everyone_sees_the_people_with_teams_and_roles(world: World) -> None:
    response = client_for(world.outsider).get(reverse("people"))
    assert response.status_code == 200
    text = response.content.decode()
    for person in (world.owner, world.teammate, world.outsider, world.admin):
        assert person.email in text
    assert "Platform" in text and "Organization admin" in text
    assert "Invite someone" not in text  # members see no form
    assert 'href="/people/"' in text  # in the nav


def test_people_page_queries_do_not_grow(world: World) -> None:
    def queries() -> int:
        client = client_for(world.admin)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("people")).status_code == 200
        return len(captured)

    few = queries()
    extra = Team.objects.create(organization=world.organization, ref="extra", name="Extra")
    for n in range(10):
        person = make_person(world.organization, f"Person{n}")
        Membership.objects.create(team=extra, person=person)
    assert queries() == few


def test_invite_creates_person_without_password_and_emails_a_working_link(
    world: World,
) -> None:
    response = client_for(world.admin).post(INVITE, invite_data(world))
    assert response.status_code == 302
    nina = User.objects.get(email="nina@example.com")
    assert nina.organization == world.organization
    assert nina.role == User.Role.MEMBER
    assert not nina.has_usable_password()
    assert list(nina.memberships.values_list("team__ref", flat=True)) == ["platform"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nina@example.com"]

    stranger = Client()
    assert not stranger.login(username="nina@example.com", password="")
    link = link_in(mail.outbox[0])
    assert link.startswith("http://testserver/reset/")
    form_page = stranger.get(link, follow=True)  # Django swaps the token for a session
    assert form_page.status_code == 200 and b"new_password1" in form_page.content
    new_password = "a long and fresh password 42"
    done = stranger.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert Client().login(username="nina@example.com", password=new_password)
    assert stranger.get(link, follow=True).context["validlink"] is False  # used once


def test_invite_as_admin_with_teams(world: World) -> None:
    client = client_for(world.admin)
    assert "Invite someone" in client.get(reverse("people")).content.decode()
    client.post(INVITE, invite_data(world, admin="on", email="Boss@Example.com"))
    assert User.objects.get(email="boss@example.com").role == User.Role.ADMIN


def test_duplicate_email_is_refused_next_to_the_field_and_input_kept(world: World) -> None:
    """A person of the same organization (one of another organization gets the answer a new
    address gets: tests/security/test_invitations.py)."""
    make_person(world.organization, "Nina")  # nina@example.com
    response = client_for(world.admin).post(
        INVITE, invite_data(world, email="NINA@example.com", name=XSS)
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "already a person of this organization" in str(form.errors["email"])
    text = response.content.decode()
    assert 'class="field field-error"' in text
    assert 'value="NINA@example.com"' in text
    assert XSS not in text and "&lt;img" in text  # the name kept, escaped
    assert User.objects.filter(email__iexact="nina@example.com").count() == 1
    assert mail.outbox == []


def test_bad_email_is_refused(world: World) -> None:
    response = client_for(world.admin).post(INVITE, invite_data(world, email="nope"))
    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert not User.objects.filter(name="Nina").exists()


def test_member_may_not_invite_or_deactivate(world: World) -> None:
    client = client_for(world.owner)
    assert client.post(INVITE, invite_data(world)).status_code == 403
    assert client.get(INVITE).status_code == 403
    url = reverse("person_deactivate", args=[world.teammate.pk])
    assert client.post(url).status_code == 403
    assert not User.objects.filter(email="nina@example.com").exists()
    assert User.objects.get(pk=world.teammate.pk).is_active


def test_deactivated_person_cannot_sign_in_and_reactivation_restores(world: World) -> None:
    admin = client_for(world.admin)
    session = client_for(world.owner)
    assert session.get(reverse("people")).status_code == 200
    response = admin.post(reverse("person_deactivate", args=[world.owner.pk]))
    assert response.status_code == 302
    owner = User.objects.get(pk=world.owner.pk)
    assert not owner.is_active
    assert not Client().login(username=owner.email, password="pw")
    login = Client().post(reverse("login"), {"username": owner.email, "password": "pw"})
    assert login.status_code == 200 and login.context["form"].errors
    assert session.get(reverse("people")).status_code == 302  # the open session ends too
    assert "Deactivated" in admin.get(reverse("people")).content.decode()

    admin.post(reverse("person_reactivate", args=[world.owner.pk]))
    assert Client().login(username=owner.email, password="pw")


def test_admin_cannot_deactivate_self_or_other_organizations(world: World) -> None:
    admin = client_for(world.admin)
    admin.post(reverse("person_deactivate", args=[world.admin.pk]))
    assert User.objects.get(pk=world.admin.pk).is_active
    stranger = make_person(Organization.objects.create(name="Other"), "Sam")
    response = admin.post(reverse("person_deactivate", args=[stranger.pk]))
    assert response.status_code == 404


def test_the_people_list_pages_through_many_people(world: World) -> None:
    from pacer.web.views.people import PAGE_SIZE

    for n in range(PAGE_SIZE + 5):
        make_person(world.organization, f"Zz{n:03d}")
    client = client_for(world.outsider)
    first = client.get(reverse("people")).content.decode()
    assert first.count('<tr id="person-') == PAGE_SIZE
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    second = client.get(reverse("people"), {"page": 2}).content.decode()
    assert second.count('<tr id="person-') == 9  # 59 people (the world's 4), 50 a page


def test_a_search_result_links_to_that_person_alone(world: World) -> None:
    url = reverse("people") + f"?person={world.teammate.pk}"
    text = client_for(world.outsider).get(url).content.decode()
    assert text.count('<tr id="person-') == 1 and world.teammate.email in text
    bad = client_for(world.outsider).get(reverse("people") + "?person=x%00&page=zz")
    assert bad.status_code == 200
