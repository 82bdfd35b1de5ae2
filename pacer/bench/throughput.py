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
import time
import urllib.request
from datetime import date
from io import TextIOBase
from pathlib import Path
from typing import Any

from pacer.bench.pgcluster import free_port


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    # One person sends all the load: the API's per-person rate limit (PACER_API_RATE) would
    # measure the limit, not the server, so it is off unless the caller set it.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pacer.bench.settings"}
    env.setdefault("PACER_API_RATE", "off")
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
    ports: list[int], seconds: float, threads: int, *, noop: bool, client: str
) -> dict[str, Any]:
    command = [sys.executable, "-m", "pacer.cli", "bench", "load", "--seconds", str(seconds)]
    command += ["--threads", str(threads), "--client", client]
    for port in ports:
        command += ["--port", str(port)]
    if noop:
        command.append("--noop")
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_throughput(options: dict[str, Any], out: TextIOBase) -> dict[str, Any]:
    servers, workers, seconds = options["servers"], options["workers"], options["seconds"]
    threads, client = options["threads"], options.get("client", "python")
    ports = [free_port() for _ in range(servers)]
    processes = [start_server(port, workers) for port in ports]
    report: dict[str, Any] = {"servers": servers, "workers_per_server": workers}
    report["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
    report["api_rate_limit"] = os.environ.get("PACER_API_RATE", "off")
    report["seconds"], report["threads"], report["client"] = seconds, threads, client
    try:
        if servers == 1:
            report["noop"] = load(ports, seconds, threads, noop=True, client=client)
        report["checkins"] = load(ports, seconds, threads, noop=False, client=client)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if "noop" in report:
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
    path = options.get("output") or Path("bench/results") / (
        f"{date.today().isoformat()}-{os.environ.get('PACER_BENCH_DB', 'db')}"
        f"-{'scaleout' if servers > 1 else 'throughput'}.json"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    out.write(f"written to {path}\n")
    return report
