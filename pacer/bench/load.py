"""A small HTTP load generator: threads + http.client against 127.0.0.1 only, bounded in time.

Each thread sends one request at a time and stops sending at the deadline, so every request
sent gets its answer: `acknowledged` counts the 2xx answers exactly (the scale-out check
compares it with the rows written). Requests carry `X-Forwarded-Proto: https`, as nginx
would send them, so production settings (HTTPS redirect) apply unchanged.
"""

import http.client
import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from io import TextIOBase
from typing import Any

from pacer.bench import wrk


@dataclass
class LoadResult:
    path: str
    ports: list[int]
    seconds: float
    threads: int
    acknowledged: int = 0
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list, repr=False)

    @property
    def rate(self) -> float:
        return (self.acknowledged + self.errors) / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        lat = sorted(data.pop("latencies_ms"))
        data["requests_per_second"] = round(self.rate, 1)
        if lat:
            data["p50_ms"] = round(lat[len(lat) // 2], 1)
            data["p95_ms"] = round(lat[int(len(lat) * 0.95) - 1], 1)
        return data


def hammer(
    *,
    ports: list[int],
    seconds: float,
    threads: int,
    request: Callable[[int], tuple[str, str, bytes | None, dict[str, str]]],
) -> LoadResult:
    """Run `threads` loops for `seconds`; request(i) gives (method, path, body, headers)."""
    result = LoadResult(path="", ports=ports, seconds=seconds, threads=threads)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    counter = iter(range(10**12))

    def loop(worker: int) -> None:
        port = ports[worker % len(ports)]
        while time.monotonic() < deadline:
            with lock:
                i = next(counter)
            method, path, body, headers = request(i)
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = str(response.status)
                conn.close()
            except OSError as error:
                status = type(error).__name__
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if status.startswith("2"):
                    result.acknowledged += 1
                    result.latencies_ms.append(elapsed)
                else:
                    result.errors += 1

    started = time.monotonic()
    workers = [threading.Thread(target=loop, args=(w,)) for w in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    result.seconds = time.monotonic() - started
    return result


# Issue 16's two shapes of write load: check-ins spread over up to 2,000 key results of
# the whole organization (realistic: many people, many goals), and every client on the
# key results of one objective (a hot spot: each write waits for the objective's lock).
SHAPES = ("spread", "hotspot")
SPREAD_KEY_RESULTS = 2000


def key_results_to_load(organization_id: int, shape: str) -> list[tuple[str, Any, Any]]:
    """(ref, start, target) of the metric key results the check-ins go to: open cycles,
    objectives not archived; evenly chosen for `spread`, the objective with the most of
    them for `hotspot`."""
    from django.db.models import Count

    from pacer.okrs.models import Cycle, KeyResult

    writable = KeyResult.objects.filter(
        organization_id=organization_id,
        type=KeyResult.Type.METRIC,
        objective__cycle__state=Cycle.State.ACTIVE,
        objective__archived_at__isnull=True,
    )
    if shape == "hotspot":
        busiest = (
            writable.values("objective_id")
            .annotate(count=Count("id"))
            .order_by("-count", "objective_id")
            .values_list("objective_id", flat=True)
        )
        writable = writable.filter(objective_id__in=busiest[:1])
    rows = list(writable.order_by("pk").values_list("ref", "start", "target"))
    step = max(1, len(rows) // SPREAD_KEY_RESULTS)
    return rows[::step][:SPREAD_KEY_RESULTS]


def run_load_command(options: dict[str, Any], out: TextIOBase) -> LoadResult | dict[str, Any]:
    from pacer.accounts.models import User
    from pacer.bench.generate import admin_email
    from pacer.okrs.models import CheckIn

    ports: list[int] = options["port"]
    base = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
    use_wrk = options.get("client") == "wrk" and len(ports) == 1
    if options["noop"] and use_wrk:
        found = wrk.run(
            ports[0], "/bench/noop", seconds=options["seconds"], connections=options["threads"]
        )
        out.write(json.dumps(found) + "\n")
        return found
    if options["noop"]:
        result = hammer(
            ports=ports,
            seconds=options["seconds"],
            threads=options["threads"],
            request=lambda i: ("GET", "/bench/noop", None, base),
        )
        result.path = "/bench/noop"
        out.write(json.dumps(result.summary()) + "\n")
        return result
    # The organization's admin writes: admins check in on every key result of it.
    admin = User.objects.get(email=admin_email(options["name"]))
    token = options["token"]
    if not token:
        from pacer.api.tokens import token_create

        _, token = token_create(user=admin, name="load", scope="write", expires_in_days=1)
    shape = options.get("shape") or "spread"
    krs = key_results_to_load(admin.organization_id, shape)  # type: ignore[arg-type]
    described = {"shape": shape, "key_results": len(krs)}
    if use_wrk:
        before = CheckIn.objects.count()
        found = wrk.run(
            ports[0],
            "/api/v1/key-results/<ref>/checkins".replace("<ref>", krs[0][0]),
            seconds=options["seconds"],
            connections=options["threads"],
            script=wrk.checkin_script(krs, token),
        )
        written = CheckIn.objects.count() - before
        # wrk stops at its deadline with requests in flight: the server may have written
        # a few whose answers wrk never read, so written may exceed acknowledged.
        found |= described | {"checkins_written": written}
        found["path"] = "/api/v1/key-results/<ref>/checkins"
        out.write(json.dumps(found) + "\n")
        return found
    headers = {**base, "Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def request(i: int) -> tuple[str, str, bytes | None, dict[str, str]]:
        ref, start, target = krs[i % len(krs)]
        value = start + (target - start) * Decimal(i % 10) / 10
        body = json.dumps({"value": str(value), "confidence": "on_track"}).encode()
        return "POST", f"/api/v1/key-results/{ref}/checkins", body, headers

    before = CheckIn.objects.count()
    result = hammer(
        ports=ports, seconds=options["seconds"], threads=options["threads"], request=request
    )
    result.path = "/api/v1/key-results/<ref>/checkins"
    written = CheckIn.objects.count() - before
    summary = result.summary() | described | {"checkins_written": written}
    summary["written_equals_acknowledged"] = written == result.acknowledged
    out.write(json.dumps(summary) + "\n")
    return result
