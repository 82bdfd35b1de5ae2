"""Deactivation ends a person's access for good: their browser sessions (also a copy of the
cookie or of the session row) and their API tokens stop working, and stay stopped after a
reactivation. The attack of the review: keep a session, wait for deactivation and
reactivation, use the old session again."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from pacer.accounts.models import User
from pacer.api.models import ApiToken
from pacer.api.tokens import token_create
from pacer.okrs import services
from tests.factories import make_organization, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> User:
    return make_person(make_organization(), "admin@acme.test", admin=True)


@pytest.fixture
def ada(admin: User) -> User:
    return make_person(admin.organization, "ada@acme.test")


def signed_in(person: User) -> Client:
    client = Client()
    client.force_login(person)
    assert client.get(reverse("focus")).status_code == 200
    return client


def deactivate_and_reactivate(person: User, admin: User) -> None:
    admin_client = signed_in(admin)
    admin_client.post(reverse("person_deactivate", args=[person.pk]))
    admin_client.post(reverse("person_reactivate", args=[person.pk]))
    person.refresh_from_db()
    assert person.is_active


def sessions_of(person: User) -> list[Session]:
    return [s for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(person.pk)]


def test_an_old_session_does_not_work_after_reactivation(ada: User, admin: User) -> None:
    old = signed_in(ada)
    deactivate_and_reactivate(ada, admin)
    response = old.get(reverse("focus"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_deactivation_deletes_the_session_rows_of_that_person_only(ada: User, admin: User) -> None:
    signed_in(ada), signed_in(ada)
    colleague = signed_in(make_person(ada.organization, "bo@acme.test"))
    services.person_deactivate(person=ada, by=admin)
    assert sessions_of(ada) == []
    assert colleague.get(reverse("focus")).status_code == 200


def test_a_copied_session_row_is_refused_after_reactivation(ada: User, admin: User) -> None:
    """A session kept elsewhere (a cache, a backup) fails the session hash check."""
    old = signed_in(ada)
    [row] = sessions_of(ada)
    kept = (row.session_key, row.session_data, row.expire_date)
    deactivate_and_reactivate(ada, admin)
    Session.objects.create(session_key=kept[0], session_data=kept[1], expire_date=kept[2])
    response = old.get(reverse("focus"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_new_sign_in_after_reactivation_works(ada: User, admin: User) -> None:
    deactivate_and_reactivate(ada, admin)
    assert signed_in(ada).get(reverse("focus")).status_code == 200


def test_tokens_are_revoked_at_deactivation_and_stay_revoked(ada: User, admin: User) -> None:
    _, plain = token_create(user=ada, scope=ApiToken.Scope.WRITE, expires_in_days=30)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    assert Client().get("/api/v1/organization", **auth).status_code == 200
    services.person_deactivate(person=ada, by=admin)
    assert Client().get("/api/v1/organization", **auth).status_code == 401
    services.person_reactivate(person=ada, by=admin)
    assert Client().get("/api/v1/organization", **auth).status_code == 401
    assert not ApiToken.objects.filter(user=ada, revoked_at__isnull=True).exists()


def test_sessions_from_before_the_generation_existed_stay_valid(ada: User) -> None:
    """Generation 0 is Django's own hash: upgrading Pacer signs nobody out."""
    from django.utils.crypto import salted_hmac

    django_hash = salted_hmac(
        "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
        ada.password,
        algorithm="sha256",
    ).hexdigest()
    assert ada.session_generation == 0
    assert ada.get_session_auth_hash() == django_hash
