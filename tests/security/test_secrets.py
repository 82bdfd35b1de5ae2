"""Secrets at rest and in logs: API tokens are stored hashed; log records lose passwords,
tokens, session ids and Authorization headers before any handler writes them."""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import RequestFactory

from pacer.api import errors
from pacer.api.models import ApiToken
from pacer.api.tokens import token_create
from pacer.security import RedactSecrets, redact
from tests.factories import make_organization, make_person

TOKEN = "pacer_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v"


@pytest.mark.django_db
def test_tokens_are_stored_hashed() -> None:
    person = make_person(make_organization(), "ada@acme.test")
    token, plain = token_create(user=person, name="ci", scope="write", expires_in_days=30)
    assert token.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        rows = cursor.fetchall()
    stored = " ".join(str(value) for row in rows for value in row)
    assert plain not in stored
    assert plain.removeprefix("pacer_") not in stored
    assert token.prefix in stored  # only the first characters, to recognize it


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f"Authorization: Bearer {TOKEN}", TOKEN),
        ("authorization='Basic dXNlcjpwYXNzd29yZA=='", "dXNlcjpwYXNzd29yZA=="),
        (f"{{'HTTP_AUTHORIZATION': 'Bearer {TOKEN}'}}", TOKEN),
        (f"token {TOKEN} was rejected", TOKEN),
        ("login failed: username=ada&password=hunter2-secret", "hunter2-secret"),
        ('{"password": "hunter2-secret", "email": "a@b.c"}', "hunter2-secret"),
        ("new_password1=hunter2-secret", "hunter2-secret"),
        ("Cookie: sessionid=s3ss10nsecretvalue; csrftoken=csrfsecretvalue", "s3ss10nsecretvalue"),
        ("Cookie: sessionid=s3ss10nsecretvalue; csrftoken=csrfsecretvalue", "csrfsecretvalue"),
        ("SECRET_KEY=django-insecure-abcdef", "django-insecure-abcdef"),
    ],
)
def test_redact_masks_secrets(line: str, secret: str) -> None:
    assert secret not in redact(line)
    assert "[redacted]" in redact(line)


def test_redact_keeps_ordinary_text() -> None:
    line = "GET /api/v1/objectives 200; password reset mail sent to ada@acme.test"
    assert redact(line) == line


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console handler writes (settings.LOGGING)."""
    handlers = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert handlers, "settings.LOGGING configures a console handler on the root logger"
    handler = handlers[0]
    assert any(isinstance(f, RedactSecrets) for f in handler.filters)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def test_log_records_lose_their_secrets(console: io.StringIO) -> None:
    logger = logging.getLogger("pacer.test")
    logger.warning("request headers %s", {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"})
    try:
        raise ValueError(f"bad credentials password=hunter2-secret token={TOKEN}")
    except ValueError:
        logger.exception("sign-in failed for %s", "ada@acme.test")
    written = console.getvalue()
    assert "HTTP_AUTHORIZATION" in written and "ada@acme.test" in written
    assert "ValueError" in written  # the traceback is still there
    assert TOKEN not in written
    assert "hunter2-secret" not in written


def test_an_api_error_logs_no_token(console: io.StringIO) -> None:
    """A crash in an endpoint is logged with its traceback, but not the caller's token."""
    request = RequestFactory().get("/api/v1/organization", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    try:
        raise RuntimeError(f"boom with {request.headers['Authorization']}")
    except RuntimeError as error:
        response = errors.on_unexpected(request, error)
    assert response.status_code == 500
    written = console.getvalue()
    assert "API error on GET /api/v1/organization" in written
    assert "RuntimeError: boom with Bearer [redacted]" in written
    assert TOKEN not in written
