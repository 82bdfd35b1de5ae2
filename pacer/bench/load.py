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


def run_load_command(options: dict[str, Any], out: TextIOBase) -> LoadResult | dict[str, Any]:
    from django.db.models import Q

    from pacer.accounts.models import User
    from pacer.bench.generate import member_email
    from pacer.okrs.models import CheckIn, Cycle, KeyResult

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
    member = User.objects.get(email=member_email(options["name"]))
    token = options["token"]
    if not token:
        from pacer.api.tokens import token_create

        _, token = token_create(user=member, name="load", scope="write", expires_in_days=1)
    # Metric key results the member may change, spread over many objectives.
    team_ids = member.memberships.values_list("team_id", flat=True)
    krs: list[tuple[str, Any, Any]] = list(
        KeyResult.objects.filter(
            Q(objective__owner=member) | Q(objective__team_id__in=team_ids),
            type="metric",
            objective__cycle__state=Cycle.State.ACTIVE,
            objective__archived_at__isnull=True,
        ).values_list("ref", "start", "target")
    )
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
        found |= {"key_results": len(krs), "checkins_written": written}
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
    summary = result.summary() | {"key_results": len(krs), "checkins_written": written}
    summary["written_equals_acknowledged"] = written == result.acknowledged
    out.write(json.dumps(summary) + "\n")
    return result
