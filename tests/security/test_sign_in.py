"""Sign-in takes the email in any case: emails are stored lowercased, and people type
`Ada@Acme.test` as often as `ada@acme.test`."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError
from django.test import Client

from pacer.accounts.models import User
from tests.factories import make_organization, make_person

pytestmark = pytest.mark.django_db

PASSWORD = "a long passphrase"


@pytest.fixture(autouse=True)
def ada() -> User:
    person = make_person(make_organization(), "Ada@Acme.test")
    person.set_password(PASSWORD)
    person.save()
    return person


def test_emails_are_stored_lowercased(ada: User) -> None:
    assert ada.email == "ada@acme.test"


@pytest.mark.parametrize(
    "typed", ["ada@acme.test", "Ada@Acme.test", "ADA@ACME.TEST", " ada@acme.test "]
)
def test_sign_in_ignores_the_case_of_the_email(typed: str, ada: User) -> None:
    client = Client()
    response = client.post("/login/", {"username": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ada.pk)


def test_a_wrong_password_still_fails_in_any_case() -> None:
    response = Client().post("/login/", {"username": "ADA@acme.test", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()


def test_the_backend_finds_the_person_whatever_the_case(ada: User) -> None:
    assert authenticate(None, username="ADA@ACME.TEST", password=PASSWORD) == ada
    assert authenticate(None, username="ADA@ACME.TEST", password="wrong") is None


def test_a_case_variant_is_not_a_second_account() -> None:
    with pytest.raises(IntegrityError):
        make_person(None, "ADA@acme.test")
