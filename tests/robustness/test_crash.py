"""Crash safety: SIGKILL in the middle of an import, and of a server taking check-ins.

Both run real processes (`pacer import`, `pacer runserver`) on a fresh database of the run's
backend (a SQLite file, or a new database in the PostgreSQL cluster).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.factories import pacer_executable
from tests.robustness.conftest import ROOT, Target


def okr_file(directory: Path, name: str, objectives: int, *, edition: str) -> Path:
    """An OKR file of `objectives` objectives (5 key results, 8 check-ins each).

    The first three objectives exist in every edition; their titles carry `edition`, so a
    later edition also updates rows the earlier one wrote.
    """
    today = datetime.now(UTC).date()
    lines = [
        "organization: Crash",
        "people:",
        "  - {email: ada@crash.test, name: Ada, admin: true}",
        "  - {email: bob@crash.test, name: Bob}",
        "teams:",
        "  - {ref: core, name: Core, members: [ada@crash.test, bob@crash.test]}",
        "cycles:",
        f"  - {{ref: now, name: Now, start: {today - timedelta(days=60)}, "
        f"end: {today + timedelta(days=30)}, state: active}}",
        "objectives:",
    ]
    for o in range(objectives):
        title = f"Objective {o} {edition}" if o < 3 else f"Objective {o}"
        lines += [
            f"  - ref: goal-{o}",
            f"    title: {title}",
            "    cycle: now",
            "    team: core",
            "    owner: ada@crash.test",
            "    key_results:",
        ]
        for k in range(5):
            lines += [
                f"      - ref: goal-{o}-kr-{k}",
                f"        title: Key result {k} of {o}",
                "        type: metric",
                "        start: 0",
                "        target: 100",
                "        checkins:",
            ]
            for c in range(8):
                day = today - timedelta(days=50 - c * 5)
                lines.append(
                    f"          - {{at: {day}, value: {c * 10 + k}, by: ada@crash.test, "
                    f'note: "check-in {c} of {o}/{k}"}}'
                )
    path = directory / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def seeded(target: Target, directory: Path) -> tuple[Path, Path]:
    """Migrate and import a small edition; return (small, big) files."""
    target.ok("migrate", "--no-input")
    small = okr_file(directory, "small.yaml", 3, edition="first")
    big = okr_file(directory, "big.yaml", OBJECTIVES, edition="second")
    target.ok("import", str(small))
    return small, big


OBJECTIVES = 120


def run_import(target: Target, path: Path, *, kill: bool) -> tuple[float, float, int]:
    """Run `pacer import`; (when writing began, when it ended or was killed, WAL bytes).

    With `kill`, SIGKILL it half-way through its writing phase as the calibration measured
    it (`target.kill_after`), and only once the WAL shows it has written.
    """
    target.checkpoint()
    wal_start = target.wal_bytes()
    process = subprocess.Popen(
        [*pacer_executable(), "import", str(path)],
        env=target.env(),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    started = time.monotonic()
    writing = 0.0
    while process.poll() is None:
        now = time.monotonic() - started
        if not writing and target.wal_bytes() - wal_start > 64 * 1024:
            writing = now
        if kill and writing and now >= getattr(target, "kill_after", 0):
            wal = target.wal_bytes() - wal_start
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=30)
            assert process.returncode == -signal.SIGKILL
            return writing, now, wal
        assert now < 300, "the import hangs"
        time.sleep(0.01)
    out, err = process.communicate()
    assert not kill, f"the import ended before it could be killed: {out!r} {err!r}"
    assert process.returncode == 0, err
    return writing, time.monotonic() - started, target.wal_bytes() - wal_start


def test_import_killed_half_way_changes_nothing(new_target: Any, tmp_path: Path) -> None:
    # Calibrate on a twin database: when the big import starts writing and when it ends.
    calibration = new_target()
    _, big = seeded(calibration, tmp_path)
    writing_from, duration, wal_total = run_import(calibration, big, kill=False)
    assert writing_from, "the calibration import was never seen writing"

    target = new_target()
    seeded(target, tmp_path)
    before = target.ok("export", "--format", "yaml")
    before_json = target.ok("export", "--format", "json", "--as-of", "2026-01-01")
    target.kill_after = (writing_from + duration) / 2  # type: ignore[attr-defined]
    _, killed_at, wal_at_kill = run_import(target, big, kill=True)

    assert target.integrity() == "ok"
    assert target.ok("export", "--format", "yaml") == before
    assert target.ok("export", "--format", "json", "--as-of", "2026-01-01") == before_json
    check = target.pacer("recompute", "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    # The database is usable: the same import, run again, goes through.
    target.ok("import", str(big), timeout=300)
    after = target.ok("export", "--format", "yaml")
    assert after != before and f"Objective {OBJECTIVES - 1}" in after
    print(
        f"\n[crash-import:{target.backend}] file={big.stat().st_size // 1024} KiB "
        f"({OBJECTIVES} objectives, {OBJECTIVES * 5} key results, {OBJECTIVES * 40} check-ins); "
        f"calibration: writes from {writing_from:.1f}s to {duration:.1f}s "
        f"({wal_total // 1024} KiB WAL); SIGKILL at {killed_at:.2f}s, "
        f"{(killed_at - writing_from) / (duration - writing_from):.0%} into the writing phase, "
        f"{wal_at_kill // 1024} KiB WAL written; export yaml+json before == after "
        f"({len(before.splitlines())} YAML lines); integrity ok; recompute --check ok"
    )


# --- A server killed during a burst of check-ins ------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.port = free_port()
        self.log = target.data_dir / f"server-{self.port}.log"
        env = target.env(ALLOWED_HOSTS="127.0.0.1", PACER_API_RATE="1000000/min")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [*pacer_executable(), "runserver", "--noreload", f"127.0.0.1:{self.port}"],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def call(self, token: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def wait_ready(self, token: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text(errors="replace")
            try:
                if self.call(token, "GET", "/organization")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("the server did not come up:\n" + self.log.read_text())

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


def test_server_killed_in_a_burst_loses_no_acknowledged_checkin(
    target: Target, tmp_path: Path
) -> None:
    seeded(target, tmp_path)
    token = target.ok("token", "create", "--user", "ada@crash.test", "--scope", "write")
    token = token.strip().splitlines()[-1]
    server = Server(target)
    acknowledged: list[tuple[int, str, str]] = []  # (id, key result, note)
    failures: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def post(thread: int) -> None:
        n = 0
        while not stop.is_set():
            kr = f"goal-{thread % 3}-kr-{n % 5}"
            note = f"burst {thread}/{n}"
            try:
                status, body = server.call(
                    token, "POST", f"/key-results/{kr}/checkins", {"value": n % 100, "note": note}
                )
            except OSError as error:  # the server died under us: not acknowledged
                with lock:
                    failures.append(type(error).__name__)
                return
            if 200 <= status < 300:
                with lock:
                    acknowledged.append((body["id"], kr, note))
            else:
                with lock:
                    failures.append(f"HTTP {status}")
            n += 1

    try:
        server.wait_ready(token)
        threads = [threading.Thread(target=post, args=(t,)) for t in range(8)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 300 and time.monotonic() < deadline:
            time.sleep(0.005)
        server.kill()  # SIGKILL, mid-burst
        acked_at_kill = len(acknowledged)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        stop.set()
        server.kill()
    assert acked_at_kill >= 300, failures[:5]
    assert not [f for f in failures if f.startswith("HTTP")], failures[:5]

    # Restart; every acknowledged check-in is there, with what was sent.
    restarted = Server(target)
    try:
        restarted.wait_ready(token)
        stored: dict[int, tuple[str, str]] = {}
        cursor = ""
        while True:
            status, page = restarted.call(
                token, "GET", f"/checkins?limit=200{'&cursor=' + cursor if cursor else ''}"
            )
            assert status == 200, page
            for item in page["items"]:
                stored[item["id"]] = (item["key_result"], item["note"])
            cursor = page["next_cursor"]
            if not cursor:
                break
    finally:
        restarted.kill()
    missing = [a for a in acknowledged if stored.get(a[0]) != (a[1], a[2])]
    assert not missing, f"{len(missing)} acknowledged check-in(s) lost: {missing[:5]}"
    check = target.pacer("recompute", "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    in_flight = len(failures)
    burst = len([n for n in stored.values() if n[1].startswith("burst ")])
    print(
        f"\n[crash-server:{target.backend}] 8 client threads; SIGKILL after "
        f"{acked_at_kill} acknowledged check-ins ({len(acknowledged)} in all); "
        f"{in_flight} request(s) cut off; after restart {burst} burst check-ins stored, "
        f"0 acknowledged missing; recompute --check ok"
    )
