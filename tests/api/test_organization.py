"""Settings, teams, people and cycles."""

from datetime import date

from tests.api.conftest import ApiClient, World, assert_problem
from tests.factories import make_cycle


def test_settings_read_by_all_changed_by_admins(
    world: World, owner_api: ApiClient, admin_api: ApiClient
) -> None:
    assert owner_api.get_json("/organization")["at_risk_gap"] == 0.1
    assert_problem(owner_api.call("PATCH", "/organization", {"at_risk_gap": 0.2}), 403)
    bad = admin_api.call("PATCH", "/organization", {"at_risk_gap": 0.3})
    assert assert_problem(bad, 422)["errors"][0]["field"] == "body.off_track_gap"
    changed = admin_api.call("PATCH", "/organization", {"at_risk_gap": 0.05})
    assert changed.json()["at_risk_gap"] == 0.05


def test_teams_and_people(world: World, owner_api: ApiClient) -> None:
    team = owner_api.get_json("/teams/platform")
    assert [(m["email"], m["is_lead"]) for m in team["members"]] == [
        ("owner@acme.test", True),
        ("teammate@acme.test", False),
    ]
    assert len(owner_api.get_json("/teams")["items"]) == 1
    people = owner_api.get_json("/people")["items"]
    assert {p["email"] for p in people} == {
        "admin@acme.test",
        "owner@acme.test",
        "teammate@acme.test",
        "outsider@acme.test",
    }
    assert owner_api.get_json("/people/owner@acme.test")["teams"] == ["platform"]
    assert_problem(owner_api.call("GET", "/people/nobody@acme.test"), 404)


def test_cycles_crud_for_admins(world: World, owner_api: ApiClient, admin_api: ApiClient) -> None:
    body = {"ref": "2026-q3", "name": "2026 Q3", "start": "2026-07-01", "end": "2026-09-30"}
    assert_problem(owner_api.call("POST", "/cycles", body), 403)
    created = admin_api.call("POST", "/cycles", body)
    assert created.status_code == 201, created.content
    assert_problem(admin_api.call("POST", "/cycles", body), 422)  # ref taken
    backwards = {**body, "ref": "x", "start": "2026-10-01"}
    assert (
        assert_problem(admin_api.call("POST", "/cycles", backwards), 422)["errors"][0]["field"]
        == "body.end"
    )
    renamed = admin_api.call("PATCH", "/cycles/2026-q3", {"name": "Q3", "state": "planning"})
    assert (renamed.json()["name"], renamed.json()["state"]) == ("Q3", "planning")
    assert admin_api.call("DELETE", "/cycles/2026-q3").status_code == 204
    assert_problem(admin_api.call("DELETE", "/cycles/2026-q2"), 409)  # has objectives
    assert [c["ref"] for c in owner_api.get_json("/cycles")["items"]] == ["2026-q2"]
    make_cycle(world.org, "2027", date(2027, 1, 1), date(2027, 12, 31))
    assert owner_api.get_json("/cycles/2027")["start"] == "2027-01-01"
