"""A KPI's data source through the API (/kpis/{ref}/source): read, set, preview, the sync
log and remove, as for a key result's; 404 for another organization's KPI, 403 for people
who may not change it, 422 naming the field, and secrets never returned."""

import json
from decimal import Decimal
from typing import Any

import pytest

from pacer.datasources import services
from pacer.datasources.models import DataSource
from pacer.kpis import services as kpi_services
from pacer.kpis.models import KPI, KPIValue
from pacer.kpis.services import KPISpec
from tests.api.conftest import World as ApiWorld
from tests.factories import make_world

pytestmark = pytest.mark.django_db
SOURCE = "/kpis/uptime/source"


@pytest.fixture
def api_world(db: Any) -> ApiWorld:
    world = make_world(ApiWorld)
    spec = KPISpec(
        name="Uptime", owner=world.owner, kind="stay_above", unit="%", threshold=Decimal(99)
    )
    kpi_services.kpi_create(organization=world.org, spec=spec)
    return world


def http_body(receiver: Any, **fields: Any) -> dict[str, Any]:
    return {"kind": "http_json", "url": f"{receiver.url}/uptime", "jsonpath": "$.value", **fields}


def test_put_get_preview_runs_and_delete(api_world: ApiWorld, http_receiver: Any) -> None:
    http_receiver.documents["/uptime?key=abcdefgh"] = (200, json.dumps({"value": 99.5}).encode())
    api = api_world.client(api_world.owner)
    body = http_body(
        http_receiver,
        url=f"{http_receiver.url}/uptime?key=abcdefgh",
        headers={"Authorization": "Bearer tok-123456"},
    )
    assert api.call("GET", SOURCE).status_code == 404
    preview = api.call("POST", f"{SOURCE}/preview", body)
    assert preview.status_code == 200, preview.content
    assert preview.json()["value"] == 99.5
    assert not DataSource.objects.exists()
    put = api.call("PUT", SOURCE, body)
    assert put.status_code == 200, put.content
    shown = api.get_json(SOURCE)
    assert shown == put.json()
    assert shown["kpi"] == "uptime" and shown["key_result"] == ""
    assert shown["url_masked"] == "http://127.0.0.1/…efgh"
    assert "abcdefgh" not in json.dumps(shown) and "tok-123456" not in json.dumps(shown)
    services.run_source(DataSource.objects.get().pk)
    [run] = api.get_json(f"{SOURCE}/runs")["items"]
    assert run["ok"] and run["value"] == 99.5
    assert KPIValue.objects.get().value == Decimal("99.5")  # the run added a value
    assert api.call("DELETE", SOURCE).status_code == 204
    assert api.call("GET", f"{SOURCE}/runs").status_code == 404
    assert KPIValue.objects.count() == 1  # its values stay


def test_a_refused_configuration_is_422_naming_the_field(api_world: ApiWorld) -> None:
    body = {"kind": "http_json", "url": "http://192.168.1.1/x", "jsonpath": "$.v"}
    answer = api_world.client(api_world.owner).call("PUT", SOURCE, body)
    assert answer.status_code == 422, answer.content
    assert [e["field"] for e in answer.json()["errors"]] == ["body.url"]
    assert not DataSource.objects.exists()


def test_other_organizations_get_404_and_non_changers_403(api_world: ApiWorld) -> None:
    body = {"kind": "http_json", "url": "https://93.184.215.14/m", "jsonpath": "$.v"}
    kpi = KPI.objects.get()
    services.kpi_source_set(kpi=kpi, by=api_world.owner, **body)
    teammate, stranger = api_world.client(api_world.teammate), api_world.client(api_world.stranger)
    for method, path, sent in [
        ("GET", SOURCE, None),
        ("PUT", SOURCE, body),
        ("POST", f"{SOURCE}/preview", body),
        ("GET", f"{SOURCE}/runs", None),
        ("DELETE", SOURCE, None),
    ]:
        assert teammate.call(method, path, sent).status_code == 403, (method, path)
        assert stranger.call(method, path, sent).status_code == 404, (method, path)
    assert DataSource.objects.count() == 1
    assert api_world.client(api_world.admin).call("GET", SOURCE).status_code == 200


def test_a_deleted_kpi_leaves_a_tombstone_for_everyone_of_its_organization(
    api_world: ApiWorld,
) -> None:
    since = "2000-01-01T00:00:00Z"
    owner = api_world.client(api_world.owner)
    assert owner.call("DELETE", "/kpis/uptime").status_code == 204
    for person in (api_world.teammate, api_world.outsider):
        items = api_world.client(person).get_json(f"/deletions?since={since}")["items"]
        assert [(t["kind"], t["ref"]) for t in items] == [("kpi", "uptime")]
    assert api_world.client(api_world.stranger).get_json(f"/deletions?since={since}")["items"] == []
