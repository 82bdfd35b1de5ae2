"""The role matrix: every operation of the OpenAPI document, for every kind of caller, on a
public and on a private objective.

Callers: anonymous, a read-scoped token (the owner's), an outsider (same organization, in
no team), a teammate (member of the owning team), the owner, an admin. The operations come
from the generated spec, so a new operation fails here until it has a case in CASES.

Designed answers: anonymous 401; a read-scoped token writing 403; a private objective (and
everything under it) the caller may not see 404, never 403; visible but not theirs to change
403; admin-only operations 403 for members. And nothing private (its title, its refs, its key
results, check-in notes, milestones, tombstones) ever appears in any answer — list, search,
filter, deletions feed or error message — to a caller who may not see it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from pacer.api.api import api
from pacer.datasources import services as source_services
from pacer.initiatives import services as work_services
from pacer.initiatives.models import Initiative, Task
from pacer.initiatives.services import InitiativeSpec
from pacer.okrs import services
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Milestone, Objective
from tests.api.conftest import ApiClient, World, assert_problem
from tests.factories import make_cycle, make_key_result, make_objective
from tests.webhooks.helpers import PUBLIC_URL, delivery_path, webhook_id

CALLERS = ("anonymous", "read", "outsider", "teammate", "owner", "admin")
TARGETS = ("public", "private")
# Who may see the private objective: its owner (also through a read-scoped token), the
# members of its team, admins.
SEES_PRIVATE = {"read", "teammate", "owner", "admin"}
SECRETS = (
    "Buy Initech",
    "secret-merger",
    "secret-kr",
    "Sign the term sheet",
    "secret-steps",
    "Secret steps",
    "Secret milestone",
    "Secret note",
    "secret-doomed",
    "Secret diligence",
    "secret-diligence",
    "Secret task",
    "Secret status note",
)


@dataclass
class Scene:
    """What one case acts on: the target objective and things under it, and helpers."""

    world: World
    target: str
    objective: Objective
    kr: KeyResult
    steps: KeyResult
    milestone: Milestone
    checkin: CheckIn
    next_cycle: Cycle
    work: Initiative
    task: Task


def build_scene(world: World, target: str) -> Scene:
    private = target == "private"
    objective = world.private if private else world.public
    kr = world.secret_kr if private else world.adoption
    word = "secret" if private else "open"
    steps = make_key_result(
        objective, f"{word}-steps", type="milestones", title=f"{word.capitalize()} steps"
    )
    milestone = services.milestone_create(key_result=steps, title=f"{word.capitalize()} milestone")
    checkin = services.checkin_create(
        key_result=kr,
        value=Decimal(40),
        note=f"{word.capitalize()} note",
        author=world.owner,
        at=datetime(2026, 4, 21, tzinfo=UTC),
    )
    # Deleted: the deletions feed has a tombstone for it.
    services.key_result_delete(key_result=make_key_result(objective, f"{word}-doomed"))
    make_objective(world.cycle, "company-goal", world.admin, title="Company goal")
    make_objective(world.cycle, "other-goal", world.admin, title="Other goal")
    make_objective(world.cycle, "landing", world.owner, team=world.team, title="Landing")
    next_cycle = make_cycle(world.org, "2026-q3", date(2026, 7, 1), date(2026, 9, 30))
    make_cycle(world.org, "2026-q4", date(2026, 10, 1), date(2026, 12, 31))  # empty
    make_cycle(world.org, "2026-q1", date(2026, 1, 1), date(2026, 3, 31), state="closed")
    # Work for the target's key result, with a task and a status update.
    spec = InitiativeSpec(
        title=f"{word.capitalize()} diligence", owner=world.owner, team=world.team, key_results=[kr]
    )
    work = work_services.initiative_create(cycle=world.cycle, spec=spec)
    task = work_services.task_create(initiative=work, title=f"{word.capitalize()} task")
    note = f"{word.capitalize()} status note"
    work_services.initiative_set_status(initiative=work, status="in_progress", note=note)
    return Scene(world, target, objective, kr, steps, milestone, checkin, next_cycle, work, task)


Request = tuple[str, Any]  # path (under /api/v1) and JSON body (None: no body)


@dataclass(frozen=True)
class Case:
    """One operation: what kind of rule guards it, and how to call it on a scene.

    kind: "read" (anyone signed in), "admin" (admins write), "object-read" / "object-write"
    (on the target objective or something under it), "create" (any member), "bulk"
    (check-ins by key result ref in the body), "own-checkin" (its author and admins),
    "comment" (whoever may see the objective), "own-comment" (its author only), "work"
    (new work for the target's key result, named in the body: whoever may see it),
    "feed-read" (a key result's data source: read scope, but only those who may check in),
    "kpi-change" (a KPI: its owner, its team's leads, admins), "kpi-value" (and its team's
    members), "kpi-feed-read" (a KPI's data source: read scope, but only those who may
    change the KPI).
    """

    kind: str
    request: Callable[[Scene], Request]
    ok: int = 200
    # A list whose private variant shows private things to those who may see them.
    reveals: bool = False


SQL_SOURCE = {"kind": "sql", "database": "matrix", "query": "SELECT 42"}


@pytest.fixture(autouse=True)
def sql_source_database(settings: Any, tmp_path: Any) -> None:
    """A read-only SQL connection for data-source cases (saving and previewing need no
    network)."""
    database = tmp_path / "matrix.db"
    database.touch()
    settings.PACER_SQL_SOURCES = {"matrix": f"sqlite:///{database}"}


def fed_first(path: str) -> Callable[[Scene], Request]:
    """The target's key result fed by a SQL source first (by the operator), then `path`."""

    def request(s: Scene) -> Request:
        source_services.source_set(key_result=s.kr, by=None, **SQL_SOURCE)
        return path.format(ref=s.kr.ref), None

    return request


def archived_first(s: Scene) -> Request:
    services.objective_archive(objective=s.objective)
    return f"/objectives/{s.objective.ref}/restore", None


def aligned_first(s: Scene) -> Request:
    parent = Objective.objects.get(ref="company-goal")
    services.objective_align(child=s.objective, parent=parent)
    return f"/objectives/{s.objective.ref}/parents/company-goal", None


def list_objectives(s: Scene) -> Request:
    if s.target == "private":
        return "/objectives?q=initech&visibility=private&team=platform", None
    return "/objectives?team=platform&cycle=2026-q2", None


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/organization"): Case("read", lambda s: ("/organization", None)),
    ("GET", "/notifications"): Case("read", lambda s: ("/notifications?unread=true", None)),
    ("POST", "/notifications/read"): Case(
        "create", lambda s: ("/notifications/read", {"all": True})
    ),
    ("GET", "/notifications/preferences"): Case(
        "read", lambda s: ("/notifications/preferences", None)
    ),
    ("PUT", "/notifications/preferences"): Case(
        "create",
        lambda s: ("/notifications/preferences", {"preferences": {"at_risk": {"slack": True}}}),
    ),
    ("PATCH", "/organization"): Case("admin", lambda s: ("/organization", {"at_risk_gap": 0.1})),
    ("POST", "/webhooks"): Case(
        "admin", lambda s: ("/webhooks", {"url": PUBLIC_URL, "events": ["cycle.closed"]}), ok=201
    ),
    ("GET", "/webhooks"): Case("admin", lambda s: ("/webhooks", None)),
    ("GET", "/webhooks/{webhook_id}"): Case(
        "admin", lambda s: (f"/webhooks/{webhook_id(s.world.admin)}", None)
    ),
    ("PATCH", "/webhooks/{webhook_id}"): Case(
        "admin", lambda s: (f"/webhooks/{webhook_id(s.world.admin)}", {"active": False})
    ),
    ("DELETE", "/webhooks/{webhook_id}"): Case(
        "admin", lambda s: (f"/webhooks/{webhook_id(s.world.admin)}", None), ok=204
    ),
    ("GET", "/webhooks/{webhook_id}/deliveries"): Case(
        "admin", lambda s: (f"/webhooks/{webhook_id(s.world.admin)}/deliveries", None)
    ),
    ("POST", "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): Case(
        "admin", lambda s: (delivery_path(s.world.admin), None), ok=202
    ),
    ("GET", "/teams"): Case("read", lambda s: ("/teams", None)),
    ("GET", "/teams/{ref}"): Case("read", lambda s: ("/teams/platform", None)),
    ("GET", "/teams/{ref}/channels/{kind}"): Case(
        "admin", lambda s: ("/teams/platform/channels/slack", None)
    ),
    ("PUT", "/teams/{ref}/channels/{kind}"): Case(
        "admin", lambda s: ("/teams/platform/channels/slack", {"url": PUBLIC_URL})
    ),
    ("DELETE", "/teams/{ref}/channels/{kind}"): Case(
        "admin", lambda s: ("/teams/platform/channels/teams", None), ok=204
    ),
    ("GET", "/people"): Case("read", lambda s: ("/people", None)),
    ("GET", "/people/{email}"): Case("read", lambda s: ("/people/owner@acme.test", None)),
    ("GET", "/deletions"): Case(
        "read", lambda s: ("/deletions?since=2000-01-01T00:00:00Z", None), reveals=True
    ),
    ("GET", "/cycles"): Case("read", lambda s: ("/cycles", None)),
    ("POST", "/cycles"): Case(
        "admin",
        lambda s: (
            "/cycles",
            {"ref": "2027-q1", "name": "2027 Q1", "start": "2027-01-01", "end": "2027-03-31"},
        ),
        ok=201,
    ),
    ("GET", "/cycles/{ref}"): Case("read", lambda s: ("/cycles/2026-q2", None)),
    ("PATCH", "/cycles/{ref}"): Case("admin", lambda s: ("/cycles/2026-q3", {"name": "Q3!"})),
    ("DELETE", "/cycles/{ref}"): Case("admin", lambda s: ("/cycles/2026-q4", None), ok=204),
    ("POST", "/cycles/{ref}/close"): Case("admin", lambda s: ("/cycles/2026-q2/close", None)),
    ("POST", "/cycles/{ref}/reopen"): Case("admin", lambda s: ("/cycles/2026-q1/reopen", None)),
    ("GET", "/objectives"): Case("read", list_objectives, reveals=True),
    ("POST", "/objectives"): Case(
        "create",
        lambda s: ("/objectives", {"cycle": "2026-q2", "title": "Mine", "visibility": s.target}),
        ok=201,
    ),
    ("GET", "/objectives/{ref}"): Case(
        "object-read", lambda s: (f"/objectives/{s.objective.ref}?as_of=2026-05-16", None)
    ),
    ("PATCH", "/objectives/{ref}"): Case(
        "object-write", lambda s: (f"/objectives/{s.objective.ref}", {"title": "Renamed"})
    ),
    ("POST", "/objectives/{ref}/archive"): Case(
        "object-write", lambda s: (f"/objectives/{s.objective.ref}/archive", None)
    ),
    ("POST", "/objectives/{ref}/restore"): Case("object-write", archived_first),
    ("POST", "/objectives/{ref}/parents/{parent_ref}"): Case(
        "object-write", lambda s: (f"/objectives/{s.objective.ref}/parents/other-goal", None)
    ),
    ("DELETE", "/objectives/{ref}/parents/{parent_ref}"): Case("object-write", aligned_first),
    ("POST", "/objectives/{ref}/copy"): Case(
        "object-write",
        lambda s: (f"/objectives/{s.objective.ref}/copy", {"cycle": "2026-q3"}),
        ok=201,
    ),
    ("PUT", "/objectives/{ref}/retrospective"): Case(
        "object-write",
        lambda s: (f"/objectives/{s.objective.ref}/retrospective", {"went_well": "Focus"}),
    ),
    ("GET", "/key-results"): Case(
        "read", lambda s: (f"/key-results?objective={s.objective.ref}", None), reveals=True
    ),
    ("GET", "/key-results/{ref}"): Case(
        "object-read", lambda s: (f"/key-results/{s.kr.ref}", None)
    ),
    ("PATCH", "/key-results/{ref}"): Case(
        "object-write", lambda s: (f"/key-results/{s.kr.ref}", {"title": "Renamed"})
    ),
    ("DELETE", "/key-results/{ref}"): Case(
        "object-write", lambda s: (f"/key-results/{s.kr.ref}", None), ok=204
    ),
    ("POST", "/objectives/{ref}/key-results"): Case(
        "object-write",
        lambda s: (
            f"/objectives/{s.objective.ref}/key-results",
            {"title": "New", "start": 0, "target": 10},
        ),
        ok=201,
    ),
    ("POST", "/key-results/{ref}/move"): Case(
        "object-write", lambda s: (f"/key-results/{s.kr.ref}/move", {"objective": "landing"})
    ),
    ("GET", "/key-results/{ref}/milestones"): Case(
        "object-read", lambda s: (f"/key-results/{s.steps.ref}/milestones", None)
    ),
    ("POST", "/key-results/{ref}/milestones"): Case(
        "object-write",
        lambda s: (f"/key-results/{s.steps.ref}/milestones", {"title": "Step"}),
        ok=201,
    ),
    ("PATCH", "/key-results/{ref}/milestones/{milestone_id}"): Case(
        "object-write",
        lambda s: (f"/key-results/{s.steps.ref}/milestones/{s.milestone.pk}", {"done": True}),
    ),
    ("DELETE", "/key-results/{ref}/milestones/{milestone_id}"): Case(
        "object-write",
        lambda s: (f"/key-results/{s.steps.ref}/milestones/{s.milestone.pk}", None),
        ok=204,
    ),
    ("GET", "/checkins"): Case(
        "read", lambda s: (f"/checkins?key_result={s.kr.ref}", None), reveals=True
    ),
    ("GET", "/key-results/{ref}/checkins"): Case(
        "object-read", lambda s: (f"/key-results/{s.kr.ref}/checkins", None)
    ),
    ("GET", "/key-results/{ref}/source"): Case("feed-read", fed_first("/key-results/{ref}/source")),
    ("GET", "/key-results/{ref}/source/runs"): Case(
        "feed-read", fed_first("/key-results/{ref}/source/runs")
    ),
    ("PUT", "/key-results/{ref}/source"): Case(
        "object-write", lambda s: (f"/key-results/{s.kr.ref}/source", SQL_SOURCE)
    ),
    ("POST", "/key-results/{ref}/source/preview"): Case(
        "object-write", lambda s: (f"/key-results/{s.kr.ref}/source/preview", SQL_SOURCE)
    ),
    ("DELETE", "/key-results/{ref}/source"): Case(
        "object-write", fed_first("/key-results/{ref}/source"), ok=204
    ),
    ("POST", "/key-results/{ref}/checkins"): Case(
        "object-write", lambda s: (f"/key-results/{s.kr.ref}/checkins", {"value": 50}), ok=201
    ),
    ("POST", "/checkins/bulk"): Case(
        "bulk",
        lambda s: ("/checkins/bulk", {"items": [{"key_result": s.kr.ref, "value": 50}]}),
        ok=201,
    ),
    ("DELETE", "/checkins/{checkin_id}"): Case(
        "own-checkin", lambda s: (f"/checkins/{s.checkin.pk}", None), ok=204
    ),
    ("GET", "/objectives/{ref}/comments"): Case(
        "object-read", lambda s: (f"/objectives/{s.objective.ref}/comments", None)
    ),
    ("POST", "/objectives/{ref}/comments"): Case(
        "comment",
        lambda s: (
            f"/objectives/{s.objective.ref}/comments",
            {"body": "Hi", "key_result": s.kr.ref},
        ),
        ok=201,
    ),
    ("PATCH", "/comments/{comment_id}"): Case(
        "own-comment", lambda s: (f"/comments/{owners_comment(s)}", {"body": "Edited"})
    ),
    ("DELETE", "/comments/{comment_id}"): Case(
        "own-comment", lambda s: (f"/comments/{owners_comment(s)}", None), ok=204
    ),
}


def work_cases() -> dict[tuple[str, str], Case]:
    """Initiatives: the work under the target objective, its tasks and status updates."""
    base = "/initiatives/{ref}"
    work = "/initiatives/{s.work.ref}"
    task = "/initiatives/{s.work.ref}/tasks/{s.task.pk}"
    cases = {
        ("GET", "/initiatives"): Case(
            "read", lambda s: (f"/initiatives?key_result={s.kr.ref}", None), reveals=True
        ),
        ("POST", "/initiatives"): Case(
            "work",
            lambda s: (
                "/initiatives",
                {"cycle": "2026-q2", "title": "W", "key_results": [s.kr.ref]},
            ),
            ok=201,
        ),
    }
    for method, path, template, body, kind, ok in (
        ("GET", base, work, None, "object-read", 200),
        ("PATCH", base, work, {"title": "Renamed"}, "object-write", 200),
        ("DELETE", base, work, None, "object-write", 204),
        ("GET", f"{base}/tasks", f"{work}/tasks", None, "object-read", 200),
        ("POST", f"{base}/tasks", f"{work}/tasks", {"title": "More"}, "object-write", 201),
        ("PATCH", f"{base}/tasks/{{task_id}}", task, {"done": True}, "object-write", 200),
        ("DELETE", f"{base}/tasks/{{task_id}}", task, None, "object-write", 204),
        ("GET", f"{base}/updates", f"{work}/updates", None, "object-read", 200),
        ("POST", f"{base}/updates", f"{work}/updates", {"status": "done"}, "object-write", 201),
    ):
        cases[(method, path)] = Case(kind, lambda s, t=template, b=body: (t.format(s=s), b), ok=ok)
    return cases


CASES |= work_cases()


def uptime_kpi(s: Scene) -> str:
    """The platform team's KPI, owned by the owner, with one value of theirs (made once)."""
    from decimal import Decimal

    from pacer.kpis import services as kpi_services
    from pacer.kpis.models import KPI

    found = KPI.objects.filter(organization=s.world.org, ref="uptime").first()
    if found is None:
        spec = kpi_services.KPISpec(
            name="Uptime",
            owner=s.world.owner,
            kind="stay_above",
            threshold=Decimal("99.9"),
            team=s.world.team,
        )
        found = kpi_services.kpi_create(organization=s.world.org, spec=spec)
        kpi_services.kpi_value_add(kpi=found, value=Decimal(99), by=s.world.owner)
    return found.ref


def owners_kpi_value(s: Scene) -> str:
    from pacer.kpis.models import KPIValue

    ref = uptime_kpi(s)
    return f"/kpis/{ref}/values/{KPIValue.objects.filter(kpi__ref=ref).first().pk}"  # type: ignore[union-attr]


# KPIs are organization-wide (docs/kpis.md): the target objective does not matter. Their
# owner, the leads of their team and admins change them ("kpi-change"); their team's
# members also add values ("kpi-value").
CASES |= {
    ("GET", "/kpis"): Case("read", lambda s: (uptime_kpi(s) and "/kpis?team=platform", None)),
    ("POST", "/kpis"): Case("create", lambda s: ("/kpis", {"name": "Mine", "threshold": 1}), 201),
    ("GET", "/kpis/{ref}"): Case("read", lambda s: (f"/kpis/{uptime_kpi(s)}", None)),
    ("PATCH", "/kpis/{ref}"): Case(
        "kpi-change", lambda s: (f"/kpis/{uptime_kpi(s)}", {"name": "Renamed"})
    ),
    ("DELETE", "/kpis/{ref}"): Case(
        "kpi-change", lambda s: (f"/kpis/{uptime_kpi(s)}", None), ok=204
    ),
    ("GET", "/kpis/{ref}/values"): Case("read", lambda s: (f"/kpis/{uptime_kpi(s)}/values", None)),
    ("POST", "/kpis/{ref}/values"): Case(
        "kpi-value", lambda s: (f"/kpis/{uptime_kpi(s)}/values", {"value": 99.95}), ok=201
    ),
    ("DELETE", "/kpis/{ref}/values/{value_id}"): Case(
        "kpi-change", lambda s: (owners_kpi_value(s), None), ok=204
    ),
    # A KPI's data source: those who may change the KPI; reading it takes the read scope.
    ("GET", "/kpis/{ref}/source"): Case("kpi-feed-read", lambda s: kpi_fed_first(s, "")),
    ("GET", "/kpis/{ref}/source/runs"): Case("kpi-feed-read", lambda s: kpi_fed_first(s, "/runs")),
    ("PUT", "/kpis/{ref}/source"): Case(
        "kpi-change", lambda s: (f"/kpis/{uptime_kpi(s)}/source", SQL_SOURCE)
    ),
    ("POST", "/kpis/{ref}/source/preview"): Case(
        "kpi-change", lambda s: (f"/kpis/{uptime_kpi(s)}/source/preview", SQL_SOURCE)
    ),
    ("DELETE", "/kpis/{ref}/source"): Case("kpi-change", lambda s: kpi_fed_first(s, ""), ok=204),
}


def kpi_fed_first(s: Scene, tail: str) -> Request:
    """The KPI fed by a SQL source first (by the operator), then its source's path + tail."""
    from pacer.kpis.models import KPI

    kpi = KPI.objects.get(organization=s.world.org, ref=uptime_kpi(s))
    source_services.kpi_source_set(kpi=kpi, by=None, **SQL_SOURCE)
    return f"/kpis/{kpi.ref}/source{tail}", None


def owners_comment(s: Scene) -> int:
    """A comment the owner wrote on the target objective: only they change it."""
    return services.comment_create(author=s.world.owner, objective=s.objective, body="Mine").pk


def expected_status(case: Case, caller: str, target: str) -> int:
    if caller == "anonymous":
        return 401
    if caller == "read":  # the owner's read-scoped token
        return (
            403
            if case.kind not in {"read", "object-read", "feed-read", "kpi-feed-read"}
            else case.ok
        )
    hidden = target == "private" and caller not in SEES_PRIVATE
    if case.kind == "admin":
        return case.ok if caller == "admin" else 403
    if case.kind in {"read", "create"}:
        return case.ok
    if case.kind in {"kpi-change", "kpi-feed-read"}:  # its owner, team leads (the owner), admins
        return case.ok if caller in {"owner", "admin"} else 403
    if case.kind == "kpi-value":  # and its team's members
        return case.ok if caller != "outsider" else 403
    if hidden:  # never a 403: the private objective does not exist for them
        # bulk, work: an unknown key result ref in the body
        return 422 if case.kind in {"bulk", "work"} else 404
    if case.kind == "object-read":
        return case.ok
    if case.kind == "own-checkin":  # the owner wrote it
        return case.ok if caller in {"owner", "admin"} else 403
    if case.kind == "own-comment":  # the owner wrote it; only the author changes it
        return case.ok if caller == "owner" else 403
    if case.kind in {"comment", "work"}:  # whoever may see the objective
        return case.ok
    return case.ok if caller != "outsider" else 403


def spec_operations() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    return sorted(
        (method.upper(), path.removeprefix("/api/v1"))
        for path, item in paths.items()
        for method in item
    )


def client_for(world: World, caller: str) -> ApiClient:
    if caller == "anonymous":
        return ApiClient()
    if caller == "read":
        return world.client(world.owner, scope="read")
    return world.client(getattr(world, caller), scope="write")


def test_every_case_is_an_operation_of_the_spec() -> None:
    assert set(CASES) <= set(spec_operations()), set(CASES) - set(spec_operations())


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("operation", spec_operations(), ids=" ".join)
def test_role_matrix(world: World, operation: tuple[str, str], caller: str, target: str) -> None:
    case = CASES.get(operation)
    assert case is not None, f"no role-matrix case for {operation}: add one to CASES"
    scene = build_scene(world, target)
    path, body = case.request(scene)
    method = operation[0]
    response = client_for(world, caller).call(method, path, body)
    want = expected_status(case, caller, target)
    if want >= 400:
        assert_problem(response, want)
    else:
        assert response.status_code == want, response.content
    text = response.content.decode()
    if (target == "private" and caller not in SEES_PRIVATE) or caller == "anonymous":
        leaked = [secret for secret in SECRETS if secret in text]
        assert not leaked, f"{caller} sees {leaked} in {text}"
    elif case.reveals and target == "private" and want == 200:
        # The private things are there for those who may see them (the check above bites).
        assert any(secret in text for secret in SECRETS), text


FILTERS = [
    "/objectives",
    "/objectives?q=initech",
    "/objectives?q=Buy",
    "/objectives?visibility=private",
    "/objectives?team=platform",
    "/objectives?owner=owner@acme.test",
    "/objectives?cycle=2026-q2",
    "/objectives?kind=aspirational",
    "/objectives?status=off_track&as_of=2026-06-30",
    "/objectives?archived=false",
    "/objectives?updated_since=2000-01-01T00:00:00Z",
    "/key-results",
    "/key-results?objective=secret-merger",
    "/key-results?cycle=2026-q2",
    "/key-results?type=milestones",
    "/checkins",
    "/checkins?objective=secret-merger",
    "/checkins?key_result=secret-kr",
    "/checkins?author=owner@acme.test",
    "/deletions?since=2000-01-01T00:00:00Z",
    "/objectives/secret-merger",
    "/key-results/secret-kr",
    "/key-results/secret-steps/milestones",
    "/key-results/secret-kr/checkins",
    "/initiatives",
    "/initiatives?key_result=secret-kr",
    "/initiatives?team=platform&status=in_progress",
    "/initiatives?updated_since=2000-01-01T00:00:00Z",
]


@pytest.mark.parametrize("caller", ["outsider", "teammate"])
def test_search_and_filters_hide_private_things_from_outsiders(world: World, caller: str) -> None:
    scene = build_scene(world, "private")
    client = client_for(world, caller)
    seen = ""
    work = f"/initiatives/{scene.work.ref}"
    for path in [*FILTERS, work, f"{work}/tasks", f"{work}/updates"]:
        response = client.call("GET", path)
        assert response.status_code in (200, 404), (path, response.content)
        seen += response.content.decode()
    leaked = [secret for secret in SECRETS if secret in seen]
    if caller == "outsider":
        assert not leaked, leaked
    else:  # a teammate sees them all: the filters do find private things
        assert set(leaked) == set(SECRETS), set(SECRETS) - set(leaked)


def test_aligning_to_a_hidden_parent_is_a_404_that_does_not_name_it(world: World) -> None:
    mine = make_objective(world.cycle, "mine", world.outsider, title="Mine")
    client = client_for(world, "outsider")
    for method in ("POST", "DELETE"):
        body = assert_problem(
            client.call(method, f"/objectives/{mine.ref}/parents/secret-merger"), 404
        )
        assert "secret" not in str(body) and "Initech" not in str(body)
    body = assert_problem(
        client.call("PATCH", f"/objectives/{mine.ref}", {"parents": ["secret-merger"]}), 422
    )
    assert body["errors"][0]["field"] == "body.parents[0]"
    assert "Initech" not in str(body)
