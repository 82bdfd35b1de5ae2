"""`pacer bench run`: server time, query counts, writes, import/export and memory.

Requests go through Django's test `Client` in this process, so a timing is the server's
time for one request (URL routing, middleware, views, templates, SQL) without a network.
Each item gets one warm-up request, one request under `CaptureQueriesContext` (its query
count and status), then N timed requests.
"""

import gc
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from io import TextIOBase
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pacer.accounts.models import User
from pacer.bench.generate import DEFAULT_NAME, SCALES, member_email
from pacer.bench.okrdoc import okr_document, write_yaml
from pacer.initiatives.models import Initiative, Task
from pacer.initiatives.selectors import initiatives_visible_to
from pacer.okrs import progress as engine
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Membership, Objective, Organization
from pacer.startup import freeze_startup_heap

API = "/api/v1"


API_CHECKIN = "API check-in (POST)"
FULL_EXPORT = "full JSON export of the bench org"
PEAK_AFTER_FILES = "peak RSS after import/export"


@dataclass
class Item:
    name: str
    kind: str  # page | api | write | file | memory
    url: str = ""
    status: int = 0
    queries: int | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    samples: int = 0
    note: str = ""


@dataclass
class Result:
    database: str
    scale: str
    started: str
    machine: dict[str, Any]
    counts: dict[str, int]
    items: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 30 samples is the 29th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


# --- What is measured ---------------------------------------------------------------------


@dataclass
class Targets:
    """The refs the measured URLs use, chosen from the bench data."""

    member: User
    cycle: Cycle
    team_ref: str
    objective_ref: str
    map_parent_ref: str
    kr: KeyResult
    status: str = engine.AT_RISK
    admin: User | None = None  # the organization admin the admin pages are measured as
    initiative_ref: str = ""  # work behind the measured objective (issue 13)


def choose_targets(organization: Organization, member: User) -> Targets:
    today = timezone.localdate()
    cycles = Cycle.objects.filter(
        organization=organization, state=Cycle.State.ACTIVE, start__lte=today, end__gte=today
    )
    cycle = min(cycles, key=lambda c: (c.end - c.start).days)
    membership = Membership.objects.filter(person=member).order_by("id").select_related("team")
    team_ref = membership[0].team.ref
    mine = (
        Objective.objects.filter(owner=member, cycle=cycle, archived_at__isnull=True)
        .annotate(
            linked=Count("key_results", filter=Q(key_results__type="linked")),
            n=Count("key_results"),
        )
        .order_by("-linked", "-n", "id")
    )
    objective = mine[0]  # with a linked key result, so the page shows every kind of row
    with_children = (
        Objective.objects.filter(
            organization=organization,
            cycle=cycle,
            visibility=Objective.Visibility.PUBLIC,
            archived_at__isnull=True,
        )
        .annotate(n=Count("child_links", filter=Q(child_links__child__cycle=cycle)))
        .order_by("-n", "id")
    )
    metrics = KeyResult.objects.filter(
        objective__owner=member, objective__cycle=cycle, type="metric"
    ).select_related("objective")
    # A check-in on the measured objective page's objective when it has a metric; one with
    # an owner first, so the key result edit page reads the same rows at every size.
    owned = metrics.filter(owner__isnull=False).order_by("id")
    kr = (
        owned.filter(objective=objective).first()
        or owned.first()
        or metrics.filter(objective=objective).order_by("id").first()
        or metrics.order_by("id").first()
    )
    assert kr is not None, "the bench member owns no metric key result in the active cycle"
    # The initiative page: the member's visible work behind the measured objective, the one
    # with the most tasks (the same kind of page at every size).
    work = (
        initiatives_visible_to(member)
        .filter(key_results__objective=objective)
        .annotate(n=Count("tasks", distinct=True))
        .order_by("-n", "id")
        .first()
    )
    return Targets(
        member,
        cycle,
        team_ref,
        objective.ref,
        with_children[0].ref,
        kr,
        filter_status(organization, cycle, team_ref, today),
        User.objects.filter(organization=organization, role=User.Role.ADMIN).order_by("id").first(),
        work.ref if work is not None else "",
    )


