"""Bad input sweep: every field of every web form and every API operation gets hostile text.

Payloads: 1 MB of text, control characters (NUL included), invalid UTF-8 (raw bytes in the
body), HTML/JS and an SQL fragment. The answer must be a clear 4xx, or a success that shows
the literal text escaped: never a 500, never the markup unescaped in an HTML page, and the
tables are all still there afterwards. Each request runs in a savepoint that is rolled back,
so every form is tried against the same, intact data.
"""

from __future__ import annotations

import itertools
import json
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from django.test import Client

from pacer.api.tokens import token_create
from pacer.okrs.models import Objective
from tests.robustness.world import World, build_world, forms_of, web_urls

pytestmark = pytest.mark.django_db
OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"

HTML = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")
SQL = "'; DROP TABLE okrs_objective; --"
PAYLOADS: dict[str, str | bytes] = {
    "1 MB": "x" * 1_000_000,
    "control": "a\x01b\x07c\x1b[31m\x7f\u202e\r\nd",
    "nul": "before\x00after",
    "invalid utf-8": b"\xff\xfe\xc3\x28 \xed\xa0\x80",
    "script": HTML[0],
    "img": HTML[1],
    "sql": SQL,
}


@pytest.fixture
def world(tmp_path: Path, settings: Any) -> World:
    sweep = tmp_path / "sweep.db"  # the SQL database of the data source bodies (PACER_SQL_SOURCES)
    sweep.touch()
    settings.PACER_SQL_SOURCES = {"sweep": f"sqlite:///{sweep}"}
    return build_world()


class Tally:
    def __init__(self) -> None:
        self.requests = 0
        self.statuses: dict[int, int] = {}
        self.escaped = 0
        self.paths: set[str] = set()
        self.problems: list[str] = []

    def check(self, label: str, response: Any, payload: str | bytes) -> None:
        self.requests += 1
        status = response.status_code
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500:
            self.problems.append(f"{label}: {status}")
            return
        body = response.content.decode("utf-8", "replace")
        if response.get("Content-Type", "").startswith("text/html"):
            for raw in HTML:
                if raw in body:
                    self.problems.append(f"{label}: {raw} shown unescaped")
            if isinstance(payload, str) and payload in HTML and escape(payload) in body:
                self.escaped += 1


def web_forms(client: Client, objectives: list[Objective]) -> dict[tuple[str, str], Any]:
    """Every form on every page the admin can GET, by (method, action)."""
    found: dict[tuple[str, str], Any] = {}
    for urls in web_urls(objectives).values():
        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for form in forms_of(response.content.decode(), url):
                if form.action.startswith("/logout"):
                    continue
                found.setdefault((form.method, form.action.split("?")[0]), form)
    return found


def encode(data: dict[str, list[str]], name: str, payload: str | bytes) -> bytes:
    pairs = [(k, v) for k, values in data.items() if k != name for v in values]
    body = urlencode(pairs).encode()
    value = payload if isinstance(payload, bytes) else quote(payload).encode()
    return body + b"&" + name.encode() + b"=" + value


def test_every_web_form_field_survives_hostile_input(world: World) -> None:
    tally = Tally()
    admin = Client(raise_request_exception=False)
    admin.force_login(world.admin)
    anonymous = Client(raise_request_exception=False)
    objectives = [world.public, world.secret]
    forms = web_forms(admin, objectives) | web_forms(anonymous, objectives)
    fields = 0
    for (method, action), form in sorted(forms.items()):
        client = anonymous if action.startswith(("/login", "/password", "/reset")) else admin
        headers = {"HX-Request": "true"} if form.htmx else {}
        for name in form.text_fields():
            fields += 1
            tally.paths.add(action)
            for label, payload in PAYLOADS.items():
                where = f"{method.upper()} {action} {name} <- {label}"
                with transaction.atomic():
                    if method == "post":
                        response = client.generic(
                            "POST",
                            action,
                            encode(form.data(), name, payload),
                            content_type="application/x-www-form-urlencoded",
                            headers=headers,
                        )
                    else:
                        query = encode(form.data(), name, payload).decode("latin-1")
                        response = client.get(f"{action}?{query}", headers=headers)
                    tally.check(where, response, payload)
                    if response.status_code in (301, 302, 303):
                        tally.check(
                            where + " (redirect)", client.get(response["Location"]), payload
                        )
                    if payload in HTML or payload == SQL:
                        # The page the form lives on, after the write, shows it escaped.
                        tally.check(where + " (page)", client.get(world_page(action)), payload)
                    transaction.set_rollback(True)
    # Query parameters the pages read that no form carries.
    for url in ("/?cycle=", "/objectives/new/?cycle=", "/teams/core/?cycle=", "/cycles/?page="):
        tally.paths.add(url)
        for label, payload in PAYLOADS.items():
            value = quote(payload, safe="")
            tally.check(f"GET {url} <- {label}", admin.get(url + value), payload)
    assert Objective.objects.count() >= 4  # the SQL fragment dropped nothing
    assert not tally.problems, tally.problems[:20]
    assert tally.escaped > 0, "no HTML payload was ever shown back: did the sweep write?"
    print(
        f"\n[bad-input:web] {len(forms)} forms on {len(tally.paths)} paths, {fields} fields x "
        f"{len(PAYLOADS)} payloads = {fields * len(PAYLOADS)} submissions "
        f"({tally.requests} requests with redirects and re-reads); statuses "
        f"{dict(sorted(tally.statuses.items()))}; HTML payload shown escaped "
        f"{tally.escaped} times; 0 server errors, 0 unescaped"
    )


