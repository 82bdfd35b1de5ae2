"""No token in clear in any log: every handler Pacer's logging has (Django's defaults
included) redacts, in DEBUG and in production; runserver's and gunicorn's access logs too."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from pacer.pgcluster import free_port
from pacer.security import RedactSecrets
from tests.factories import pacer_executable
from tests.security.test_deploy_settings import production_env

TOKEN = "pacer_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2H1g0F9e"


def pacer_handlers() -> list[tuple[str, logging.Handler]]:
    """Every handler on every logger that writes somewhere (libraries' NullHandlers do not),
    except those pytest adds to capture logs."""
    loggers: list[logging.Logger] = [logging.getLogger()]
    loggers += [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    return [
        (logger.name, handler)
        for logger in loggers
        for handler in logger.handlers
        if not isinstance(handler, logging.NullHandler)
        and not type(handler).__module__.startswith("_pytest")
    ]


def test_every_log_handler_redacts_secrets() -> None:
    handlers = pacer_handlers()
    assert handlers
    unfiltered = [
        f"{name}: {handler!r}"
        for name, handler in handlers
        if not any(isinstance(f, RedactSecrets) for f in handler.filters)
    ]
    assert unfiltered == []


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What every stream handler writes, in one buffer."""
    stream = io.StringIO()
    swapped = [
        (handler, handler.setStream(stream))
        for _, handler in pacer_handlers()
        if isinstance(handler, logging.StreamHandler)
    ]
    try:
        yield stream
    finally:
        for handler, previous in swapped:
            handler.setStream(previous)


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
def test_an_unexpected_authorization_scheme_logs_no_token(
    debug: bool, settings: Any, log_output: io.StringIO
) -> None:
    settings.DEBUG = debug  # django-ninja logs the header in clear in DEBUG
    response = Client().get("/api/v1/organization", HTTP_AUTHORIZATION=f"Token {TOKEN}")
    assert response.status_code == 401
    written = log_output.getvalue()
    assert TOKEN not in written
    assert "pacer_Z9y8" not in written
    if debug:
        assert "Unexpected auth - 'Token [redacted]'" in written
        assert written.count("Unexpected auth") == 1  # once, not once per handler


def serve(command: list[str], env: dict[str, str], port: int) -> tuple[str, str]:
    """Start a server, request a URL with a token in its query and header, stop it; its
    stdout and stderr."""
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/organization?token={TOKEN}",
            headers={"Authorization": f"Token {TOKEN}", "X-Forwarded-Proto": "https"},
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(request, timeout=5)
            except urllib.error.HTTPError as answer:
                assert answer.code == 401
                break
            except OSError:
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        time.sleep(0.5)  # let the access line be written
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    return out, err


@pytest.mark.parametrize(
    ("server", "debug"),
    [("runserver", True), ("runserver", False), ("gunicorn", False), ("serve", False)],
)
def test_server_access_logs_carry_no_token(server: str, debug: bool, tmp_path: Path) -> None:
    env = production_env(tmp_path)
    env["ALLOWED_HOSTS"] = "127.0.0.1"
    env["PYTHONUNBUFFERED"] = "1"
    if debug:
        env["DEBUG"] = "1"
    port = free_port()
    if server == "runserver":
        command = [*pacer_executable(), "runserver", "--noreload", f"127.0.0.1:{port}"]
    elif server == "serve":  # `pacer serve`: gunicorn in production, its access log on
        command = [*pacer_executable(), "serve", "--workers", "1", "--bind", f"127.0.0.1:{port}"]
    else:
        command = [sys.executable, "-m", "gunicorn", "-c", "python:pacer.gunicorn_config"]
        command += ["--access-logfile", "-", "--error-logfile", "-", "--bind", f"127.0.0.1:{port}"]
        command += ["pacer.wsgi:application"]
    out, err = serve(command, {**env, "PATH": os.environ["PATH"]}, port)
    written = out + err
    assert "/api/v1/organization?token=" in written, written  # the access line is there
    assert TOKEN not in written
    assert "pacer_Z9y8" not in written
    assert "token=[redacted]" in written