def filter_status(organization: Organization, cycle: Cycle, team_ref: str, today: date) -> str:
    """`at_risk` if the team has such objectives in the cycle, else its commonest status:
    the filtered page must show rows, or its query count would say nothing."""
    expected = engine.expected_progress(today, cycle.start, cycle.end)
    progresses = Objective.objects.filter(
        cycle=cycle, team__ref=team_ref, archived_at__isnull=True
    ).values_list("progress", flat=True)
    statuses = [engine.paced_status(p, expected, organization.bands) for p in progresses]
    if engine.AT_RISK in statuses or not statuses:
        return engine.AT_RISK
    return max(set(statuses), key=statuses.count)


def page_urls(t: Targets) -> list[tuple[str, str]]:
    c = t.cycle.ref
    return [
        ("my focus", "/"),
        ("cycle overview", f"/cycles/{c}/"),
        ("cycle overview, filtered", f"/cycles/{c}/?status={t.status}&team={t.team_ref}"),
        ("team page", f"/teams/{t.team_ref}/"),
        ("objective page", f"/objectives/{t.objective_ref}/"),
        ("alignment map", f"/cycles/{c}/map/"),
        ("map expansion", f"/cycles/{c}/map/children/{t.map_parent_ref}/"),
        ("weekly check-in page", "/checkin/"),
        # Issue 11's pages: search (words of many titles, and of none: every title read),
        # the teams and people lists, the forms of a new objective and of a key result.
        ("search", "/search/?q=onboarding"),
        ("search, nothing found", "/search/?q=zqxj"),
        ("team list", "/teams/"),
        ("people list", "/people/"),
        ("new objective form", "/objectives/new/"),
        ("key result edit", f"/objectives/{t.kr.objective.ref}/key-results/{t.kr.ref}/edit/"),
        # Issue 13's pages: the work of the cycle as a list and as a board, one initiative.
        ("Work page", f"/cycles/{c}/work/"),
        ("Work page, board", f"/cycles/{c}/work/?view=board"),
        # Issue 14: the dashboards (status counts live, trends from the weekly snapshots).
        ("organization dashboard", f"/cycles/{c}/dashboard/"),
        ("team dashboard", f"/cycles/{c}/dashboard/teams/{t.team_ref}/"),
        ("person dashboard", f"/cycles/{c}/dashboard/people/{t.member.pk}/"),
        *([("initiative page", f"/initiatives/{t.initiative_ref}/")] if t.initiative_ref else []),
    ]


def admin_page_urls(t: Targets) -> list[tuple[str, str]]:
    """Issue 11's pages for organization admins, measured as the bench admin."""
    c = t.cycle.ref
    return [
        ("new cycle form (admin)", "/cycles/new/"),
        ("cycle edit (admin)", f"/cycles/{c}/edit/"),
        ("plan next cycle (admin)", f"/cycles/{c}/plan-next/"),
        ("cycle close page (admin)", f"/cycles/{c}/close/"),
        ("team edit (admin)", f"/teams/{t.team_ref}/edit/"),
        ("people list (admin)", "/people/"),
        ("person edit (admin)", f"/people/{t.member.pk}/edit/"),
    ]


def api_urls(t: Targets) -> list[tuple[str, str]]:
    c = t.cycle.ref
    return [
        ("API objectives list", f"{API}/objectives?cycle={c}"),
        (
            "API objectives, filtered",
            f"{API}/objectives?cycle={c}&status={t.status}&team={t.team_ref}",
        ),
        ("API objective detail", f"{API}/objectives/{t.objective_ref}"),
        ("API key results list", f"{API}/key-results?cycle={c}"),
        ("API key result detail", f"{API}/key-results/{t.kr.ref}"),
        ("API check-ins list", f"{API}/checkins?objective={t.objective_ref}"),
        ("API teams list", f"{API}/teams"),
        ("API initiatives list", f"{API}/initiatives?cycle={c}"),
    ]


def host() -> str:
    allowed = [h for h in settings.ALLOWED_HOSTS if h not in ("*", "") and not h.startswith(".")]
    return allowed[0] if allowed else "localhost"


