"""The personal API tokens page: list mine, create one (shown once), revoke.

People come from the objective page tests' `world`.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pacer.api.models import ApiToken
from pacer.api.tokens import hash_token, token_create
from tests.web.test_objective_pages import World, client_for, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]

PAGE = reverse("api_tokens")


def api_status(token: str) -> int:
    return Client().get("/api/v1/organization", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def plain_token_in(html: str) -> str:
    found = re.search(r'value="(pacer_[A-Za-z0-9_-]+)"', html)
    assert found, html
    return found.group(1)


def test_signed_out_people_are_sent_to_sign_in() -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_page_lists_my_tokens_only_and_is_in_the_nav(world: World) -> None:
    token_create(user=world.owner, name="BI job", scope="write", expires_in_days=30)
    token_create(user=world.teammate, name="Teammate's cron", expires_in_days=None)
    response = client_for(world.owner).get(PAGE)
    assert response.status_code == 200
    text = response.content.decode()
    assert "BI job" in text and "Write" in text and "Active" in text
    assert "Teammate's cron" not in text and "Teammate&#x27;s cron" not in text
    mine = ApiToken.objects.get(user=world.owner)
    assert f"pacer_{mine.prefix}…" in text
    assert 'href="/settings/tokens/" aria-current="page"' in text  # in the nav, current
    assert "never" in text  # never used yet
    mine.expires_at = timezone.now() - timedelta(days=1)
    mine.save()
    assert "Expired" in client_for(world.owner).get(PAGE).content.decode()


def test_create_shows_the_token_once_and_it_works(world: World) -> None:
    client = client_for(world.owner)
    response = client.post(PAGE, {"name": "Deploy", "scope": "read", "expires_in_days": "90"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    plain = plain_token_in(response.content.decode())
    token = ApiToken.objects.get(user=world.owner)
    assert (token.name, token.scope) == ("Deploy", "read")
    assert token.token_hash == hash_token(plain) and plain not in token.prefix
    assert token.expires_at is not None
    assert api_status(plain) == 200
    again = client.get(PAGE).content.decode()
    assert plain not in again and "Deploy" in again  # listed, never shown again


def test_no_expiry_and_write_scope(world: World) -> None:
    response = client_for(world.admin).post(PAGE, {"name": "", "scope": "write"})
    plain = plain_token_in(response.content.decode())
    token = ApiToken.objects.get(user=world.admin)
    assert (token.scope, token.expires_at) == ("write", None)
    ok = Client().patch(
        "/api/v1/organization",
        {"at_risk_gap": 0.1},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plain}",
    )
    assert ok.status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"name": "x", "scope": "admin", "expires_in_days": "90"},
        {"name": "x", "scope": "read", "expires_in_days": "0"},
        {"name": "x", "scope": "read", "expires_in_days": "3651"},
        {"name": "x" * 101, "scope": "read"},
    ],
)
def test_invalid_input_creates_nothing(world: World, data: dict[str, str]) -> None:
    response = client_for(world.owner).post(PAGE, data)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not ApiToken.objects.exists()
    assert 'id="plain-token"' not in response.content.decode()


def test_revoke_my_token(world: World) -> None:
    token, plain = token_create(user=world.owner, name="Old", expires_in_days=None)
    client = client_for(world.owner)
    confirm = client.get(reverse("api_token_revoke", args=[token.pk]))
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None and api_status(plain) == 200  # asking is not revoking
    response = client.post(reverse("api_token_revoke", args=[token.pk]), follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    text = response.content.decode()
    assert f"Token {token.prefix}… is revoked" in text and "Revoked" in text
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_status(plain) == 401


def test_nobody_revokes_someone_elses_token(world: World) -> None:
    token, plain = token_create(user=world.owner, name="Mine", expires_in_days=None)
    for person in (world.teammate, world.admin):
        for send in (client_for(person).get, client_for(person).post):
            assert send(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None and api_status(plain) == 200
