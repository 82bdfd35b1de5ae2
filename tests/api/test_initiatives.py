"""Initiatives, tasks and status updates over the API: CRUD, filters, pagination, sync with
tombstones, ETags, privacy (404 and absent from every list), permissions (403), bad input
(422 naming the field, nothing written) and the roll-up into key results."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, get_args

import pytest
from django.utils import timezone

from pacer.api.schemas import InitiativeStatus
from pacer.initiatives import services
from pacer.initiatives.models import Initiative, StatusUpdate, Task
from pacer.initiatives.services import InitiativeSpec
from pacer.okrs import progress as engine
from pacer.okrs import services as okr_services
from pacer.okrs.models import KeyResult
from tests.api.conftest import ApiClient, World, assert_problem
from tests.factories import make_cycle, make_key_result, make_objective

NEW = {"cycle": "2026-q2", "title": "Migrate billing", "key_results": ["adoption"]}


def start(world: World, title: str, **fields: Any) -> Initiative:
    spec = InitiativeSpec(title=title, owner=fields.pop("owner", world.owner), **fields)
    return services.initiative_create(cycle=world.cycle, spec=spec)


def secret_work(world: World) -> Initiative:
    """Work under the private objective, with a task and a status update."""
    work = start(world, "Due diligence", key_results=[world.secret_kr], team=world.team)
    services.task_create(initiative=work, title="Read the contracts")
    services.initiative_set_status(initiative=work, status="in_progress", note="Lawyers hired")
    return work


def since(moment: Any) -> str:
    return moment.isoformat().replace("+", "%2B")


def walk(api: ApiClient, path: str) -> list[dict[str, Any]]:
    items, cursor = [], None
    while True:
        joiner = "&" if "?" in path else "?"
        page = api.get_json(path + (f"{joiner}cursor={cursor}" if cursor else ""))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_statuses_are_the_engines() -> None:
    assert get_args(InitiativeStatus) == engine.INITIATIVE_STATUSES


def test_create_read_change_delete(world: World, owner_api: ApiClient) -> None:
    body = {
        **NEW,
        "team": "platform",
        "due": "2026-06-15",
        "link": "https://github.com/acme/web/milestone/4",
    }
    created = owner_api.call("POST", "/initiatives", body)
    assert created.status_code == 201, created.content
    work = created.json()
    assert work == {
        **work,
        "ref": "migrate-billing",
        "cycle": "2026-q2",
        "owner": "owner@acme.test",
        "team": "platform",
        "status": "planned",
        "start": None,
        "due": "2026-06-15",
        "key_results": ["adoption"],
        "progress": 0,
        "tasks": 0,
        "open_tasks": 0,
    }
    assert work["link"] == {
        "url": "https://github.com/acme/web/milestone/4",
        "open": None,
        "closed": None,
        "synced_at": None,
        "sync_error": "",
    }
    # adoption: weight 1 of 1, at 30/90 -> impact 2/3
    assert work["impact"] == pytest.approx(2 / 3)
    assert owner_api.get_json("/initiatives/migrate-billing") == work
    changed = owner_api.call(
        "PATCH",
        "/initiatives/migrate-billing",
        {"status": "done", "team": None, "link": None, "title": None, "owner": "admin@acme.test"},
    )
    assert changed.status_code == 200, changed.content
    after = changed.json()
    assert (after["status"], after["team"], after["link"], after["title"]) == (
        "done",
        None,
        None,
        "Migrate billing",
    )
    assert (after["owner"], after["progress"], after["impact"]) == ("admin@acme.test", 1, 0)
    assert owner_api.call("DELETE", "/initiatives/migrate-billing").status_code == 204
    assert_problem(owner_api.call("GET", "/initiatives/migrate-billing"), 404)
    assert not Initiative.objects.exists()


def test_tasks_and_status_updates(world: World, owner_api: ApiClient) -> None:
    owner_api.call("POST", "/initiatives", NEW)
    path = "/initiatives/migrate-billing/tasks"
    first = owner_api.call("POST", path, {"title": "Export", "assignee": "teammate@acme.test"})
    assert first.status_code == 201, first.content
    task = first.json()
    assert task == {
        **task,
        "title": "Export",
        "done": False,
        "assignee": "teammate@acme.test",
        "due": None,
        "position": 0,
    }
    second = owner_api.call("POST", path, {"title": "Import", "due": "2026-05-01"}).json()
    moved = owner_api.call("PATCH", f"{path}/{second['id']}", {"position": 0})
    assert moved.status_code == 200, moved.content
    assert moved.json()["position"] == 0
    ticked = owner_api.call("PATCH", f"{path}/{task['id']}", {"done": True, "assignee": None})
    assert (ticked.json()["done"], ticked.json()["assignee"]) == (True, None)
    listed = owner_api.get_json(path)["items"]
    assert [(t["title"], t["position"]) for t in listed] == [("Export", 1), ("Import", 0)]
    work = owner_api.get_json("/initiatives/migrate-billing")
    assert (work["tasks"], work["open_tasks"], work["progress"]) == (2, 1, 0.5)
    assert owner_api.call("DELETE", f"{path}/{task['id']}").status_code == 204
    assert [t["title"] for t in owner_api.get_json(path)["items"]] == ["Import"]

    posted = owner_api.call(
        "POST", "/initiatives/migrate-billing/updates", {"status": "blocked", "note": "No key"}
    )
    assert posted.status_code == 201, posted.content
    assert posted.json() == {**posted.json(), "status": "blocked", "author": "owner@acme.test"}
    updates = owner_api.get_json("/initiatives/migrate-billing/updates")["items"]
    assert [(u["status"], u["note"]) for u in updates] == [("blocked", "No key")]
    assert owner_api.get_json("/initiatives/migrate-billing")["status"] == "blocked"
    assert_problem(owner_api.call("PATCH", f"{path}/{task['id']}", {"done": True}), 404)


def test_task_operations_roll_progress_up_into_the_key_result(
    world: World, owner_api: ApiClient
) -> None:
    make_key_result(world.public, "projects", type="initiatives", title="Ship the projects")
    owner_api.call("POST", "/initiatives", {**NEW, "key_results": ["projects"]})
    path = "/initiatives/migrate-billing/tasks"
    ids = [owner_api.call("POST", path, {"title": f"Step {n}"}).json()["id"] for n in range(4)]

    def progress() -> tuple[float, float]:
        kr = owner_api.get_json("/key-results/projects")
        return owner_api.get_json("/initiatives/migrate-billing")["progress"], kr["progress"]

    assert progress() == (0, 0)
    owner_api.call("PATCH", f"{path}/{ids[0]}", {"done": True})
    assert progress() == (0.25, 0.25)
    owner_api.call("DELETE", f"{path}/{ids[1]}")
    assert progress() == pytest.approx((1 / 3, 1 / 3))
    owner_api.call("POST", path, {"title": "Done already", "done": True})
    assert progress() == (0.5, 0.5)
    owner_api.call("PATCH", f"{path}/{ids[0]}", {"done": False})
    assert progress() == (0.25, 0.25)
    owner_api.call("POST", "/initiatives/migrate-billing/updates", {"status": "cancelled"})
    assert progress() == (0.25, 0)  # cancelled work counts for nothing
    assert KeyResult.objects.get(ref="projects").progress == 0


def test_filters(world: World, owner_api: ApiClient) -> None:
    today = timezone.localdate()
    a = start(world, "Adoption push", key_results=[world.adoption], team=world.team)
    b = start(world, "Late", due=today - timedelta(days=1), status="in_progress")
    c = start(world, "Late but done", due=today - timedelta(days=1), status="done")
    d = start(world, "The admin's", owner=world.admin)
    later = make_cycle(world.org, "2026-q3", date(2026, 7, 1), date(2026, 9, 30))
    e = services.initiative_create(
        cycle=later, spec=InitiativeSpec(title="Next", owner=world.owner)
    )

    def refs(query: str) -> set[str]:
        return {w["ref"] for w in owner_api.get_json(f"/initiatives?{query}")["items"]}

    assert refs("") == {w.ref for w in (a, b, c, d, e)}
    assert refs("cycle=2026-q3") == {e.ref}
    assert refs("team=platform") == {a.ref}
    assert refs("owner=ADMIN@acme.test") == {d.ref}
    assert refs("status=done") == {c.ref}
    assert refs("key_result=adoption") == {a.ref}
    assert refs("key_result=no-such-kr") == set()
    assert refs("overdue=true") == {b.ref}
    assert refs("overdue=false") == {a.ref, c.ref, d.ref, e.ref}
    assert refs("status=in_progress&overdue=true&cycle=2026-q2") == {b.ref}
    bad = owner_api.call("GET", "/initiatives?status=stalled")
    assert assert_problem(bad, 422)["errors"][0]["field"] == "query.status"


def test_cursor_pagination_walks_every_initiative_once(world: World, owner_api: ApiClient) -> None:
    for n in range(7):
        start(world, f"Work {n}")
    refs = [w["ref"] for w in walk(owner_api, "/initiatives?limit=3")]
    assert len(refs) == len(set(refs)) == 7
    work = Initiative.objects.first()
    assert work is not None
    for n in range(5):
        services.task_create(initiative=work, title=f"Task {n}")
    tasks = walk(owner_api, f"/initiatives/{work.ref}/tasks?limit=2")
    assert [t["title"] for t in tasks] == [f"Task {n}" for n in range(5)]


def test_updated_since_and_tombstones(world: World, owner_api: ApiClient) -> None:
    old = start(world, "Old work")
    task = services.task_create(initiative=old, title="Step")
    untouched = start(world, "Untouched")
    secret = secret_work(world)
    mark = timezone.now()
    assert owner_api.get_json(f"/initiatives?updated_since={since(mark)}")["items"] == []
    created = owner_api.call("POST", "/initiatives", NEW).json()
    path = f"/initiatives/{old.ref}/tasks/{task.pk}"
    assert owner_api.call("PATCH", path, {"done": True}).status_code == 200
    changed = owner_api.get_json(f"/initiatives?updated_since={since(mark)}")["items"]
    assert {w["ref"] for w in changed} == {created["ref"], old.ref}  # a task's change counts
    assert all(w["updated_at"] >= mark.isoformat()[:19] for w in changed)
    assert untouched.ref not in {w["ref"] for w in changed}

    for ref in (created["ref"], secret.ref):
        assert owner_api.call("DELETE", f"/initiatives/{ref}").status_code == 204
    deleted = owner_api.get_json(f"/deletions?since={since(mark)}")["items"]
    assert {(d["kind"], d["ref"]) for d in deleted} == {
        ("initiative", created["ref"]),
        ("initiative", secret.ref),
    }
    outsider = world.client(world.outsider).get_json(f"/deletions?since={since(mark)}")["items"]
    assert [(d["kind"], d["ref"]) for d in outsider] == [("initiative", created["ref"])]


def test_deleting_a_cycle_lists_its_work_as_deleted(world: World, admin_api: ApiClient) -> None:
    empty = make_cycle(world.org, "2026-q4", date(2026, 10, 1), date(2026, 12, 31))
    services.initiative_create(cycle=empty, spec=InitiativeSpec(title="Plan", owner=world.owner))
    mark = timezone.now()
    # A cycle with work but no objectives may be deleted: its work goes with it.
    assert admin_api.call("DELETE", "/cycles/2026-q4").status_code == 204
    deleted = admin_api.get_json(f"/deletions?since={since(mark)}")["items"]
    assert {(d["kind"], d["ref"]) for d in deleted} == {
        ("cycle", "2026-q4"),
        ("initiative", "plan"),
    }


def test_etag_and_if_none_match(world: World, owner_api: ApiClient) -> None:
    work = start(world, "Cached")
    first = owner_api.call("GET", f"/initiatives/{work.ref}")
    etag = first["ETag"]
    again = owner_api.call("GET", f"/initiatives/{work.ref}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    services.task_create(initiative=work, title="New step")
    changed = owner_api.call("GET", f"/initiatives/{work.ref}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_work_under_a_private_objective_does_not_exist_for_outsiders(
    world: World, outsider_api: ApiClient, owner_api: ApiClient
) -> None:
    secret = secret_work(world)
    task = secret.tasks.get()
    public = start(world, "Public work", key_results=[world.adoption])
    base = f"/initiatives/{secret.ref}"
    for method, path, body in (
        ("GET", base, None),
        ("PATCH", base, {"title": "Mine now"}),
        ("DELETE", base, None),
        ("GET", f"{base}/tasks", None),
        ("POST", f"{base}/tasks", {"title": "Peek"}),
        ("PATCH", f"{base}/tasks/{task.pk}", {"done": True}),
        ("DELETE", f"{base}/tasks/{task.pk}", None),
        ("GET", f"{base}/updates", None),
        ("POST", f"{base}/updates", {"status": "done"}),
    ):
        problem = assert_problem(outsider_api.call(method, path, body), 404)
        assert "Due diligence" not in str(problem) and secret.ref not in str(problem)
    seen = ""
    for query in ("", "key_result=secret-kr", "team=platform", "status=in_progress", "limit=1"):
        page = outsider_api.get_json(f"/initiatives?{query}")
        seen += str(page)
        assert secret.ref not in {w["ref"] for w in page["items"]}
    assert "Due diligence" not in seen
    assert [w["ref"] for w in walk(outsider_api, "/initiatives?limit=1")] == [public.ref]
    # creating work for the hidden key result: an unknown ref, named by position
    refused = outsider_api.call("POST", "/initiatives", {**NEW, "key_results": ["secret-kr"]})
    assert assert_problem(refused, 422)["errors"][0]["field"] == "body.key_results[0]"
    # the owner's team sees it all
    assert owner_api.get_json(base)["tasks"] == 1
    assert len(owner_api.get_json("/initiatives?key_result=secret-kr")["items"]) == 1
    assert Task.objects.filter(initiative=secret, done=False).count() == 1
    assert StatusUpdate.objects.filter(initiative=secret).count() == 1


def test_who_may_change_work(world: World, outsider_api: ApiClient) -> None:
    work = start(world, "Platform work", key_results=[world.adoption], team=world.team)
    mine = services.task_create(initiative=work, title="Outsider's", assignee=world.outsider)
    base = f"/initiatives/{work.ref}"
    for method, path, body in (
        ("PATCH", base, {"title": "Mine now"}),
        ("DELETE", base, None),
        ("POST", f"{base}/tasks", {"title": "More"}),
        ("POST", f"{base}/updates", {"status": "done"}),
        ("PATCH", f"{base}/tasks/{mine.pk}", {"title": "Renamed", "done": True}),
        ("DELETE", f"{base}/tasks/{mine.pk}", None),
    ):
        assert_problem(outsider_api.call(method, path, body), 403)
    assert Task.objects.get(pk=mine.pk).title == "Outsider's"  # nothing written on a 403
    assert not Task.objects.get(pk=mine.pk).done
    assert Initiative.objects.get(pk=work.pk).status == "planned"
    # the assignee ticks their own task
    ticked = outsider_api.call("PATCH", f"{base}/tasks/{mine.pk}", {"done": True})
    assert ticked.status_code == 200 and ticked.json()["done"] is True
    # work under a team one is not in; a read-scoped token writing
    refused = outsider_api.call("POST", "/initiatives", {**NEW, "team": "platform"})
    assert_problem(refused, 403)
    read_only = world.client(world.owner, scope="read")
    assert_problem(read_only.call("POST", "/initiatives", NEW), 403)
    assert read_only.call("GET", base).status_code == 200
    assert not Initiative.objects.filter(title="Migrate billing").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "body.title"),
        ({"title": " "}, "body.title"),
        ({"title": "a\x00b"}, "body.title"),
        ({"status": "stalled"}, "body.status"),
        ({"start": "2026-05-02", "due": "2026-05-01"}, "body.due"),
        ({"due": 20260501}, "body.due"),
        ({"key_results": ["no-such-kr"]}, "body.key_results[0]"),
        ({"key_results": ["adoption", "globex-kr"]}, "body.key_results[1]"),
        ({"key_results": ["next-kr"]}, "body.key_results"),
        ({"link": "ftp://example.com/x"}, "body.link"),
        ({"owner": "nobody@acme.test"}, "body.owner"),
        ({"team": "no-such-team"}, "body.team"),
        ({"cycle": "no-such-cycle"}, "body.cycle"),
        ({"description": "x" * 10_001}, "body.description"),
        ({"colour": "red"}, "body.colour"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    world: World, owner_api: ApiClient, body: dict[str, Any], field: str
) -> None:
    make_key_result(world.foreign, "globex-kr")
    later = make_cycle(world.org, "2026-q3", date(2026, 7, 1), date(2026, 9, 30))
    make_key_result(make_objective(later, "next", world.owner), "next-kr")
    problem = assert_problem(owner_api.call("POST", "/initiatives", {**NEW, **body}), 422)
    assert field in [e["field"] for e in problem["errors"]], problem
    assert not Initiative.objects.exists()


def test_bad_changes_name_the_field_and_write_nothing(world: World, owner_api: ApiClient) -> None:
    work = start(world, "Kept", key_results=[world.adoption])
    task = services.task_create(initiative=work, title="Step")
    base = f"/initiatives/{work.ref}"
    for method, path, body, field in (
        ("PATCH", base, {"status": "stalled"}, "body.status"),
        ("PATCH", base, {"title": " "}, "body.title"),
        ("PATCH", base, {"key_results": ["nope"]}, "body.key_results[0]"),
        ("PATCH", base, {"start": "2026-06-01", "due": "2026-05-01"}, "body.due"),
        ("POST", f"{base}/tasks", {"title": "\x07"}, "body.title"),
        ("POST", f"{base}/tasks", {"title": "Ok", "assignee": "x@globex.test"}, "body.assignee"),
        ("PATCH", f"{base}/tasks/{task.pk}", {"position": 5, "done": True}, "body.position"),
        ("PATCH", f"{base}/tasks/{task.pk}", {"title": ""}, "body.title"),
        ("POST", f"{base}/updates", {"status": "done", "note": "\x00"}, "body.note"),
        ("POST", f"{base}/updates", {"status": "later"}, "body.status"),
    ):
        problem = assert_problem(owner_api.call(method, path, body), 422)
        assert field in [e["field"] for e in problem["errors"]], (path, body, problem)
    assert_problem(owner_api.call("PATCH", f"{base}/tasks/0", {"done": True}), 422)
    kept = Initiative.objects.get(pk=work.pk)
    assert (kept.title, kept.status, kept.due) == ("Kept", "planned", None)
    assert list(kept.key_results.all()) == [world.adoption]
    assert list(kept.tasks.values_list("title", "done")) == [("Step", False)]
    assert not StatusUpdate.objects.exists()


def test_a_closed_cycle_is_a_conflict(world: World, owner_api: ApiClient) -> None:
    work = start(world, "Frozen")
    okr_services.cycle_close(cycle=world.cycle)
    for method, path, body in (
        ("POST", "/initiatives", NEW),
        ("PATCH", f"/initiatives/{work.ref}", {"title": "Thawed"}),
        ("POST", f"/initiatives/{work.ref}/tasks", {"title": "More"}),
        ("DELETE", f"/initiatives/{work.ref}", None),
    ):
        problem = assert_problem(owner_api.call(method, path, body), 409)
        assert problem["errors"][0]["field"] == "body.cycle"
    assert Initiative.objects.count() == 1


def add_work(world: World, count: int) -> None:
    kr = make_key_result(world.public, f"kr-{Initiative.objects.count()}", type="initiatives")
    for _ in range(count):
        work = start(world, f"Work {Initiative.objects.count()}", key_results=[kr, world.adoption])
        services.task_create(initiative=work, title="Step", assignee=world.teammate)
        services.initiative_set_status(initiative=work, status="in_progress")


def test_list_queries_do_not_grow_with_rows(
    world: World, owner_api: ApiClient, django_assert_max_num_queries: Any
) -> None:
    add_work(world, 2)
    owner_api.get_json("/initiatives")  # the token's first use records when it was used
    with django_assert_max_num_queries(50) as few:
        assert len(owner_api.get_json("/initiatives?limit=200")["items"]) == 2
    add_work(world, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(owner_api.get_json("/initiatives?limit=200")["items"]) == 14


def test_task_list_queries_do_not_grow_with_rows(
    world: World, owner_api: ApiClient, django_assert_max_num_queries: Any
) -> None:
    work = start(world, "Many steps", key_results=[world.adoption])
    path = f"/initiatives/{work.ref}/tasks?limit=200"
    services.task_create(initiative=work, title="Step", assignee=world.teammate)
    owner_api.get_json(path)
    with django_assert_max_num_queries(50) as few:
        assert len(owner_api.get_json(path)["items"]) == 1
    for n in range(10):
        services.task_create(initiative=work, title=f"Step {n}", assignee=world.outsider)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(owner_api.get_json(path)["items"]) == 11


def test_impact_in_the_list(world: World, owner_api: ApiClient) -> None:
    projects = make_key_result(world.public, "projects", type="initiatives", weight=Decimal(3))
    start(world, "Both", key_results=[world.adoption, projects])
    start(world, "Finished", key_results=[projects], status="done")
    items = {w["title"]: w for w in owner_api.get_json("/initiatives")["items"]}
    # adoption 1/4 of the weight at 1/3 done; projects 3/4 at 1/2 (mean of 0 and 1)
    assert items["Both"]["impact"] == pytest.approx(1 / 4 * 2 / 3 + 3 / 4 * 1 / 2)
    assert items["Finished"]["impact"] == 0
