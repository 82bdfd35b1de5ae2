"""The organization the sweeps walk, every URL of the web app, and an HTML form reader.

Acme: Ada administers it; Olga owns the objectives and is in the core team; Otto is a member
in the sales team only (the outsider). Objectives: a public one with a key result of each
kind, a public child aligned to it, a private one ("Secret merger Zephyr-9", the one the
privacy sweep hunts) with its own key results, milestones and check-ins, and one in a
closed cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from pacer.accounts.models import User
from pacer.events.dispatch import dispatch_events
from pacer.okrs import services
from pacer.okrs.models import (
    Alignment,
    Cycle,
    KeyResult,
    Milestone,
    Objective,
    Organization,
    Team,
)
from tests.factories import (
    check_in,
    make_cycle,
    make_key_result,
    make_milestones,
    make_objective,
    make_organization,
    make_person,
    make_team,
)

SECRET_TITLE = "Secret merger Zephyr-9"
SECRET_REF = "zephyr-merger-9"
SECRET_KR_TITLE = "Zephyr term sheet signed"
SECRET_KR_REF = "zephyr-term-sheet"
SECRET_NOTE = "Zephyr diligence call went well"
SECRET_COMMENT = "Zephyr lawyers want the data room by Friday"
SECRET_WORK_TITLE = "Zephyr integration plan"
SECRET_WORK_REF = "zephyr-integration-9"
SECRET_TASK = "Zephyr data room checklist"
SECRET_WORK_NOTE = "Zephyr lawyers are slow"
SECRETS = (
    SECRET_TITLE,
    SECRET_REF,
    SECRET_KR_TITLE,
    SECRET_KR_REF,
    SECRET_NOTE,
    SECRET_COMMENT,
    SECRET_WORK_TITLE,
    SECRET_WORK_REF,
    SECRET_TASK,
    SECRET_WORK_NOTE,
)


@dataclass
class World:
    organization: Organization
    admin: User
    owner: User
    outsider: User
    cycle: Cycle
    public: Objective
    secret: Objective
    metric: KeyResult
    extra: dict[str, Any] = field(default_factory=dict)


def build_world() -> World:
    acme = make_organization("Acme")
    admin = make_person(acme, "ada@acme.test", name="Ada", admin=True)
    owner = make_person(acme, "olga@acme.test", name="Olga")
    outsider = make_person(acme, "otto@acme.test", name="Otto")
    core = make_team(acme, "core", members=(owner, admin), leads=(owner,))
    make_team(acme, "sales", members=(outsider,))
    today = timezone.localdate()
    cycle = make_cycle(acme, "now", today - timedelta(days=30), today + timedelta(days=60))
    make_cycle(
        acme, "next", today + timedelta(days=61), today + timedelta(days=150), state="planning"
    )
    past = make_cycle(acme, "past", today - timedelta(days=200), today - timedelta(days=100))

    public = make_objective(cycle, "launch", owner, team=core, title="Launch the product")
    metric = make_key_result(public, "adoption", target=90, unit="%")
    make_key_result(public, "shipped", type="boolean")
    training = make_key_result(public, "training", type="milestones")
    make_milestones(training, ("Programme A", 1, True), ("Programme B", 2, False))
    make_key_result(public, "uptime", type="stay_above", threshold=99)
    make_key_result(public, "latency", type="stay_below", threshold=300)
    make_key_result(public, "nps", type="range", low=30, high=60)
    child = make_objective(cycle, "child", owner, team=core, title="Child goal")
    Alignment.objects.create(child=child, parent=public)
    make_key_result(public, "follows-child", type="linked", linked_objective=child)
    now = datetime.now(UTC) - timedelta(hours=1)
    check_in(metric, 30, now - timedelta(days=3), confidence="on_track", note="Two teams live")

    secret = make_objective(
        cycle,
        SECRET_REF,
        owner,
        team=core,
        visibility="private",
        title=SECRET_TITLE,
        description="Zephyr: buy Initech before Q3",
    )
    secret_kr = make_key_result(secret, SECRET_KR_REF, title=SECRET_KR_TITLE)
    secret_ms = make_key_result(secret, "zephyr-steps", type="milestones", title="Zephyr steps")
    make_milestones(secret_ms, ("Zephyr board approval", 1, False))
    check_in(secret_kr, 40, now - timedelta(days=2), note=SECRET_NOTE)
    Alignment.objects.create(child=secret, parent=public)  # a private child of a public goal
    # Comments and the notifications they send: the secret's reach its owner only.
    services.comment_create(
        author=admin, objective=secret, body=f"@olga@acme.test {SECRET_COMMENT}"
    )
    services.comment_create(author=admin, objective=public, body="@otto@acme.test Launch is close")
    dispatch_events.call()

    build_work(cycle, owner, outsider, core, public=metric, secret=secret_kr)
    build_kpi(owner, core, secret=secret_kr)

    old = make_objective(past, "old-goal", owner, team=core, title="Last half's goal")
    check_in(make_key_result(old, "old-kr"), 50, past.start + timedelta(days=5))
    services.cycle_close(cycle=past)
    return World(acme, admin, owner, outsider, cycle, public, secret, metric)


def build_work(
    cycle: Cycle, owner: User, outsider: User, team: Team, *, public: KeyResult, secret: KeyResult
) -> None:
    """An initiative with a task under the public goal, and one under the secret: its task is
    even assigned to the outsider, who must still see nothing of it (not on My focus)."""
    from pacer.initiatives import services as work

    rollout = work.initiative_create(
        cycle=cycle,
        spec=work.InitiativeSpec(
            title="Roll out onboarding", owner=owner, team=team, key_results=[public]
        ),
    )
    work.task_create(initiative=rollout, title="Write the guide", assignee=outsider)
    hidden = work.initiative_create(
        cycle=cycle,
        spec=work.InitiativeSpec(
            title=SECRET_WORK_TITLE, owner=owner, team=team, key_results=[secret]
        ),
    )
    type(hidden).objects.filter(pk=hidden.pk).update(ref=SECRET_WORK_REF)
    hidden.ref = SECRET_WORK_REF
    work.task_create(initiative=hidden, title=SECRET_TASK, assignee=outsider)
    work.initiative_set_status(initiative=hidden, status="blocked", note=SECRET_WORK_NOTE)


def build_kpi(owner: User, team: Team, *, secret: KeyResult) -> None:
    """A KPI with a value, followed by the secret key result: its page, open to everyone,
    must not name it."""
    from decimal import Decimal

    from pacer.kpis import services as kpis

    uptime = kpis.kpi_create(
        organization=team.organization,
        spec=kpis.KPISpec(
            name="Service uptime", owner=owner, kind="stay_above", threshold=Decimal("99.9")
        ),
    )
    kpis.kpi_value_add(kpi=uptime, value=Decimal("99.95"), note="A quiet week")
    kpis.kpi_follow(key_result=secret, kpi=uptime)


# --- Every URL of the web app ----------------------------------------------------------

UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"


def web_patterns() -> list[tuple[str, URLPattern]]:
    """(name, pattern) of every named web URL (the API lives under /api/)."""
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("api/"):
                    continue
                walk(p.url_patterns, prefix + str(p.pattern))
            elif p.name:
                found.append((p.name, p))

    walk(get_resolver().url_patterns, "")
    return found


def dashboard_urls(
    name: str, cycles: list[Cycle], teams: list[Team], people: list[User]
) -> list[str]:
    """The dashboards (docs/dashboards.md) of every cycle, team and person, their lists, the
    TV links there are (and a token that is none)."""
    from pacer.insights.models import TvLink

    args: dict[str, list[list[Any]]] = {
        "dashboard_organization": [[c.ref] for c in cycles],
        "dashboard_team": [[c.ref, t.ref] for c in cycles for t in teams],
        "dashboard_person": [[c.ref, p.pk] for c in cycles for p in people],
        "dashboard_person_home": [[p.pk] for p in people],
        "dashboard_list": [
            [c.ref, kind]
            for c in cycles
            for kind in ("objectives", "stale", "without-key-results", "without-okrs", "nope")
        ],
        "tv_link_create": [[c.ref] for c in cycles],
        "tv_link_revoke": [[link.cycle.ref, link.pk] for link in TvLink.objects.all()]
        or [[c.ref, 1] for c in cycles],
        "tv": [["not-a-token"]],
        "tv_screen": [["not-a-token", 1]],
    }
    return [reverse(name, args=a) for a in args[name]]


def web_urls(objectives: list[Objective]) -> dict[str, list[str]]:
    """Every web URL name, with every concrete URL for the objects given (and all others)."""
    cycles = list(Cycle.objects.order_by("pk"))
    teams = list(Team.objects.order_by("pk"))
    people = list(User.objects.order_by("pk"))
    urls: dict[str, list[str]] = {}
    for name, pattern in web_patterns():
        params = set(pattern.pattern.converters)
        if not params:
            urls[name] = [reverse(name)]
        elif name == "password_reset_confirm":
            urls[name] = [reverse(name, args=["MQ", "set-password"])]
        elif name == "reminder_link":  # a bad token: "This link does not work", never a 500
            urls[name] = [reverse(name, args=["not-a-token"])]
        elif params == {"ref"} and name.startswith(("cycle", "alignment_map", "missing")):
            urls[name] = [reverse(name, args=[c.ref]) for c in cycles]
        elif name == "cycle_report":  # reports (docs/reports.md), and a format that is none
            urls[name] = [reverse(name, args=[c.ref, f]) for c in cycles for f in ("xlsx", "pdf")]
        elif name in ("report_status", "report_file"):
            from pacer.reports.models import Report

            pks = [*Report.objects.order_by("pk").values_list("pk", flat=True), 999_999]
            urls[name] = [reverse(name, args=[pk]) for pk in pks]
        elif name.startswith(("dashboard_", "tv_link")) or name in ("tv", "tv_screen"):
            urls[name] = dashboard_urls(name, cycles, teams, people)
        elif name == "alignment_map_children":
            urls[name] = [reverse(name, args=[o.cycle.ref, o.ref]) for o in objectives]
        elif params == {"ref"} and name.startswith("team"):
            urls[name] = [reverse(name, args=[t.ref]) for t in teams]
        elif params == {"ref", "kind"} and name == "team_channel":
            urls[name] = [reverse(name, args=[t.ref, k]) for t in teams for k in ("slack", "teams")]
        elif params == {"ref", "person_id"} and name.startswith("team"):
            urls[name] = [reverse(name, args=[t.ref, p.pk]) for t in teams for p in people]
        elif params == {"token_id"}:
            from pacer.api.models import ApiToken

            urls[name] = [reverse(name, args=[t.pk]) for t in ApiToken.objects.all()] or [
                reverse(name, args=[1])
            ]
        elif params == {"notification_id"}:
            from pacer.notifications.models import Notification

            urls[name] = [reverse(name, args=[n.pk]) for n in Notification.objects.all()] or [
                reverse(name, args=[1])
            ]
        elif params == {"ref"} and name.startswith("initiative"):
            from pacer.initiatives.models import Initiative

            refs = [*Initiative.objects.order_by("pk").values_list("ref", flat=True), "no-work"]
            urls[name] = [reverse(name, args=[ref]) for ref in refs]
        elif params == {"ref"} and name.startswith("kpi"):
            from pacer.kpis.models import KPI

            refs = [*KPI.objects.order_by("pk").values_list("ref", flat=True), "no-kpi"]
            urls[name] = [reverse(name, args=[ref]) for ref in refs]
        elif params == {"ref", "value_id"}:  # a KPI's value
            from pacer.kpis.models import KPIValue

            values = KPIValue.objects.select_related("kpi").order_by("pk")
            urls[name] = [reverse(name, args=[v.kpi.ref, v.pk]) for v in values] or [
                reverse(name, args=["no-kpi", 1])
            ]
        elif params == {"ref", "task_id"}:
            from pacer.initiatives.models import Task

            tasks = Task.objects.select_related("initiative").order_by("pk")
            urls[name] = [reverse(name, args=[t.initiative.ref, t.pk]) for t in tasks]
        elif params == {"person_id"}:
            urls[name] = [reverse(name, args=[p.pk]) for p in people]
        elif params == {"ref"}:
            urls[name] = [reverse(name, args=[o.ref]) for o in objectives]
        elif params == {"ref", "kr_ref"}:
            urls[name] = [
                reverse(name, args=[kr.objective.ref, kr.ref])
                for o in objectives
                for kr in KeyResult.objects.filter(objective=o)
            ]
        elif params == {"ref", "kr_ref", "milestone_id"}:
            urls[name] = [
                reverse(name, args=[m.key_result.objective.ref, m.key_result.ref, m.pk])
                for m in Milestone.objects.filter(key_result__objective__in=objectives)
            ]
        elif params == {"ref", "milestone_id"}:
            urls[name] = [
                reverse(name, args=[m.key_result.objective.ref, m.pk])
                for m in Milestone.objects.filter(key_result__objective__in=objectives)
            ]
        elif params == {"ref", "comment_id"}:
            from pacer.okrs.models import Comment

            comments = Comment.objects.filter(objective__in=objectives).select_related("objective")
            urls[name] = [reverse(name, args=[c.objective.ref, c.pk]) for c in comments] or [
                reverse(name, args=[o.ref, 1]) for o in objectives
            ]
        elif params == {"result_id"}:  # a background task: the ones there are, or an unknown one
            from django_tasks_db.models import DBTaskResult

            ids = [str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)]
            urls[name] = [reverse(name, args=[i]) for i in ids or [UNKNOWN_UUID]]
        elif params == {"connection_id"}:  # a tracker connection (Settings → Trackers)
            from pacer.initiatives.models import TrackerConnection

            pks = [c.pk for c in TrackerConnection.objects.all()] or [1]
            urls[name] = [reverse(name, args=[pk]) for pk in pks]
        elif params == {"webhook_id"}:
            from pacer.webhooks.models import Webhook

            hooks = [h.pk for h in Webhook.objects.all()] or [1]
            urls[name] = [reverse(name, args=[pk]) for pk in hooks]
        elif params == {"webhook_id", "delivery_id"}:
            from pacer.webhooks.models import WebhookDelivery

            deliveries = [(d.webhook_id, d.delivery_id) for d in WebhookDelivery.objects.all()]
            urls[name] = [reverse(name, args=list(d)) for d in deliveries or [(1, UNKNOWN_UUID)]]
        else:
            raise AssertionError(f"the sweep does not know how to fill {name} ({params})")
    return urls


# --- Forms in HTML -------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    htmx: bool
    fields: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # name -> [(kind, v)]

    def data(self) -> dict[str, list[str]]:
        """What a browser submits as it is (defaults, checked boxes, selected options)."""
        return {name: [v for _, v in values] for name, values in self.fields.items()}

    def text_fields(self) -> list[str]:
        skip = {"checkbox", "radio", "submit", "button", "file", "image", "reset"}
        return [
            name
            for name, values in self.fields.items()
            if name != "csrfmiddlewaretoken" and any(kind not in skip for kind, _ in values)
        ]


class FormReader(HTMLParser):
    """The forms of a page: action, method, and each named control with its default."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: tuple[str, list[tuple[str, bool]]] | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = a.get("hx-post") or a.get("hx-get") or a.get("action") or self.page_url
            method = "post" if "hx-post" in a else a.get("method", "get").lower()
            self.form = Form(action, method, "hx-post" in a or "hx-get" in a)
            self.forms.append(self.form)
        if self.form is None or not a.get("name"):
            if tag == "option" and self.select is not None:
                self.select[1].append((a.get("value", ""), "selected" in a))
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                self.form.fields.setdefault(name, [])
                return
            if kind not in ("submit", "button", "image", "reset"):
                self.form.fields.setdefault(name, []).append((kind, a.get("value", "")))
        elif tag == "select":
            self.select = (name, [])
        elif tag == "textarea":
            self.textarea, self.text = name, ""

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea is not None and self.form is not None:
            self.form.fields.setdefault(self.textarea, []).append(
                ("textarea", self.text.strip("\n"))
            )
            self.textarea = None
        elif tag == "select" and self.select is not None and self.form is not None:
            name, options = self.select
            chosen = [v for v, selected in options if selected]
            if not chosen:
                chosen = [next((v for v, _ in options if v), "")] if options else [""]
            self.form.fields.setdefault(name, []).extend(("select", v) for v in chosen[:1])
            self.select = None


def forms_of(html: str, page_url: str) -> list[Form]:
    reader = FormReader(page_url)
    reader.feed(html)
    return reader.forms
