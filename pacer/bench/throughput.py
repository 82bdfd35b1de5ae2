"""`pacer bench throughput`: `pacer serve` (gunicorn) on this database, load from a separate
process (wrk when installed, else Python threads).

One server (`--servers 1`, item 3 of issue 6): the no-op endpoint, then API check-ins, each
for `--seconds`; their request rates, the ratio and the errors. Two servers on two ports
(`--servers 2`, item 4): check-ins spread over both, then `pacer recompute --check` and the
check-in count against the acknowledged requests.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from io import TextIOBase
from pathlib import Path
from typing import Any

from pacer import lockwaits
from pacer.bench.pgcluster import free_port


def start_server(port: int, workers: int, lock_waits: str) -> subprocess.Popen[bytes]:
    # One person sends all the load: the API's per-person rate limit (PACER_API_RATE) would
    # measure the limit, not the server, so it is off unless the caller set it.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pacer.bench.settings"}
    env.setdefault("PACER_API_RATE", "off")
    env[lockwaits.FOLDER_VARIABLE] = lock_waits  # each worker's totals, as it exits
    # `pacer serve`, as production runs (its access log, a line a request, is left out).
    command = [sys.executable, "-m", "pacer.cli", "serve", "--workers", str(workers)]
    command += ["--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/bench/noop", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(request, timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError(f"gunicorn did not answer on port {port}")


def load(
    ports: list[int], seconds: float, threads: int, *, noop: bool, client: str, shape: str = ""
) -> dict[str, Any]:
    command = [sys.executable, "-m", "pacer.cli", "bench", "load", "--seconds", str(seconds)]
    command += ["--threads", str(threads), "--client", client]
    if shape:
        command += ["--shape", shape]
    for port in ports:
        command += ["--port", str(port)]
    if noop:
        command.append("--noop")
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# Issue 16's targets, and the peer's per-worker rates it measured them against (one uvicorn
# worker, wrk -t2 -c8, two runs each: baseline GET 3,134 and 4,007 req/s, writes 72 and 70).
PEER_NOOP_PER_WORKER = (3134 + 4007) / 2
PEER_WRITES_PER_WORKER = (72 + 70) / 2
TARGET_RATIO = 0.25
TARGET_NOOP_SHARE_OF_PEER = 0.8
TARGET_WRITES_TIMES_PEER = 4


def summary_table(report: dict[str, Any]) -> str:
    """The run's figures with issue 16's targets beside them (per worker: divided by every
    worker of every server). The targets are for the spread shape; the hot spot's figures
    stand beside them for comparison."""
    workers = report["servers"] * report["workers_per_server"]
    rows: list[tuple[str, str, str]] = []
    if "noop" in report:
        noop_per_worker = report["noop"]["requests_per_second"] / workers
        rows.append(
            (
                "no-op req/s per worker",
                f"{noop_per_worker:,.0f}",
                f">= {TARGET_NOOP_SHARE_OF_PEER * PEER_NOOP_PER_WORKER:,.0f} "
                f"({TARGET_NOOP_SHARE_OF_PEER}x the peer's {PEER_NOOP_PER_WORKER:,.0f})",
            )
        )
    if "ratio" in report:
        rows.append(("check-ins / no-op", f"{report['ratio']:.1%}", f">= {TARGET_RATIO:.0%}"))
    writes_target = (
        f">= {TARGET_WRITES_TIMES_PEER * PEER_WRITES_PER_WORKER:,.0f} "
        f"({TARGET_WRITES_TIMES_PEER}x the peer's {PEER_WRITES_PER_WORKER:,.0f})"
    )
    for key, target in (("checkins", writes_target), ("checkins_hotspot", "-")):
        if key in report:
            rows += shape_rows(report[key], workers, target)
    width = max(len(name) for name, _, _ in rows)
    size = max(len("measured"), *(len(value) for _, value, _ in rows))
    lines = [f"{'figure':<{width}}  {'measured':>{size}}  target", "-" * (width + size + 20)]
    lines += [f"{name:<{width}}  {value:>{size}}  {target}" for name, value, target in rows]
    return "\n".join(lines)


def shape_rows(figures: dict[str, Any], workers: int, target: str) -> list[tuple[str, str, str]]:
    """One load shape's rate per worker, latencies and errors."""
    shape = figures.get("shape", "spread")
    where = f"{shape}, {figures['key_results']:,} KRs" if "key_results" in figures else shape
    per_worker = figures["requests_per_second"] / workers
    name, measured, _ = latencies(figures)
    return [
        (f"API check-ins/s per worker ({where})", f"{per_worker:,.1f}", target),
        (f"{name} ({shape})", measured, "-"),
        (f"check-in errors ({shape})", str(figures.get("errors", 0)), "0"),
        *lock_wait_rows(figures.get("lock_waits", {}), shape),
    ]


