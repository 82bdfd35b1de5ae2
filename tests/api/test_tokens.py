"""Tokens: created once by CLI or service, stored hashed, refused when revoked or expired."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from pacer.api.models import ApiToken
from pacer.api.tokens import hash_token, token_create, token_revoke
from tests.api.conftest import ApiClient, World, assert_problem
from tests.factories import run_command


def test_cli_prints_the_token_alone_on_the_last_line_and_stores_only_its_hash(world: World) -> None:
    out = run_command("token", "create", "--user", "Owner@acme.test", "--scope", "write")
    plain = out.strip().splitlines()[-1]
    assert plain.startswith("pacer_") and " " not in plain
    token = ApiToken.objects.get()
    assert token.token_hash == hash_token(plain) and plain not in token.token_hash
    assert token.prefix == plain.removeprefix("pacer_")[:8]
    assert ApiClient(plain).call("GET", "/organization").status_code == 200


def test_cli_expiry_name_list_and_revoke(world: World) -> None:
    out = run_command(
        "token", "create", "--user", "owner@acme.test", "--expires", "30", "--name", "cron"
    )
    plain = out.strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert token.scope == "read" and token.name == "cron"
    assert token.expires_at is not None
    assert token.prefix in run_command("token", "list", "--user", "owner@acme.test")
    run_command("token", "revoke", token.prefix)
    assert_problem(ApiClient(plain).call("GET", "/organization"), 401)


def test_a_prefix_never_starts_with_a_dash_so_the_cli_can_revoke_it(
    world: World, monkeypatch: Any
) -> None:
    secrets_drawn = iter(["-looks-like-an-option", "Abc-def_ghi"])
    monkeypatch.setattr("pacer.api.tokens.secrets.token_urlsafe", lambda n: next(secrets_drawn))
    token, plain = token_create(user=world.owner, scope="read", expires_in_days=None)
    assert (token.prefix, plain) == ("Abc-def_", "pacer_Abc-def_ghi")
    run_command("token", "revoke", token.prefix)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_revoked_expired_unknown_and_deactivated_tokens_are_refused(world: World) -> None:
    token, plain = token_create(user=world.owner, scope="read", expires_in_days=1)
    assert ApiClient(plain).call("GET", "/objectives").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_problem(ApiClient(plain).call("GET", "/objectives"), 401)
    token, plain = token_create(user=world.owner, scope="read", expires_in_days=None)
    token_revoke(token=token)
    assert_problem(ApiClient(plain).call("GET", "/objectives"), 401)
    assert_problem(ApiClient("pacer_nonsense").call("GET", "/objectives"), 401)
    _, plain = token_create(user=world.teammate, scope="read", expires_in_days=None)
    world.teammate.is_active = False
    world.teammate.save()
    response = ApiClient(plain).call("GET", "/objectives")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_gets_401(db: None) -> None:
    assert_problem(ApiClient().call("GET", "/objectives"), 401)


def test_read_scope_cannot_write(world: World) -> None:
    api = world.client(world.owner, scope="read")
    assert api.call("GET", "/key-results/adoption").status_code == 200
    response = api.call("POST", "/key-results/adoption/checkins", {"value": 40})
    assert_problem(response, 403)
    assert world.adoption.checkins.count() == 1


def test_session_reads_and_writes_only_with_csrf(world: World) -> None:
    browser = ApiClient(enforce_csrf_checks=True)
    browser.force_login(world.owner)
    assert browser.call("GET", "/objectives/delivery").status_code == 200
    refused = browser.call("POST", "/key-results/adoption/checkins", {"value": 40})
    assert_problem(refused, 403)
    browser.get("/")  # sets the csrftoken cookie
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.call(
        "POST", "/key-results/adoption/checkins", {"value": 40}, headers={"X-CSRFToken": csrf}
    )
    assert accepted.status_code == 201, accepted.content
