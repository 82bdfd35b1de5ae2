"""Every form that can be refused shows the error summary at its top (issue 11): one list of
the problems, each linked to its field, so an error is seen where the eye starts."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.web.test_objective_pages import World, client_for, make_objective, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]

SUMMARY = 'id="error-summary"'


def summary_of(text: str) -> str:
    assert SUMMARY in text, text[:2000]
    return text.split(SUMMARY, 1)[1].split("</div>", 1)[0]


def test_sign_in_with_a_wrong_password() -> None:
    response = Client().post(reverse("login"), {"username": "nobody@example.com", "password": "x"})
    assert response.status_code == 200
    assert "Not signed in" in summary_of(response.content.decode())


def test_password_reset_with_a_malformed_address() -> None:
    response = Client().post(reverse("password_reset"), {"email": "not an address"})
    assert 'href="#id_email"' in summary_of(response.content.decode())


def test_token_form(world: World) -> None:
    data = {"name": "x", "scope": "everything", "expires_in_days": "0"}
    response = client_for(world.owner).post(reverse("api_tokens"), data)
    summary = summary_of(response.content.decode())
    assert 'href="#id_scope"' in summary and 'href="#id_expires_in_days"' in summary


def test_invite_form(world: World) -> None:
    response = client_for(world.admin).post(reverse("person_invite"), {"email": "nope"})
    assert 'href="#id_email"' in summary_of(response.content.decode())


def test_copy_form(world: World) -> None:
    url = reverse("objective_copy", args=[make_objective(world).ref])
    response = client_for(world.owner).post(url, {"cycle": "999999"})
    assert response.status_code == 400
    assert 'href="#id_cycle"' in summary_of(response.content.decode())