def world_page(action: str) -> str:
    """The objective page for a form under /objectives/<ref>/..., else the action itself."""
    parts = action.strip("/").split("/")
    if parts[0] == "objectives" and len(parts) > 1 and parts[1] != "new":
        return f"/objectives/{parts[1]}/"
    return action


# --- The API --------------------------------------------------------------------------------


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def string_paths(spec: dict[str, Any], schema: dict[str, Any], trail: tuple = ()) -> list[tuple]:
    """Paths (keys and list indexes) of every string-accepting property of a body schema."""
    schema = resolve(spec, schema)
    options = schema.get("anyOf") or schema.get("oneOf") or [schema]
    found: list[tuple] = []
    for option in options:
        option = resolve(spec, option)
        kind = option.get("type")
        if kind == "string" and trail not in found:
            found.append(trail)
        elif kind == "object":
            for key, sub in option.get("properties", {}).items():
                found += [p for p in string_paths(spec, sub, (*trail, key)) if p not in found]
        elif kind == "array":
            found += [p for p in string_paths(spec, option["items"], (*trail, 0)) if p not in found]
    return found


PUBLIC_HOOK = "https://93.184.215.14/pacer-hook"  # a public address: registering needs no DNS

# A valid body for every operation that takes one; the sweep swaps one string at a time.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/organization"): {"at_risk_gap": 0.1, "off_track_gap": 0.3},
    ("POST", "/cycles"): {"ref": "q9", "name": "Q9", "start": "2030-01-01", "end": "2030-03-31"},
    ("PATCH", "/cycles/{ref}"): {"name": "Now"},
    ("POST", "/objectives"): {
        "cycle": "now",
        "title": "New goal",
        "description": "d",
        "team": "core",
        "key_results": [{"title": "KR", "type": "metric", "start": 0, "target": 10, "unit": "%"}],
        "parents": ["launch"],
    },
    ("PATCH", "/objectives/{ref}"): {"title": "Launch", "description": "d"},
    ("POST", "/objectives/{ref}/copy"): {"cycle": "next", "key_results": ["adoption"]},
    ("PUT", "/objectives/{ref}/retrospective"): {
        "score_override": 0.5,
        "override_reason": "r",
        "went_well": "w",
        "went_wrong": "x",
        "learned": "l",
    },
    ("PATCH", "/key-results/{ref}"): {"title": "Adoption", "unit": "%", "description": "d"},
    ("POST", "/objectives/{ref}/key-results"): {
        "title": "KR",
        "type": "metric",
        "start": 0,
        "target": 10,
        "unit": "%",
    },
    ("POST", "/key-results/{ref}/move"): {"objective": "child"},
    ("POST", "/key-results/{ref}/milestones"): {"title": "Step"},
    ("PATCH", "/key-results/{ref}/milestones/{milestone_id}"): {"title": "Step"},
    ("POST", "/key-results/{ref}/checkins"): {"value": 42, "note": "n", "confidence": "on_track"},
    # A data source on the world fixture's SQLite file: saving and previewing need no network.
    ("PUT", "/key-results/{ref}/source"): {
        "kind": "sql",
        "database": "sweep",
        "query": "SELECT 42",
    },
    ("POST", "/key-results/{ref}/source/preview"): {
        "kind": "sql",
        "database": "sweep",
        "query": "SELECT 42",
    },
    ("POST", "/checkins/bulk"): {"items": [{"key_result": "adoption", "value": 1, "note": "n"}]},
    ("POST", "/notifications/read"): {"all": True},
    ("PUT", "/notifications/preferences"): {"preferences": {"at_risk": {"email": True}}},
    ("PUT", "/teams/{ref}/channels/{kind}"): {"url": "https://52.95.110.1/services/T/B/x"},
    ("POST", "/objectives/{ref}/comments"): {"body": "Nice", "key_result": "adoption"},
    ("PATCH", "/comments/{comment_id}"): {"body": "Edited"},
    ("POST", "/webhooks"): {"url": PUBLIC_HOOK, "events": ["cycle.closed"]},
    ("PATCH", "/webhooks/{webhook_id}"): {"active": False},
    ("POST", "/initiatives"): {
        "cycle": "now",
        "title": "Work",
        "description": "d",
        "owner": "olga@acme.test",
        "team": "core",
        "status": "in_progress",
        "start": "2030-01-01",
        "due": "2030-02-01",
        "key_results": ["adoption"],
        "link": "https://github.com/acme/web/milestone/1",
    },
    ("PATCH", "/initiatives/{ref}"): {
        "title": "Renamed",
        "description": "d",
        "status": "blocked",
        "due": "2030-02-01",
        "link": "https://github.com/acme/web/milestone/2",
    },
    ("POST", "/initiatives/{ref}/tasks"): {
        "title": "Step",
        "assignee": "olga@acme.test",
        "due": "2030-01-01",
    },
    ("PATCH", "/initiatives/{ref}/tasks/{task_id}"): {"title": "Step", "done": True},
    ("POST", "/initiatives/{ref}/updates"): {"status": "blocked", "note": "n"},
    ("POST", "/kpis"): {
        "name": "Uptime",
        "description": "d",
        "unit": "%",
        "owner": "olga@acme.test",
        "team": "core",
        "kind": "stay_above",
        "threshold": 99.9,
    },
    ("PATCH", "/kpis/{ref}"): {"name": "Renamed", "description": "d", "unit": "h"},
    ("POST", "/kpis/{ref}/values"): {"value": 99.5, "note": "n"},
    ("PUT", "/kpis/{ref}/source"): {"kind": "sql", "database": "sweep", "query": "SELECT 42"},
    ("POST", "/kpis/{ref}/source/preview"): {
        "kind": "sql",
        "database": "sweep",
        "query": "SELECT 42",
    },
}


