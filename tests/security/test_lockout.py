"""Sign-in lockout (django-axes): 5 failures for one email from one address lock that pair
out for 15 minutes; the page says so with status 429."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import make_organization, make_person

pytestmark = pytest.mark.django_db

EMAIL = "ada@acme.test"
PASSWORD = "a long passphrase"


@pytest.fixture(autouse=True)
def lockout(settings: Any) -> None:
    settings.AXES_ENABLED = True  # tests/conftest.py turns it off for the rest of the suite
    person = make_person(make_organization(), EMAIL)
    person.set_password(PASSWORD)
    person.save()


def sign_in(password: str, address: str = "203.0.113.7", email: str = EMAIL) -> Any:
    client = Client(REMOTE_ADDR=address)
    return client.post("/login/", {"username": email, "password": password})


def test_five_failures_lock_the_email_from_that_address() -> None:
    for _ in range(4):
        response = sign_in("wrong")
        assert response.status_code == 200
        assert "Please enter a correct" in response.content.decode()
    locked = sign_in("wrong")
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()

    # Even the right password is refused now, from that address.
    right = sign_in(PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in right.client.session

    # Another address, or another email from the same address, still signs in.
    assert sign_in(PASSWORD, address="198.51.100.9").status_code == 302
    other = make_person(None, "bob@acme.test")
    other.set_password(PASSWORD)
    other.save()
    assert sign_in(PASSWORD, email="bob@acme.test").status_code == 302


def test_case_variants_of_the_email_share_one_count() -> None:
    for variant in ("ADA@acme.test", "Ada@Acme.test", "ada@ACME.TEST", "aDa@acme.test"):
        assert sign_in("wrong", email=variant).status_code == 200
    assert sign_in("wrong", email="AdA@AcMe.TeSt").status_code == 429
    assert sign_in(PASSWORD).status_code == 429
    assert sign_in(PASSWORD, email="ADA@ACME.TEST").status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {EMAIL}


def test_the_right_password_in_another_case_signs_in() -> None:
    assert sign_in(PASSWORD, email="Ada@Acme.TEST").status_code == 302


def test_the_lock_ends_after_fifteen_minutes() -> None:
    for _ in range(5):
        sign_in("wrong")
    assert sign_in(PASSWORD).status_code == 429
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=16)
        attempt.save()
    assert sign_in(PASSWORD).status_code == 302


def test_a_success_resets_the_count() -> None:
    for _ in range(4):
        sign_in("wrong")
    assert sign_in(PASSWORD).status_code == 302
    for _ in range(4):
        assert sign_in("wrong").status_code == 200
    assert sign_in(PASSWORD).status_code == 302


def test_the_lockout_stores_no_password() -> None:
    for _ in range(5):
        sign_in("hunter2-secret")
    for attempt in AccessAttempt.objects.all():
        assert "hunter2-secret" not in attempt.post_data
