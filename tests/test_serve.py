"""`pacer serve`: gunicorn with Pacer's defaults; bad arguments exit with 2 and start
nothing. (A real server answering, its access log redacted: tests/security/
test_log_redaction.py.)"""

from typing import Any

import pytest

from pacer.web.management.commands.serve import default_workers, gunicorn_options
from tests.factories import run_argv


def run(capsys: Any, *args: str) -> tuple[int, str]:
    code, _, err = run_argv(capsys, "serve", *args)
    return code, err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "0"], "--workers: from 1 to 64, not 0"),
        (["--workers", "many"], "argument --workers: invalid int value: 'many'"),
        (["--bind", "nope"], "--bind: 'nope' is not HOST:PORT or unix:PATH"),
        (["--bind", "127.0.0.1:80; rm -rf /"], "is not HOST:PORT or unix:PATH"),
    ],
)
def test_bad_arguments_exit_2(capsys: Any, args: list[str], message: str) -> None:
    code, err = run(capsys, *args)
    assert code == 2 and message in err


def test_the_defaults_suit_production() -> None:
    options = gunicorn_options("127.0.0.1:8000", default_workers())
    assert options["workers"] >= 2
    assert options["worker_class"] == "gthread" and options["keepalive"] > 0  # keep-alive
    assert options["timeout"] > 30  # above the longest lock wait (pacer/busy.py)
    assert options["logger_class"] == "pacer.gunicorn_config.RedactingLogger"
    assert options["max_requests"] > 0