def concrete(path: str, world: World) -> str:
    """The path with valid values for its parameters."""
    from pacer.okrs.models import Milestone

    milestone = Milestone.objects.filter(key_result__objective=world.public).first()
    if path.startswith("/cycles/"):
        ref = "now"
    elif "milestones" in path:
        ref = "training"
    elif path.startswith("/key-results/"):
        ref = "adoption"
    elif path.startswith("/teams/"):
        ref = "core"
    elif path.startswith("/initiatives/"):
        ref = public_work(world).ref
    elif path.startswith("/kpis/"):
        ref = "service-uptime"  # world.build_kpi
    else:
        ref = "launch"
    return (
        path.replace("{ref}", ref)
        .replace("{parent_ref}", "child")
        .replace("{milestone_id}", str(milestone.pk if milestone else 0))
        .replace("{checkin_id}", "1")
        .replace("{email}", "olga@acme.test")
        .replace("{kind}", "slack")
        .replace("{comment_id}", str(admins_comment(world) if "{comment_id}" in path else 0))
        .replace("{webhook_id}", str(admins_webhook(world) if "{webhook_id}" in path else 0))
        .replace("{delivery_id}", "00000000-0000-4000-8000-000000000000")
        .replace("{task_id}", str(public_task(world) if "{task_id}" in path else 0))
        .replace("{value_id}", str(kpi_value(world) if "{value_id}" in path else 0))
    )


def kpi_value(world: World) -> int:
    from pacer.kpis.models import KPIValue

    found = KPIValue.objects.filter(kpi__organization=world.organization).first()
    return found.pk if found else 1


def public_work(world: World) -> Any:
    """Work under the public objective (the world's, else one made here)."""
    from pacer.initiatives import services
    from pacer.initiatives.models import Initiative

    found = Initiative.objects.filter(key_results__objective=world.public).first()
    if found is None:
        spec = services.InitiativeSpec(
            title="Onboarding revamp", owner=world.owner, key_results=[world.metric]
        )
        found = services.initiative_create(cycle=world.cycle, spec=spec)
    return found


def public_task(world: World) -> int:
    from pacer.initiatives import services

    work = public_work(world)
    found = work.tasks.first()
    if found is None:
        found = services.task_create(initiative=work, title="Write the guide")
    return int(found.pk)


def admins_webhook(world: World) -> int:
    """A webhook of the sweep's caller's organization (webhooks are admins')."""
    from pacer.webhooks import services
    from pacer.webhooks.models import Webhook

    found = Webhook.objects.filter(organization=world.organization).first()
    if found is None:
        found = services.webhook_create(
            by=world.admin, url=PUBLIC_HOOK, events=["cycle.closed"]
        ).webhook
    return found.pk


