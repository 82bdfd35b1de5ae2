"""The data source endpoints: read, set, preview, remove and the sync log of a key result's
source; 404 for hidden key results, 403 for people who may not check in, 422 naming the
field, and the URL's secrets and header values never returned."""

import json
from typing import Any

import pytest
from django.utils import timezone

from pacer.datasources import services
from pacer.datasources.models import DataSource
from pacer.okrs.models import Cycle
from tests.api.conftest import World as ApiWorld
from tests.factories import make_world

pytestmark = pytest.mark.django_db
SOURCE = "/key-results/adoption/source"


@pytest.fixture
def api_world(db: Any) -> ApiWorld:
    from datetime import timedelta

    world = make_world(ApiWorld)
    Cycle.objects.filter(pk=world.cycle.pk).update(end=timezone.localdate() + timedelta(days=60))
    return world


def http_body(receiver: Any, **fields: Any) -> dict[str, Any]:
    return {"kind": "http_json", "url": f"{receiver.url}/metric", "jsonpath": "$.value", **fields}


def test_put_get_preview_runs_and_delete(api_world: ApiWorld, http_receiver: Any) -> None:
    http_receiver.documents["/metric?key=abcdefgh"] = (200, json.dumps({"value": 7.5}).encode())
    api = api_world.client(api_world.owner)
    body = http_body(
        http_receiver,
        url=f"{http_receiver.url}/metric?key=abcdefgh",
        headers={"Authorization": "Bearer tok-123456"},
    )
    assert api.call("GET", SOURCE).status_code == 404
    preview = api.call("POST", f"{SOURCE}/preview", body)
    assert preview.status_code == 200, preview.content
    assert preview.json()["value"] == 7.5 and "$.value = 7.5" in preview.json()["detail"]
    assert not DataSource.objects.exists()
    put = api.call("PUT", SOURCE, body)
    assert put.status_code == 200, put.content
    shown = api.get_json(SOURCE)
    assert shown == put.json()
    assert shown["url_masked"] == "http://127.0.0.1/…efgh" and shown["header_names"] == [
        "Authorization"
    ]
    assert "abcdefgh" not in json.dumps(shown) and "tok-123456" not in json.dumps(shown)
    services.run_source(DataSource.objects.get().pk)
    [run] = api.get_json(f"{SOURCE}/runs")["items"]
    assert run["ok"] and run["value"] == 7.5 and run["checkin_id"] is not None
    assert "abcdefgh" not in json.dumps(run)
    assert api.call("DELETE", SOURCE).status_code == 204
    assert api.call("GET", f"{SOURCE}/runs").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "http_json", "url": "http://192.168.1.1/x", "jsonpath": "$.v"}, "body.url"),
        ({"kind": "sql", "database": "warehouse", "query": "DROP TABLE signups"}, "body.query"),
        ({"kind": "http_json", "url": "https://93.184.215.14/m", "jsonpath": "$.v",
          "interval_minutes": 2}, "body.interval_minutes"),
        ({"kind": "carrier-pigeon"}, "body.kind"),
        ({"kind": "tracker", "url": "https://github.com/a/b/milestone/1", "count": "all"},
         "body.count"),
    ],
)  # fmt: skip
def test_refused_configurations_are_422_naming_the_field(
    api_world: ApiWorld, metrics_db: Any, body: dict[str, Any], field: str
) -> None:
    answer = api_world.client(api_world.owner).call("PUT", SOURCE, body)
    assert answer.status_code == 422, answer.content
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert not DataSource.objects.exists()


def test_a_failed_preview_is_422_naming_the_field(api_world: ApiWorld, http_receiver: Any) -> None:
    http_receiver.documents["/metric"] = (200, b'{"value": "lots"}')
    answer = api_world.client(api_world.owner).call(
        "POST", f"{SOURCE}/preview", http_body(http_receiver)
    )
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["field"] == "body.jsonpath" and "not a number" in error["message"]


def test_a_non_metric_key_result_is_refused_naming_type(api_world: ApiWorld) -> None:
    from tests.factories import make_key_result

    make_key_result(api_world.public, "shipped", type="boolean", title="Shipped")
    body = {"kind": "http_json", "url": "https://93.184.215.14/m", "jsonpath": "$.v"}
    answer = api_world.client(api_world.owner).call("PUT", "/key-results/shipped/source", body)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["body.type"]


def test_hidden_key_results_are_404_and_non_checkers_403(api_world: ApiWorld) -> None:
    body = {"kind": "http_json", "url": "https://93.184.215.14/m", "jsonpath": "$.v"}
    services.source_set(key_result=api_world.adoption, by=api_world.owner, **body)
    outsider = api_world.client(api_world.outsider)
    for method, path, sent in [
        ("GET", SOURCE, None),
        ("PUT", SOURCE, body),
        ("POST", f"{SOURCE}/preview", body),
        ("GET", f"{SOURCE}/runs", None),
        ("DELETE", SOURCE, None),
    ]:
        assert outsider.call(method, path, sent).status_code == 403
        stranger = api_world.client(api_world.stranger)
        assert stranger.call(method, path, sent).status_code == 404
    hidden = "/key-results/secret-kr/source"
    assert outsider.call("GET", hidden).status_code == 404
    assert DataSource.objects.count() == 1
