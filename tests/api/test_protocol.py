"""Pagination, incremental sync with tombstones, ETags, errors, query counts, the spec."""

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pacer.api.management.commands.openapi import openapi_text
from tests.api.conftest import ApiClient, World, assert_problem
from tests.factories import check_in, make_key_result, make_objective

SPEC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def walk(api: ApiClient, path: str) -> list[dict[str, Any]]:
    items, cursor = [], None
    while True:
        page = api.get_json(path + (f"&cursor={cursor}" if cursor else ""))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def add_objectives(world: World, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        objective = make_objective(world.cycle, f"o-{n}", world.owner, team=world.team)
        check_in(make_key_result(objective, f"kr-{n}"), n, date(2026, 4, 10))


def test_cursor_pagination_walks_every_item_exactly_once(
    world: World, owner_api: ApiClient
) -> None:
    add_objectives(world, 11)
    refs = [o["ref"] for o in walk(owner_api, "/objectives?limit=3")]
    assert len(refs) == len(set(refs)) == 13
    krs = [kr["ref"] for kr in walk(owner_api, "/key-results?limit=4")]
    assert len(krs) == len(set(krs)) == 13


def test_bad_cursor_and_limit_are_422(world: World, owner_api: ApiClient) -> None:
    for query in ("cursor=nonsense", "cursor=YWZ0ZXI6LTE=", "limit=0", "limit=201", "limit=x"):
        problem = assert_problem(owner_api.call("GET", f"/objectives?{query}"), 422)
        assert problem["errors"][0]["field"].startswith("query.")


def queries_for(api: ApiClient, path: str) -> int:
    api.get_json(path)  # the first use of a token also records when it was used
    with CaptureQueriesContext(connection) as captured:
        api.get_json(path)
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "path", ["/objectives?limit=200", "/key-results?limit=200", "/checkins?limit=200", "/teams"]
)
def test_list_queries_do_not_grow_with_rows(world: World, owner_api: ApiClient, path: str) -> None:
    add_objectives(world, 2)
    few = queries_for(owner_api, path)
    add_objectives(world, 12, start=2)
    assert queries_for(owner_api, path) == few


def test_updated_since_and_deletions(world: World, owner_api: ApiClient) -> None:
    mark = timezone.now()
    assert (
        owner_api.get_json(f"/objectives?updated_since={mark.isoformat().replace('+', '%2B')}")[
            "items"
        ]
        == []
    )
    checkin = owner_api.call("POST", "/key-results/adoption/checkins", {"value": 50}).json()
    since = mark.isoformat().replace("+", "%2B")
    changed = owner_api.get_json(f"/objectives?updated_since={since}")["items"]
    assert [o["ref"] for o in changed] == ["delivery"]  # its progress changed
    assert [c["id"] for c in owner_api.get_json(f"/checkins?updated_since={since}")["items"]] == [
        checkin["id"]
    ]
    owner_api.call("DELETE", f"/checkins/{checkin['id']}")
    world.client(world.owner).call("DELETE", "/key-results/secret-kr")
    deleted = owner_api.get_json(f"/deletions?since={since}")["items"]
    assert {(d["kind"], d["ref"]) for d in deleted} == {
        ("checkin", str(checkin["id"])),
        ("key_result", "secret-kr"),
    }
    outsider = world.client(world.outsider).get_json(f"/deletions?since={since}")["items"]
    assert [(d["kind"], d["ref"]) for d in outsider] == [("checkin", str(checkin["id"]))]
    later = (timezone.now() + timedelta(seconds=1)).isoformat().replace("+", "%2B")
    assert owner_api.get_json(f"/deletions?since={later}")["items"] == []


def test_etag_and_if_none_match(world: World, owner_api: ApiClient) -> None:
    first = owner_api.call("GET", "/objectives/delivery")
    etag = first["ETag"]
    again = owner_api.call("GET", "/objectives/delivery", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    listed = owner_api.call("GET", "/objectives")
    assert (
        owner_api.call("GET", "/objectives", headers={"If-None-Match": listed["ETag"]}).status_code
        == 304
    )
    owner_api.call("POST", "/key-results/adoption/checkins", {"value": 50})
    changed = owner_api.call("GET", "/objectives/delivery", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/objectives", "{not json", 400),
        ("GET", "/no-such-thing", None, 404),
        ("GET", "/objectives/bad%20ref", None, 422),
        ("GET", "/objectives/nope", None, 404),
        ("POST", "/objectives", {"cycle": "2026-q2", "title": "a\x00b"}, 422),
        ("POST", "/objectives", {"cycle": "2026-q2", "title": "x" * 301}, 422),
        ("POST", "/objectives", {"cycle": "2026-q2", "title": "ok", "extra": 1}, 422),
        ("GET", "/objectives?q=%00", None, 422),
        ("GET", "/objectives?updated_since=0001-01-01T00:00:00%2B05:00", None, 422),
        ("GET", "/objectives?as_of=2026-02-30", None, 422),
        ("DELETE", "/checkins/0", None, 422),
        ("POST", "/key-results/adoption/checkins", {"value": "1e400"}, 422),
        ("POST", "/key-results/adoption/checkins", {"value": "NaN"}, 422),
        ("POST", "/key-results/adoption/checkins", {"value": 1e18}, 422),
    ],
)
def test_errors_are_problem_details(
    world: World, owner_api: ApiClient, method: str, path: str, body: Any, status: int
) -> None:
    if isinstance(body, str):
        response = owner_api.generic(
            method,
            "/api/v1" + path,
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {owner_api.token}"},
        )
    else:
        response = owner_api.call(method, path, body)
    assert_problem(response, status)


def test_openapi_is_3_1_served_and_committed() -> None:
    generated = openapi_text()
    schema = json.loads(generated)
    assert schema["openapi"].startswith("3.1")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            assert "422" in operation["responses"]
            problem = operation["responses"]["422"]["content"]
            assert list(problem) == ["application/problem+json"]
    assert SPEC.read_text(encoding="utf-8") == generated, (
        "docs/openapi.json is out of date: run `pacer openapi -o docs/openapi.json`"
    )


def test_spec_and_docs_are_served(client: Any, db: None) -> None:
    assert client.get("/api/v1/openapi.json").json()["openapi"].startswith("3.1")
    assert client.get("/api/v1/docs").status_code == 200