def bench_client(member: User) -> Client:
    # A failing view is recorded as its status (500) rather than ending the run.
    client = Client(HTTP_HOST=host(), raise_request_exception=False)
    client.force_login(member)
    return client


def api_token(member: User) -> str | None:
    """A write token for the member, if the API app (and its token module) exists."""
    try:
        from pacer.api.tokens import token_create
    except ImportError:
        return None
    _, plain = token_create(user=member, name="bench", scope="write", expires_in_days=1)
    return plain


def count_queries(call: Callable[[], Any]) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    return response, len(captured.captured_queries)


def timed(call: Callable[[], Any], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def measure_get(client: Client, name: str, kind: str, url: str, n: int, **extra: Any) -> Item:
    get = lambda: client.get(url, secure=True, **extra)  # noqa: E731
    get()  # warm-up
    response, queries = count_queries(get)
    item = Item(name, kind, url, status=response.status_code, queries=queries)
    if response.status_code == 200:
        samples = timed(get, n)
        item.p50_ms, item.p95_ms = statistics.median(samples), percentile(samples, 0.95)
        item.samples = n
    else:
        item.note = f"HTTP {response.status_code}; not timed"
    return item


def value_for(kr: KeyResult, i: int) -> Decimal:
    assert kr.start is not None and kr.target is not None
    return kr.start + (kr.target - kr.start) * Decimal(i % 10) / 10


def measure_web_checkin(client: Client, t: Targets, n: int, *, htmx: bool) -> Item:
    kr = t.kr
    url = f"/objectives/{kr.objective.ref}/key-results/{kr.ref}/checkin/"
    headers = {"HX-Request": "true"} if htmx else {}
    counter = iter(range(10**9))

    def post() -> Any:
        data = {f"kr{kr.pk}-value": str(value_for(kr, next(counter))), f"kr{kr.pk}-confidence": ""}
        return client.post(url, data, secure=True, headers=headers)

    response, queries = count_queries(post)
    name = "web check-in (htmx, with fragments)" if htmx else "web check-in (POST, redirect)"
    item = Item(name, "write", url, status=response.status_code, queries=queries)
    if response.status_code in (200, 302):
        samples = timed(post, n)
        item.p50_ms, item.p95_ms, item.samples = (
            statistics.median(samples),
            percentile(samples, 0.95),
            n,
        )
    else:
        item.note = f"HTTP {response.status_code}; not timed"
    return item


def measure_api_checkin(client: Client, t: Targets, token: str, n: int) -> Item:
    kr = t.kr
    url = f"{API}/key-results/{kr.ref}/checkins"
    counter = iter(range(10**9))

    def post() -> Any:
        body = {"value": str(value_for(kr, next(counter))), "confidence": "on_track"}
        return client.post(
            url,
            json.dumps(body),
            content_type="application/json",
            secure=True,
            headers={"Authorization": f"Bearer {token}"},
        )

    response, queries = count_queries(post)
    item = Item(API_CHECKIN, "write", url, status=response.status_code, queries=queries)
    if response.status_code == 201:
        samples = timed(post, n)
        item.p50_ms, item.p95_ms, item.samples = (
            statistics.median(samples),
            percentile(samples, 0.95),
            n,
        )
    else:
        item.note = response.content.decode()[:200]
    return item


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure_files(organization: Organization, n_objectives: int, seed: int) -> list[Item]:
    """Import an n-objective OKR file into a new organization, export it, export the bench
    organization in full, and remove the imported organization again."""
    from pacer.bench.generate import delete_organization
    from pacer.okrs.okrfile.exporter import Exporter
    from pacer.okrs.okrfile.importer import import_file

    items = []
    name = f"{organization.name} Import"
    existing = Organization.objects.filter(name=name).first()
    if existing is not None:
        delete_organization(existing)
    document = okr_document(name, n_objectives=n_objectives, seed=seed, today=date.today())
    stats = document.pop("_stats")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.yaml"
        write_yaml(document, path)
        size = path.stat().st_size
        started = time.perf_counter()
        import_file(str(path))
        seconds = time.perf_counter() - started
    items.append(
        Item(
            f"import {n_objectives:,}-objective YAML",
            "file",
            p50_ms=seconds * 1000,
            samples=1,
            note=f"{stats['key_results']:,} key results, {stats['checkins']:,} check-ins, "
            f"{size / 1e6:.1f} MB",
        )
    )
    imported = Organization.objects.get(name=name)
    for label, render in (
        ("export it as YAML", lambda e: e.to_yaml()),
        ("export it as JSON", lambda e: e.to_json()),
    ):
        started = time.perf_counter()
        text = render(Exporter(imported, computed=label.endswith("JSON")))
        items.append(
            Item(
                label,
                "file",
                p50_ms=(time.perf_counter() - started) * 1000,
                samples=1,
                note=f"{len(text) / 1e6:.1f} MB",
            )
        )
    started = time.perf_counter()
    delete_organization(imported)
    cleanup = time.perf_counter() - started
    started = time.perf_counter()
    text = Exporter(organization, computed=True).to_json()
    items.append(
        Item(
            FULL_EXPORT,
            "file",
            p50_ms=(time.perf_counter() - started) * 1000,
            samples=1,
            note=f"{len(text) / 1e6:.1f} MB (imported org removed in {cleanup:.1f} s)",
        )
    )
    return items


def machine() -> dict[str, Any]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "platform": platform.platform(),
        "database": connection.vendor,
        # Other work on the machine skews timings: the load average at the start says how much.
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "database_version": database_version(),
    }


