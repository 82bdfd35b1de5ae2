"""`pacer worker` as a separate process on a SQLite file, killed (SIGKILL) while the receiver
stalls mid-delivery: a restarted worker delivers the event again with the same
X-Pacer-Delivery id (the lease ran out, the sweep queued it), signed, and it ends delivered."""

import contextlib
import signal
import sqlite3
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.factories import pacer_executable
from tests.jobs.test_worker_process import OKR_FILE
from tests.robustness.conftest import ROOT, Target
from tests.servers import HttpReceiver

CREATE_WEBHOOK = """
from pacer.accounts.models import User
from pacer.webhooks import services
admin = User.objects.get(email="ada@worker.test")
print(services.webhook_create(by=admin, url={url!r}, events=["checkin.created"]).secret)
"""


def states(database: Path) -> list[tuple[str, int]]:
    with contextlib.closing(sqlite3.connect(database, timeout=5)) as connection:
        rows = connection.execute(
            "SELECT state, attempts FROM webhooks_webhookdelivery ORDER BY id"
        ).fetchall()
    return [(str(state), int(attempts)) for state, attempts in rows]


def start_worker(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*pacer_executable(), "worker", "--interval", "0.2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_killed_worker_mid_delivery_redelivers_the_same_id(
    tmp_path: Path, http_receiver: HttpReceiver
) -> None:
    database = tmp_path / "x.sqlite3"
    target = Target("sqlite", tmp_path, f"sqlite:///{database}")
    # A short timeout keeps the delivery's lease short (2 x timeout + 5 s), so the test is.
    env = target.env(PACER_OUTBOUND_ALLOW="127.0.0.1", PACER_OUTBOUND_TIMEOUT="3")
    today = datetime.now(UTC).date()
    okrs = tmp_path / "okrs.yaml"
    okrs.write_text(
        OKR_FILE.format(start=today - timedelta(days=10), end=today + timedelta(days=80))
    )
    target.ok("migrate", "--no-input")
    target.ok("import", str(okrs))
    code = CREATE_WEBHOOK.format(url=http_receiver.url + "/pacer")
    made = subprocess.run(
        [*pacer_executable(), "shell", "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip().splitlines()[-1]
    http_receiver.stall_seconds = 10
    http_receiver.answers = ["stall"]  # the first delivery hangs: the worker is killed in it

    worker = start_worker(env)
    try:
        target.ok("checkin", "ship-kr", "3", "--by", "ada@worker.test")
        [first] = http_receiver.wait_for(1, timeout=30)
        worker.send_signal(signal.SIGKILL)  # mid-delivery: the receiver has not answered
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert states(database) == [("pending", 1)]

    again = start_worker(env)
    try:
        received = http_receiver.wait_for(2, timeout=60)
        assert len(received) == 2, "the restarted worker did not deliver again"
        deadline = time.monotonic() + 20
        while states(database) != [("delivered", 2)] and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        again.send_signal(signal.SIGTERM)
        try:
            _, err = again.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            again.kill()
            _, err = again.communicate()
    second = received[1]
    assert second.headers["X-Pacer-Delivery"] == first.headers["X-Pacer-Delivery"]
    assert second.body == first.body and second.signed_with(secret)
    assert second.headers["X-Pacer-Event"] == "checkin.created"
    assert states(database) == [("delivered", 2)], err
