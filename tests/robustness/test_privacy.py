"""Privacy sweep: one private objective, and an outsider who walks everything.

The outsider (a member of another team) walks every web page (every URL pattern, filled with
every object, the private ones included, plus a crawl of every link and htmx URL it can
reach), every GET operation of the API (filled the same way, every page of every list,
searches for the secret), and every export format. The private objective's title, ref, key
results and check-in note must appear nowhere. The owner, walking the same paths, does see
them: the sweep would notice a leak.
"""

from __future__ import annotations

import json
import re
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from pacer.api.tokens import token_create
from pacer.initiatives.models import Initiative, Task
from pacer.okrs.models import KeyResult, Milestone, Objective, Team
from pacer.webhooks.models import Webhook
from tests.factories import run_command
from tests.robustness.world import SECRET_REF, SECRET_TITLE, SECRETS, World, build_world, web_urls

pytestmark = pytest.mark.django_db
OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
LINK = re.compile(r'(?:href|hx-get|action)="([^"#]*)"')
QUERIES = ("q=Zephyr", "q=Secret", "q=merger", "owner=olga@acme.test", "team=core")


@pytest.fixture
def world() -> World:
    return build_world()


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s.lower() in text.lower()]


def crawl(client: Client, seeds: list[str], limit: int = 2000) -> dict[str, tuple[int, str]]:
    """GET the seeds and every same-site link, htmx URL and GET form they lead to."""
    seen: dict[str, tuple[int, str]] = {}
    queue = deque(seeds)
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen or url.startswith(("/api/", "/static/", "/logout")):
            continue
        response = client.get(url)
        body = response.content.decode("utf-8", "replace")
        seen[url] = (response.status_code, body)
        if response.status_code in (301, 302):
            queue.append(response["Location"])
        for link in LINK.findall(body):
            link = link.replace("&amp;", "&")
            absolute = urljoin(url, link)
            if urlsplit(absolute).netloc in ("", "testserver"):
                parts = urlsplit(absolute)
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def web_sweep(client: Client) -> dict[str, tuple[int, str]]:
    objectives = list(Objective.objects.order_by("pk"))
    patterns = web_urls(objectives)
    seeds = [url for urls in patterns.values() for url in urls]
    lists = [
        u
        for name in (
            "focus",
            "cycle_overview",
            "team_detail",
            "alignment_map",
            "missing_checkins",
            "checkin_week",
        )
        for u in patterns[name]
    ]
    seeds += [f"{u}?{q}" for u in lists for q in QUERIES]
    return crawl(client, seeds)


def api_get_paths() -> list[tuple[str, dict[str, Any]]]:
    spec = json.loads(OPENAPI.read_text())
    return [
        (path, op) for path, ops in spec["paths"].items() for m, op in ops.items() if m == "get"
    ]


def fill(path: str) -> list[str]:
    values = {
        "ref": None,
        "email": [p for p in ("ada@acme.test", "olga@acme.test", "otto@acme.test")],
        "milestone_id": [str(m.pk) for m in Milestone.objects.all()],
        "kind": ["slack", "teams"],
        "webhook_id": [str(pk) for pk in Webhook.objects.values_list("pk", flat=True)] or ["1"],
        "task_id": [str(pk) for pk in Task.objects.values_list("pk", flat=True)] or ["1"],
    }
    if path.startswith("/api/v1/teams/"):
        refs = list(Team.objects.values_list("ref", flat=True))
    elif path.startswith("/api/v1/cycles/"):
        refs = ["now", "next", "past"]
    elif path.startswith("/api/v1/key-results/"):
        refs = list(KeyResult.objects.values_list("ref", flat=True))
    elif path.startswith("/api/v1/initiatives/"):
        refs = list(Initiative.objects.values_list("ref", flat=True)) or ["no-such-work"]
    elif path.startswith("/api/v1/kpis/"):
        from pacer.kpis.models import KPI

        refs = list(KPI.objects.values_list("ref", flat=True)) or ["no-such-kpi"]
    else:
        refs = list(Objective.objects.values_list("ref", flat=True))
    urls = [path]
    for name in re.findall(r"{(\w+)}", path):
        options = refs if name == "ref" else values[name]
        urls = [u.replace("{" + name + "}", v) for u in urls for v in options]
    return urls