def database_version() -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])


def collect(
    *,
    name: str = DEFAULT_NAME,
    scale: str = "small",
    requests: int = 30,
    import_objectives: int | None = None,
    skip_import: bool = False,
    log: Callable[[str], None] = lambda line: None,
) -> Result:
    organization = Organization.objects.get(name=name)
    member = User.objects.get(email=member_email(name))
    counts = {
        "people": User.objects.filter(organization=organization).count(),
        "objectives": Objective.objects.filter(organization=organization).count(),
        "key_results": KeyResult.objects.filter(organization=organization).count(),
        "checkins": CheckIn.objects.filter(key_result__organization=organization).count(),
        "initiatives": Initiative.objects.filter(organization=organization).count(),
        "tasks": Task.objects.filter(initiative__organization=organization).count(),
    }
    result = Result(
        connection.vendor, scale, timezone.now().isoformat(timespec="seconds"), machine(), counts
    )
    t = choose_targets(organization, member)
    client = bench_client(member)
    freeze_startup_heap()  # as pacer.wsgi does before a server's first request
    try:
        for label, url in page_urls(t):
            result.items.append(measure_get(client, label, "page", url, requests))
            log(f"{label}: done")
        if t.admin is not None:
            admin_client = bench_client(t.admin)
            for label, url in admin_page_urls(t):
                result.items.append(measure_get(admin_client, label, "page", url, requests))
                log(f"{label}: done")
        token = api_token(member)
        probe = None
        if token is not None:
            probe = client.get(
                f"{API}/objectives?limit=1",
                secure=True,
                headers={"Authorization": f"Bearer {token}"},
            )
        if probe is None or probe.status_code != 200:
            why = "no pacer.api.tokens" if token is None else f"HTTP {probe.status_code}"  # type: ignore[union-attr]
            result.notes.append(f"API not measured: {API} did not answer ({why}).")
        else:
            auth = {"headers": {"Authorization": f"Bearer {token}"}}
            for label, url in api_urls(t):
                result.items.append(measure_get(client, label, "api", url, requests, **auth))
                log(f"{label}: done")
        result.items.append(measure_web_checkin(client, t, requests, htmx=False))
        result.items.append(measure_web_checkin(client, t, requests, htmx=True))
        if token is not None and probe is not None and probe.status_code == 200:
            result.items.append(measure_api_checkin(client, t, token, requests))
        log("writes: done")
        result.items.append(
            Item("peak RSS after pages, API and writes", "memory", p50_ms=peak_rss_mb())
        )
        if not skip_import:
            n = import_objectives or SCALES[scale].import_objectives
            result.items += measure_files(organization, n, seed=1)
            result.items.append(Item(PEAK_AFTER_FILES, "memory", p50_ms=peak_rss_mb()))
    finally:
        gc.unfreeze()
    return result