def lock_wait_rows(waits: dict[str, Any], shape: str) -> list[tuple[str, str, str]]:
    """The mean time a write took to get each lock, and for SQLite's writer queue how many
    writes found it held (pacer.lockwaits)."""
    rows = []
    for lock, entry in sorted(waits.items()):
        measured = f"{entry['mean_ms']:.2f} ms"
        if lock == "writer_queue":
            measured = f"{entry['waits']:,} of {entry['locks']:,} waited, {measured}"
        rows.append((f"{lock.replace('_', ' ')}, mean ({shape})", measured, "-"))
    return rows


def latencies(figures: dict[str, Any]) -> tuple[str, str, str]:
    """The check-ins' p50 and p99 (wrk) or p95 (the Python client keeps no p99)."""
    tail = "p99" if "p99_ms" in figures else "p95"
    measured = f"{figures.get('p50_ms', '-')} / {figures.get(tail + '_ms', '-')}"
    return f"check-in p50 / {tail} ms", measured, "-"


@contextmanager
def serving(servers: int, workers: int) -> Iterator[tuple[list[int], dict[str, Any]]]:
    """`servers` fresh servers for one load phase: their ports, and (once they have
    stopped) their workers' lock-wait totals, summed (pacer.lockwaits)."""
    waits: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        ports = [free_port() for _ in range(servers)]
        processes = [start_server(port, workers, folder) for port in ports]
        try:
            yield ports, waits
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
        waits.update(lockwaits.read_totals(Path(folder)))


def phases(servers: int, shape: str) -> list[tuple[str, str]]:
    """(report key, load shape; "" for the no-op) of each load phase, in order. The
    targets are for "checkins", the spread shape (also the scale-out's only one)."""
    found = [("noop", "")] if servers == 1 else []
    if shape in ("spread", "both") or servers > 1:
        found.append(("checkins", "spread"))
    if shape in ("hotspot", "both") and servers == 1:
        found.append(("checkins_hotspot", "hotspot"))
    return found


def run_throughput(options: dict[str, Any], out: TextIOBase) -> dict[str, Any]:
    servers, workers, seconds = options["servers"], options["workers"], options["seconds"]
    threads, client = options["threads"], options.get("client", "python")
    report: dict[str, Any] = {"servers": servers, "workers_per_server": workers}
    report["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
    report["api_rate_limit"] = os.environ.get("PACER_API_RATE", "off")
    report["seconds"], report["threads"], report["client"] = seconds, threads, client
    for key, shape in phases(servers, options.get("shape") or "spread"):
        with serving(servers, workers) as (ports, waits):
            figures = load(ports, seconds, threads, noop=not shape, client=client, shape=shape)
        report[key] = figures | ({"lock_waits": waits} if shape else {})
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if "noop" in report and "checkins" in report:
        noop, checkins = report["noop"], report["checkins"]
        report["ratio"] = round(checkins["requests_per_second"] / noop["requests_per_second"], 3)
    check = subprocess.run(
        [sys.executable, "-m", "pacer.cli", "recompute", "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    report["recompute_check"] = "passed" if check.returncode == 0 else check.stdout[-2000:]
    out.write(json.dumps(report, indent=2) + "\n")
    out.write(summary_table(report) + "\n")
    path = options.get("output") or Path("bench/results") / (
        f"{date.today().isoformat()}-{os.environ.get('PACER_BENCH_DB', 'db')}"
        f"-{'scaleout' if servers > 1 else 'throughput'}.json"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    out.write(f"written to {path}\n")
    return report