def admins_comment(world: World) -> int:
    """A comment the sweep's caller (the admin) wrote, so that editing it is allowed."""
    from pacer.okrs import services
    from pacer.okrs.models import Comment

    found = Comment.objects.filter(author=world.admin).first()
    if found is None:
        found = services.comment_create(author=world.admin, objective=world.public, body="Hi")
    return found.pk


def put(body: Any, trail: tuple, value: Any) -> Any:
    body = json.loads(json.dumps(body))
    target = body
    for step, following in itertools.pairwise(trail):
        if isinstance(step, str) and step not in target:
            target[step] = [{}] if isinstance(following, int) else {}
        if isinstance(following, int) and isinstance(target[step], list) and not target[step]:
            target[step].append({})
        target = target[step]
    if isinstance(trail[-1], int) and isinstance(target, list) and not target:
        target.append(value)
    else:
        target[trail[-1]] = value
    return body


def test_every_api_operation_survives_hostile_input(world: World) -> None:
    spec = json.loads(OPENAPI.read_text())
    _, token = token_create(user=world.admin, name="sweep", scope="write", expires_in_days=None)
    client = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {token}"})
    web = Client(raise_request_exception=False)
    web.force_login(world.admin)
    tally = Tally()
    operations = 0
    valid = 0
    for path, ops in spec["paths"].items():
        short = path.removeprefix("/api/v1")
        for method, op in ops.items():
            method = method.upper()
            url = "/api/v1" + concrete(short, world)
            targets: list[tuple[str, Any]] = []  # (what, how to send a payload)
            if "requestBody" in op:
                assert (method, short) in BODIES, f"no valid body known for {method} {short}"
                base = BODIES[(method, short)]
                with transaction.atomic():  # the base body itself is accepted
                    response = client.generic(method, url, json.dumps(base), "application/json")
                    assert response.status_code < 300, (method, short, response.content)
                    valid += 1
                    transaction.set_rollback(True)
                schema = op["requestBody"]["content"]["application/json"]["schema"]
                for trail in string_paths(spec, schema):
                    if trail and all(isinstance(s, str) or s < 1 for s in trail):
                        targets.append((".".join(map(str, trail)), ("body", trail, base)))
                targets.append(("raw body", ("raw", (), base)))
            for parameter in op.get("parameters", []):
                if parameter["in"] == "query":
                    targets.append((f"?{parameter['name']}", ("query", parameter["name"], None)))
                elif parameter["in"] == "path":
                    targets.append((f"{{{parameter['name']}}}", ("path", parameter["name"], None)))
            if not targets:
                continue
            operations += 1
            tally.paths.add(f"{method} {short}")
            for what, (where, name, base) in targets:
                for label, payload in PAYLOADS.items():
                    text = payload.decode("latin-1") if isinstance(payload, bytes) else payload
                    with transaction.atomic():
                        if where == "body":
                            send = json.dumps(put(base, name, text)).encode()
                            if isinstance(payload, bytes):  # invalid UTF-8 inside the JSON
                                send = (
                                    json.dumps(put(base, name, "@@"))
                                    .encode()
                                    .replace(b"@@", payload)
                                )
                            response = client.generic(method, url, send, "application/json")
                        elif where == "raw":
                            if label != "invalid utf-8":
                                transaction.set_rollback(True)
                                continue
                            response = client.generic(method, url, payload, "application/json")
                        elif where == "query":
                            sep = "&" if "?" in url else "?"
                            response = client.generic(method, f"{url}{sep}{name}={quote(payload)}")
                        else:
                            segment = quote(payload, safe="")
                            hostile = short.replace("{" + name + "}", segment)
                            response = client.generic(method, "/api/v1" + concrete(hostile, world))
                        tally.check(f"{method} {short} {what} <- {label}", response, payload)
                        if response.status_code < 300 and (payload in HTML or payload == SQL):
                            # What the API stored, the web shows escaped.
                            for page in ("/objectives/launch/", "/cycles/now/"):
                                tally.check(
                                    f"{page} after {method} {short} {what}", web.get(page), payload
                                )
                        transaction.set_rollback(True)
    assert Objective.objects.count() >= 4
    assert not tally.problems, tally.problems[:20]
    assert tally.escaped > 0
    print(
        f"\n[bad-input:api] {operations} operations ({len(spec['paths'])} paths), "
        f"{tally.requests} requests ({len(PAYLOADS)} payloads into every body string, "
        f"query and path parameter; invalid UTF-8 also as the whole body); statuses "
        f"{dict(sorted(tally.statuses.items()))}; {valid} valid base bodies accepted; "
        f"HTML stored via the API shown escaped on web pages {tally.escaped} times; "
        "0 server errors, 0 unescaped"
    )