# Issue 16's targets for what `bench run` measures (the throughput run's are in
# pacer.bench.throughput): every page and list p95, the API check-in in-process p95, the
# 10,000-objective import and the full export in seconds, the run's peak memory in MB (the
# import's bound; it is the highest of the run's steps).
PAGE_P95_MS = 100.0
API_CHECKIN_P95_MS = 5.0
IMPORT_SECONDS = 30.0
FULL_EXPORT_SECONDS = 30.0
PEAK_RSS_MB = 1000.0


def target(item: Item) -> tuple[str, float] | None:
    """(the target as printed, the figure it bounds) for an item issue 16 sets one for."""
    if item.kind in ("page", "api") and item.p95_ms is not None:
        return f"p95 <= {PAGE_P95_MS:.0f} ms", item.p95_ms / PAGE_P95_MS
    if item.name == API_CHECKIN and item.p95_ms is not None:
        return f"p95 <= {API_CHECKIN_P95_MS:.0f} ms", item.p95_ms / API_CHECKIN_P95_MS
    seconds = (item.p50_ms or 0) / 1000
    if item.kind == "file" and item.name.startswith("import "):
        return f"<= {IMPORT_SECONDS:.0f} s", seconds / IMPORT_SECONDS
    if item.kind == "file" and item.name == FULL_EXPORT:
        return f"<= {FULL_EXPORT_SECONDS:.0f} s", seconds / FULL_EXPORT_SECONDS
    if item.name == PEAK_AFTER_FILES:
        return f"<= {PEAK_RSS_MB:,.0f} MB", (item.p50_ms or 0) / PEAK_RSS_MB
    return None


def verdict(item: Item) -> str:
    """The target beside the figure: "met", or by how much it is missed."""
    found = target(item)
    if found is None:
        return ""
    limit, share = found
    return f"{limit}: " + ("met" if share <= 1 else f"missed by {share:.1f}x")


def table(result: Result) -> str:
    head = (
        f"{'item':<40} {'status':>6} {'queries':>7} {'p50 ms':>9} {'p95 ms':>9}  "
        "target: verdict  note"
    )
    lines = [
        f"Pacer bench — {result.database} ({result.machine['database_version']}), "
        f"scale {result.scale}: "
        + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in result.counts.items()),
        head,
        "-" * len(head),
    ]
    for item in result.items:
        tail = "  ".join(text for text in (verdict(item), item.note) if text)
        if item.kind == "memory":
            lines.append(f"{item.name:<40} {'':>6} {'':>7} {item.p50_ms:>8.0f}MB  {tail}")
            continue
        if item.kind == "file":
            seconds = (item.p50_ms or 0) / 1000
            lines.append(f"{item.name:<40} {'':>6} {'':>7} {seconds:>8.2f}s  {tail}")
            continue
        p50 = "-" if item.p50_ms is None else f"{item.p50_ms:.1f}"
        p95 = "-" if item.p95_ms is None else f"{item.p95_ms:.1f}"
        queries = "-" if item.queries is None else str(item.queries)
        lines.append(f"{item.name:<40} {item.status:>6} {queries:>7} {p50:>9} {p95:>9}  {tail}")
    lines += [f"note: {note}" for note in result.notes]
    return "\n".join(lines)


def default_output(result: Result) -> Path:
    suffix = "" if result.scale == "small" else f"-{result.scale}"
    return Path("bench/results") / f"{date.today().isoformat()}-{result.database}{suffix}.json"


def run(options: dict[str, Any], out: TextIOBase) -> Result:
    result = collect(
        name=options.get("name") or DEFAULT_NAME,
        scale=options.get("scale") or "small",
        requests=options.get("requests") or 30,
        import_objectives=options.get("import_objectives"),
        skip_import=bool(options.get("skip_import")),
        log=lambda line: print(line, file=sys.stderr),
    )
    out.write(table(result) + "\n")
    path = options.get("output") or default_output(result)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = asdict(result)
    for entry, item in zip(data["items"], result.items, strict=True):
        entry["target"] = verdict(item)
    data["command"] = " ".join(["pacer", *sys.argv[1:]])
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    out.write(f"written to {path}\n")
    return result


__all__ = ["collect", "run", "table"]
