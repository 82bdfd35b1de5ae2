"""Bench: N initiatives linked to GitHub milestones, synced by the worker (a test-free script).

    .venv/bin/python -m pacer.bench.sync --initiatives 1000

It builds a throwaway database (Django's test database: nothing of yours is touched), one
organization with an active cycle, a GitHub connection whose API is a small fake GitHub on
127.0.0.1 (this module's own, answering GET /repos/{owner}/{repo}/milestones/{n}), and N
initiatives each linked to a milestone, ten behind each key result of type `initiatives`
(so every sync rolls up into a key result and its objective). It then runs the worker
(pacer.jobs.worker.run_once: the schedule queues `sync_due`, which queues the syncs in
bounded batches) until every initiative has its counts, and prints the time. The issue's
bar: 1,000 synced in under 60 s.
"""

import argparse
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pacer.bench.throwaway import on_throwaway_database

TOKEN = "ghp_benchToken000000000000000000"
PER_KEY_RESULT = 10  # initiatives behind each key result (each under its own objective)


def fake_github() -> ThreadingHTTPServer:
    """A GitHub milestone API: milestone n of any repository has n % 7 open issues and
    n % 11 closed; a request without the token is refused."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")
            ok = self.headers.get("Authorization") == f"Bearer {TOKEN}"
            body: dict[str, Any]
            if ok and len(parts) == 5 and parts[0] == "repos" and parts[3] == "milestones":
                n = int(parts[4])
                status, body = 200, {"number": n, "open_issues": n % 7, "closed_issues": n % 11}
            else:
                status, body = (404 if ok else 401), {"message": "Not Found"}
            content = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def build(initiatives: int, api_url: str) -> None:
    from django.utils import timezone

    from pacer import secretbox
    from pacer.accounts.models import User
    from pacer.initiatives.models import Initiative, TrackerConnection
    from pacer.okrs.models import Cycle, KeyResult, Objective, Organization

    org = Organization.objects.create(name="Bench sync")
    today = timezone.localdate()
    cycle = Cycle.objects.create(
        organization=org,
        ref="now",
        name="Now",
        start=today - timedelta(days=30),
        end=today + timedelta(days=60),
        state=Cycle.State.ACTIVE,
    )
    owner = User.objects.create(email="owner@bench.test", organization=org, password="!")
    objectives = Objective.objects.bulk_create(
        Objective(organization=org, cycle=cycle, ref=f"o{n}", title=f"Ship {n}", owner=owner)
        for n in range(max(initiatives // PER_KEY_RESULT, 1))
    )
    krs = KeyResult.objects.bulk_create(
        KeyResult(
            organization=org,
            objective=objective,
            ref=f"work{n}",
            title=f"The work {n}",
            type="initiatives",
            owner=owner,
        )
        for n, objective in enumerate(objectives)
    )
    TrackerConnection.objects.create(
        organization=org,
        tracker="github",
        base_url="https://github.com",
        api_url=api_url,
        token_encrypted=secretbox.encrypt(TOKEN),
        token_masked=f"…{TOKEN[-4:]}",
    )
    made = Initiative.objects.bulk_create(
        Initiative(
            organization=org,
            cycle=cycle,
            ref=f"w{i}",
            title=f"Work {i}",
            owner=owner,
            link_url=f"https://github.com/acme/repo{i % 10}/milestone/{i + 1}",
        )
        for i in range(initiatives)
    )
    through = Initiative.key_results.through
    through.objects.bulk_create(
        through(initiative_id=w.pk, keyresult_id=krs[i // PER_KEY_RESULT % len(krs)].pk)
        for i, w in enumerate(made)
    )


def measure(initiatives: int, timeout: float) -> dict[str, Any]:
    from django.conf import settings

    from pacer.initiatives.models import Initiative
    from pacer.jobs.worker import run_once

    server = fake_github()
    try:
        settings.PACER_OUTBOUND_ALLOW = ["127.0.0.1"]
        build(initiatives, f"http://127.0.0.1:{server.server_address[1]}")
        synced = Initiative.objects.filter(synced_at__isnull=False)
        began = time.perf_counter()
        while synced.count() < initiatives and time.perf_counter() - began < timeout:
            run_once()
        elapsed = time.perf_counter() - began
        failed = Initiative.objects.exclude(sync_error="")
        return {
            "initiatives": initiatives,
            "synced": synced.count(),
            "failed": failed.count(),
            "synced_s": round(elapsed, 2),
            "per_second": round(synced.count() / elapsed, 1) if elapsed else None,
        }
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--initiatives", type=int, default=1000, metavar="N")
    parser.add_argument("--timeout", type=float, default=300, metavar="S")
    options = parser.parse_args()
    print(on_throwaway_database(lambda: measure(options.initiatives, options.timeout)))


if __name__ == "__main__":
    main()
