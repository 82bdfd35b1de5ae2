"""Test-wide set-up.

* Settings: the suite runs with DEBUG off (production settings) but without the HTTPS-only
  parts, a fast password hasher and a temporary data folder.
* PACER_TEST_DB=postgres: a throw-away PostgreSQL cluster (pacer/pgcluster.py) becomes the
  default database; pytest-django creates the test database in it. Missing binaries fail the
  run: there is no silent fallback to SQLite.
* `browser` / `page`: Chromium through Playwright's sync API, for tests marked `browser`.
* `world`: the shared cast of permission and service tests (`tests.factories.World`).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pacer.pgcluster import PostgresCluster, PostgresUnavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.factories import World
    from tests.servers import HttpReceiver, MailSink

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

cluster_key = pytest.StashKey[PostgresCluster]()
data_dir_key = pytest.StashKey[Path]()


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def test_database() -> str:
    choice = os.environ.get("PACER_TEST_DB", "sqlite").strip().lower() or "sqlite"
    return "postgres" if choice == "postgresql" else choice


def pytest_configure(config: pytest.Config) -> None:
    if config.option.help or config.option.version or hasattr(config, "workerinput"):
        return
    from django.conf import settings

    # pytest-django has loaded the settings before this file is imported, so the environment
    # is too late for them: override the settings themselves.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]
    # Client.login() authenticates without a request, which django-axes refuses, and the suite
    # signs in far more often than the API rate limits allow: tests/security re-enables both.
    settings.AXES_ENABLED = False
    settings.PACER_API_RATES = {"auth": "off", "anon": "off"}
    if "PACER_DATA_DIR" not in os.environ:  # `make test` sets it; a bare `pytest` may not
        data_dir = Path(tempfile.mkdtemp(prefix="pacer-data-"))
        config.stash[data_dir_key] = data_dir
        os.environ["PACER_DATA_DIR"] = str(data_dir)  # for commands run in subprocesses
        settings.DATA_DIR = data_dir
        settings.STATIC_ROOT = data_dir / "static"

    database = test_database()
    if database == "postgres":
        use_postgres(config, settings)
    elif database != "sqlite":
        pytest.exit(f"PACER_TEST_DB={database!r}: use 'postgres' or 'sqlite'.", returncode=1)


def use_postgres(config: pytest.Config, settings: Any) -> None:
    from pacer.settings import database_settings

    try:
        cluster = PostgresCluster()
        url = cluster.start()
    except PostgresUnavailable as error:
        pytest.exit(f"PACER_TEST_DB=postgres: {error}", returncode=1)
    except Exception as error:
        pytest.exit(
            f"PACER_TEST_DB=postgres: could not start PostgreSQL: {error}\n"
            f"{getattr(error, 'stderr', '')}",
            returncode=1,
        )
    config.stash[cluster_key] = cluster
    atexit.register(cluster.stop)  # in case pytest dies before pytest_unconfigure
    settings.DATABASES["default"] = database_settings(url)

    from django.db import connections

    # Forget the connections (and their settings) made before the switch.
    for connection in connections.all(initialized_only=True):
        connection.close()
        del connections[connection.alias]
    connections.__dict__.pop("settings", None)
    connections._settings = None  # type: ignore[attr-defined]


def pytest_report_header(config: pytest.Config) -> str:
    cluster = config.stash.get(cluster_key, None)
    if cluster is not None:
        return f"database: temporary PostgreSQL cluster ({cluster.bindir}) on port {cluster.port}"
    return "database: SQLite (set PACER_TEST_DB=postgres for PostgreSQL)"


def pytest_unconfigure(config: pytest.Config) -> None:
    cluster = config.stash.get(cluster_key, None)
    if cluster is not None:
        cluster.stop()
    data_dir = config.stash.get(data_dir_key, None)
    if data_dir is not None:
        shutil.rmtree(data_dir, ignore_errors=True)


def browser_unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium (the system's /usr/bin/chromium; no `playwright install`)."""
    if not Path(CHROMIUM).exists():
        browser_unavailable(f"{CHROMIUM} not found: install Chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("Playwright is not installed: pip install -e '.[dev]'")
    # Playwright's sync API keeps an event loop on this thread, which makes Django believe the
    # (synchronous) test code runs in an async context and refuse ORM calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page for one test."""
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(autouse=True)
def worker_keeps_the_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker run inside a test (`run_once`, the task loop) must not close the database
    connection between tasks as a long-running worker does (`close_old_connections`): in a
    test it holds the test's transaction, and on PostgreSQL closing it ends the test's
    data. Django's test client does the same for requests. Worker processes started by
    tests (tests/jobs/test_worker_process.py) are separate and keep the real behaviour."""
    for module in ("django_tasks_db.management.commands.db_worker", "pacer.jobs.worker"):
        monkeypatch.setattr(f"{module}.close_old_connections", lambda: None)


@pytest.fixture
def http_receiver(settings: Any) -> Iterator[HttpReceiver]:
    """A real HTTP receiver on 127.0.0.1 (tests/servers.py), allowed as an outgoing target."""
    from tests.servers import start_http_receiver

    receiver, server = start_http_receiver()
    settings.PACER_OUTBOUND_ALLOW = [*settings.PACER_OUTBOUND_ALLOW, "127.0.0.1"]
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[MailSink]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1, and Django's SMTP backend pointed at it."""
    from tests.servers import start_smtp_server

    sink, controller = start_smtp_server()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def world(db: Any) -> World:
    """Admin, owner, teammate, outsider, another organization's person (tests.factories)."""
    from tests.factories import make_world

    return make_world()