def api_sweep(token: str) -> dict[str, tuple[int, str]]:
    client = Client(headers={"Authorization": f"Bearer {token}"})
    seen: dict[str, tuple[int, str]] = {}
    filters = {
        "q": ["Zephyr", "zephyr", "Secret merger", SECRET_REF],
        "objective": [SECRET_REF],
        "key_result": ["zephyr-term-sheet", "zephyr-steps"],
        "visibility": ["private"],
        "owner": ["olga@acme.test"],
        "team": ["core"],
        "cycle": ["now"],
        "author": ["olga@acme.test"],
        "archived": ["true", "false"],
        "type": ["metric", "milestones"],
    }
    for path, op in api_get_paths():
        query_names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        variants = [""] + [
            f"{name}={value}"
            for name in sorted(query_names & set(filters))
            for value in filters[name]
        ]
        if "since" in query_names:
            variants.append("since=2000-01-01T00:00:00Z")
        for url in fill(path):
            for query in variants:
                full = f"{url}?{query}" if query else url
                while full:
                    response = client.get(full)
                    body = response.content.decode("utf-8", "replace")
                    seen[full] = (response.status_code, body)
                    cursor = (
                        response.json().get("next_cursor")
                        if response.status_code == 200 and body.startswith("{")
                        else None
                    )
                    joiner = "&" if "?" in url + (f"?{query}" if query else "") else "?"
                    base = f"{url}?{query}" if query else url
                    full = f"{base}{joiner}cursor={cursor}" if cursor else ""
    return seen


def exports(email: str) -> dict[str, str]:
    out = {}
    for fmt in ("yaml", "json", "csv"):
        out[fmt] = run_command("export", "--format", fmt, "--as", email)
        out[f"{fmt} --cycle now"] = run_command(
            "export", "--format", fmt, "--as", email, "--cycle", "now"
        )
    return out


def test_an_outsider_never_sees_the_private_objective(world: World) -> None:
    outsider = Client()
    outsider.force_login(world.outsider)
    pages = web_sweep(outsider)
    _, token = token_create(user=world.outsider, name="sweep", scope="read", expires_in_days=None)
    endpoints = api_sweep(token)
    files = exports(world.outsider.email)

    assert not [s for u, (status, _) in pages.items() if (s := status) >= 500], "a page failed"
    assert not [u for u, (s, _) in endpoints.items() if s >= 500], "an endpoint failed"
    leaked = {u: leaks(body) for u, (_, body) in {**pages, **endpoints}.items() if leaks(body)}
    leaked |= {f"export {fmt}": leaks(text) for fmt, text in files.items() if leaks(text)}
    assert not leaked, leaked
    # The secret's own URLs are a plain 404, as if it did not exist.
    secret_urls = [u for u in pages if f"/{SECRET_REF}/" in u and "?" not in u]
    assert secret_urls and pages[f"/objectives/{SECRET_REF}/"][0] == 404
    # ... and every URL of it answers as the same URL of an objective that does not exist.
    differ = {
        u: (pages[u][0], outsider.get(u.replace(SECRET_REF, "no-such-goal")).status_code)
        for u in secret_urls
    }
    assert all(a == b for a, b in differ.values()), differ
    assert endpoints[f"/api/v1/objectives/{SECRET_REF}"][0] == 404
    ok_pages = sum(1 for s, _ in pages.values() if s == 200)

    # The same walk as the owner finds the secret: the sweep can see a leak.
    owner = Client()
    owner.force_login(world.owner)
    owner_pages = crawl(owner, ["/"], limit=100)
    assert any(SECRET_TITLE in body for _, body in owner_pages.values())
    _, owner_token = token_create(user=world.owner, name="s", scope="read", expires_in_days=None)
    owner_api = Client(headers={"Authorization": f"Bearer {owner_token}"})
    assert SECRET_TITLE in owner_api.get("/api/v1/objectives?q=Zephyr").content.decode()
    assert all(SECRET_TITLE in text for text in exports(world.owner.email).values())

    print(
        f"\n[privacy] web: {len(pages)} URLs swept ({ok_pages} answered 200, "
        f"{len(secret_urls)} URLs of the secret answer as for a missing objective); "
        f"API: {len(endpoints)} GET requests over {len(api_get_paths())} operations "
        f"(all pages, searches for Zephyr); exports: {len(files)} "
        "(yaml, json, csv; whole and --cycle); "
        f"{len(SECRETS)} secret strings, 0 leaks"
    )
