"""/api/v1/kpis and /api/v1/kpis/{ref}/values: CRUD, bad input as problem+json with the
field, permissions, ETags, cursor paging and updated_since (docs/kpis.md)."""

from typing import Any

import pytest

from pacer.kpis.models import KPI, KPIValue
from tests import factories
from tests.api.conftest import World, assert_problem

UPTIME = {"name": "Uptime", "unit": "%", "kind": "stay_above", "threshold": 99.9}


@pytest.fixture
def world(db: Any) -> World:
    return factories.make_world(World)


def test_create_read_update_delete(world: World) -> None:
    api = world.client(world.owner)
    created = api.call("POST", "/kpis", UPTIME)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["ref"] == "uptime" and body["owner"] == "owner@acme.test"
    assert (body["status"], body["current"], body["threshold"]) == ("no_data", None, 99.9)
    read = api.call("GET", "/kpis/uptime")
    assert read.status_code == 200 and read.json() == body and read["ETag"]
    assert (
        api.call("GET", "/kpis/uptime", headers={"If-None-Match": read["ETag"]}).status_code == 304
    )
    changed = api.call("PATCH", "/kpis/uptime", {"kind": "range", "low": 99, "high": 100})
    assert changed.json()["kind"] == "range" and changed.json()["threshold"] is None
    archived = api.call("PATCH", "/kpis/uptime", {"archived": True}).json()
    assert archived["archived"] is True
    assert api.call("DELETE", "/kpis/uptime").status_code == 204
    assert_problem(api.call("GET", "/kpis/uptime"), 404)


def test_values_move_current_and_status(world: World) -> None:
    api = world.client(world.owner)
    api.call("POST", "/kpis", UPTIME)
    first = api.call("POST", "/kpis/uptime/values", {"value": 99.95, "at": "2026-05-04T09:00:00Z"})
    assert first.status_code == 201, first.content
    api.call("POST", "/kpis/uptime/values", {"value": 99.1, "at": "2026-05-01T09:00:00Z"})
    kpi = api.get_json("/kpis/uptime")
    assert (kpi["current"], kpi["status"]) == (99.95, "healthy")
    values = api.get_json("/kpis/uptime/values?limit=1")
    assert len(values["items"]) == 1 and values["next_cursor"]
    rest = api.get_json(f"/kpis/uptime/values?cursor={values['next_cursor']}")
    assert [v["value"] for v in rest["items"]] == [99.1]
    assert api.call("DELETE", f"/kpis/uptime/values/{first.json()['id']}").status_code == 204
    assert api.get_json("/kpis/uptime")["status"] == "unhealthy"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**UPTIME, "threshold": None}, "body.threshold"),
        ({**UPTIME, "kind": "range", "low": 5, "high": 1}, "body.high"),
        ({**UPTIME, "kind": "metric"}, "body.kind"),
        ({**UPTIME, "name": ""}, "body.name"),
        ({**UPTIME, "name": "a\x00b"}, "body.name"),
        ({**UPTIME, "owner": "nobody@acme.test"}, "body.owner"),
        ({**UPTIME, "team": "no-team"}, "body.team"),
        ({**UPTIME, "colour": "red"}, "body.colour"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(
    world: World, body: dict[str, Any], field: str
) -> None:
    problem = assert_problem(world.client(world.owner).call("POST", "/kpis", body), 422)
    assert field in {e["field"] for e in problem["errors"]}, problem
    assert not KPI.objects.exists()


def test_bad_values_are_refused(world: World) -> None:
    api = world.client(world.owner)
    api.call("POST", "/kpis", UPTIME)
    for body in ({"value": "NaN"}, {"value": 1, "at": "2999-01-01T00:00:00Z"}, {}):
        assert_problem(api.call("POST", "/kpis/uptime/values", body), 422)
    api.call("POST", "/kpis/uptime/values", {"value": 1, "at": "2026-05-01T09:00:00Z"})
    twice = api.call("POST", "/kpis/uptime/values", {"value": 2, "at": "2026-05-01T09:00:00Z"})
    assert_problem(twice, 422)
    assert KPIValue.objects.count() == 1


def test_permissions(world: World) -> None:
    world.client(world.owner).call("POST", "/kpis", {**UPTIME, "team": "platform"})
    outsider = world.client(world.outsider)
    assert outsider.get_json("/kpis")["items"][0]["ref"] == "uptime"  # organization-wide
    assert_problem(outsider.call("PATCH", "/kpis/uptime", {"name": "Mine"}), 403)
    assert_problem(outsider.call("DELETE", "/kpis/uptime"), 403)
    assert_problem(outsider.call("POST", "/kpis/uptime/values", {"value": 1}), 403)
    for_someone = {**UPTIME, "owner": "admin@acme.test"}
    assert_problem(outsider.call("POST", "/kpis", for_someone), 403)
    teammate = world.client(world.teammate)  # a member of its team reports values
    assert teammate.call("POST", "/kpis/uptime/values", {"value": 1}).status_code == 201
    assert_problem(teammate.call("PATCH", "/kpis/uptime", {"name": "Mine"}), 403)
    stranger = world.client(world.stranger)
    assert stranger.get_json("/kpis")["items"] == []
    assert_problem(stranger.call("GET", "/kpis/uptime"), 404)
    reader = world.client(world.admin, scope="read")
    assert_problem(reader.call("POST", "/kpis/uptime/values", {"value": 1}), 403)


def test_filters_and_updated_since(world: World) -> None:
    api = world.client(world.admin)
    api.call("POST", "/kpis", UPTIME)
    api.call("POST", "/kpis", {"name": "Response", "kind": "stay_below", "threshold": 4})
    api.call("POST", "/kpis/response/values", {"value": 3})
    assert [k["ref"] for k in api.get_json("/kpis?status=healthy")["items"]] == ["response"]
    assert [k["ref"] for k in api.get_json("/kpis?status=no_data")["items"]] == ["uptime"]
    assert api.get_json("/kpis?updated_since=2999-01-01T00:00:00Z")["items"] == []
    assert len(api.get_json("/kpis?updated_since=2000-01-01T00:00:00Z")["items"]) == 2


def test_the_api_spells_the_engines_kinds_and_statuses() -> None:
    from typing import get_args

    from pacer.api.endpoints.kpis import KPIKind, KPIStatus
    from pacer.kpis import rules
    from pacer.kpis.models import KPI, STATUSES

    assert get_args(KPIKind) == rules.KINDS == tuple(KPI.Kind.values)
    assert get_args(KPIStatus) == STATUSES
