"""Production mode (DEBUG off): `pacer check --deploy` is clean and the settings harden the
install: argon2, secure HTTP-only SameSite cookies, HSTS, session expiry, clickjacking."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.test import Client

from tests.factories import make_organization, make_person, pacer_executable


def production_env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
        and not k.startswith(("SECURE_", "SESSION_", "CSRF_"))
    }
    env.update(
        PACER_DATA_DIR=str(data_dir),
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="pacer.example.com",
        DJANGO_SETTINGS_MODULE="pacer.settings",
    )
    return env


def test_check_deploy_reports_no_issue(tmp_path: Path) -> None:
    result = subprocess.run(
        [*pacer_executable(), "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The settings as production loads them (a fresh process, DEBUG unset)."""
    names = [
        "DEBUG", "PASSWORD_HASHERS", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE",
        "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE",
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD", "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF",
        "AUTHENTICATION_BACKENDS", "AXES_ENABLED", "AXES_FAILURE_LIMIT", "PACER_API_RATES",
        "MIDDLEWARE",
    ]  # fmt: skip
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=production_env(tmp_path_factory.mktemp("prod")),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return dict(json.loads(result.stdout))


def test_production_settings(production: dict[str, Any]) -> None:
    assert production["DEBUG"] is False
    assert production["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SESSION_COOKIE_HTTPONLY"] and production["CSRF_COOKIE_HTTPONLY"]
    assert production["SESSION_COOKIE_SAMESITE"] == production["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert production["SESSION_COOKIE_AGE"] == 14 * 24 * 3600
    assert production["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and production["SECURE_HSTS_PRELOAD"]
    assert production["X_FRAME_OPTIONS"] == "DENY"
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert production["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert production["AXES_ENABLED"] is True and production["AXES_FAILURE_LIMIT"] == 5
    assert production["PACER_API_RATES"] == {"auth": "1200/min", "anon": "60/min"}
    assert production["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"


def test_passwords_are_hashed_with_argon2(production: dict[str, Any], settings: Any) -> None:
    settings.PASSWORD_HASHERS = production["PASSWORD_HASHERS"]  # the suite prepends MD5
    encoded = make_password("correct horse battery staple")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("correct horse battery staple", encoded)


@pytest.mark.django_db
def test_responses_carry_hsts_and_frame_protection(settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    response = Client().get("/login/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_cookies_are_http_only_and_same_site(settings: Any) -> None:
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    person = make_person(make_organization(), "ada@acme.test")
    person.set_password("a long passphrase")
    person.save()
    client = Client()
    client.get("/login/")
    csrf = client.cookies["csrftoken"]
    response = client.post(
        "/login/", {"username": "ada@acme.test", "password": "a long passphrase"}, secure=True
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    for cookie in (csrf, session):
        assert cookie["httponly"] and cookie["secure"]
        assert cookie["samesite"] == "Lax"
    assert int(session["max-age"]) == 14 * 24 * 3600


def test_static_files_are_served_with_debug_off(tmp_path: Path) -> None:
    """`pacer collectstatic` into PACER_DATA_DIR/static, then WhiteNoise serves them."""
    env = production_env(tmp_path)
    subprocess.run(
        [*pacer_executable(), "collectstatic", "--noinput", "-v", "0"],
        env=env,
        check=True,
        timeout=120,
    )
    assert (tmp_path / "static" / "pacer" / "pacer.css").is_file()
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/static/pacer/pacer.js', secure=True, HTTP_HOST='pacer.example.com'); "
        "print(r.status_code, r['Content-Type'], r.has_header('Content-Security-Policy'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["200", "text/javascript;"]
