"""Objectives over the API: the web's rules and numbers, the visibility selector's view."""

from datetime import date
from typing import Any

from pacer.okrs.models import Alignment, Objective
from tests.api.conftest import ApiClient, World, assert_problem
from tests.factories import check_in, fresh, make_cycle, make_key_result, make_objective


def test_detail_carries_the_computed_numbers_at_as_of(world: World, owner_api: ApiClient) -> None:
    body = owner_api.get_json("/objectives/delivery?as_of=2026-05-16")
    assert body["progress"] == 0.333333333333  # 30 of 90 %, stored with 12 places
    assert body["expected"] == 0.5  # 45 of 90 days
    assert body["status"] == "at_risk"  # 0.5 - 0.33 is within 0.25
    assert (body["score"], body["color"], body["final_score"]) == (0.3, "red", None)
    assert body["key_results"] == ["adoption"] and body["cycle"] == "2026-q2"
    kr = owner_api.get_json("/key-results/adoption?as_of=2026-05-16")
    assert (kr["current"], kr["confidence"], kr["status"]) == (30, None, "at_risk")
    assert kr["expected"] == 0.5 and kr["objective"] == "delivery"


def test_private_objective_is_a_404_for_an_outsider_without_its_title(
    world: World, outsider_api: ApiClient
) -> None:
    for path in ("/objectives/secret-merger", "/key-results/secret-kr"):
        body = assert_problem(outsider_api.call("GET", path), 404)
        assert "Initech" not in str(body) and "term sheet" not in str(body)
    response = outsider_api.call("PATCH", "/objectives/secret-merger", {"title": "x"})
    assert_problem(response, 404)
    refs = [o["ref"] for o in outsider_api.get_json("/objectives")["items"]]
    assert refs == ["delivery"]
    searched = outsider_api.get_json("/objectives?q=initech")["items"]
    assert searched == []
    teammate = world.client(world.teammate)
    assert teammate.call("GET", "/objectives/secret-merger").status_code == 200


def test_create_with_key_results_and_parent(world: World, owner_api: ApiClient) -> None:
    body = {
        "cycle": "2026-q2",
        "title": "Grow revenue",
        "team": "platform",
        "kind": "committed",
        "parents": ["delivery"],
        "key_results": [{"title": "ARR", "type": "metric", "start": 1, "target": 2.5}],
    }
    response = owner_api.call("POST", "/objectives", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["ref"], created["kind"], created["parents"]) == (
        "grow-revenue",
        "committed",
        ["delivery"],
    )
    kr = owner_api.get_json(f"/key-results/{created['key_results'][0]}")
    assert (kr["start"], kr["target"], kr["current"]) == (1, 2.5, 1)


def test_create_refuses_bad_input_with_field_paths(world: World, owner_api: ApiClient) -> None:
    body: dict[str, Any] = {
        "cycle": "2026-q2",
        "title": "Grow",
        "key_results": [{"title": "ARR", "type": "metric", "start": 1, "target": 1}],
    }
    problem = assert_problem(owner_api.call("POST", "/objectives", body), 422)
    assert problem["errors"] == [
        {"field": "body.key_results[0].target", "message": "must differ from start (1)"}
    ]
    body["key_results"][0]["target"] = "1e30"
    problem = assert_problem(owner_api.call("POST", "/objectives", body), 422)
    assert problem["errors"][0]["field"] == "body.key_results[0].target"
    problem = assert_problem(owner_api.call("POST", "/objectives", {**body, "cycle": "nope"}), 422)
    assert problem["errors"][0]["field"] == "body.key_results[0].target"
    hidden_parent = {**body, "key_results": [], "parents": ["secret-merger"]}
    outsider = world.client(world.outsider)
    problem = assert_problem(outsider.call("POST", "/objectives", hidden_parent), 422)
    assert problem["errors"][0]["field"] == "body.parents[0]"
    assert "Initech" not in str(problem)
    assert not Objective.objects.filter(title="Grow").exists()


def test_update_is_partial_and_refuses_a_stale_version(world: World, owner_api: ApiClient) -> None:
    version = owner_api.get_json("/objectives/delivery")["version"]
    changed = owner_api.call("PATCH", "/objectives/delivery", {"title": "Ship", "version": version})
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "Ship" and changed.json()["team"] == "platform"
    stale = owner_api.call("PATCH", "/objectives/delivery", {"title": "Old", "version": version})
    assert_problem(stale, 409)
    assert fresh(world.public).title == "Ship"
    cleared = owner_api.call("PATCH", "/objectives/delivery", {"team": None})
    assert cleared.json()["team"] is None


def test_only_editors_change_an_objective(world: World, outsider_api: ApiClient) -> None:
    assert_problem(outsider_api.call("PATCH", "/objectives/delivery", {"title": "x"}), 403)
    assert_problem(outsider_api.call("POST", "/objectives/delivery/archive"), 403)


def test_archive_restore_align_unalign(world: World, owner_api: ApiClient) -> None:
    year = make_cycle(world.org, "2026", date(2026, 1, 1), date(2026, 12, 31))
    parent = make_objective(year, "company", world.admin, title="Company goal")
    archived = owner_api.call("POST", "/objectives/delivery/archive").json()
    assert archived["archived_at"] is not None
    refused = owner_api.call("POST", "/key-results/adoption/checkins", {"value": 50})
    assert_problem(refused, 409)
    assert owner_api.call("POST", "/objectives/delivery/restore").json()["archived_at"] is None
    aligned = owner_api.call("POST", "/objectives/delivery/parents/company")
    assert aligned.json()["parents"] == ["company"]
    assert Alignment.objects.filter(child=world.public, parent=parent).exists()
    loop = world.client(world.admin).call("POST", "/objectives/company/parents/delivery")
    assert_problem(loop, 422)
    unaligned = owner_api.call("DELETE", "/objectives/delivery/parents/company")
    assert unaligned.json()["parents"] == []


def test_copy_to_another_cycle_with_chosen_key_results(world: World, owner_api: ApiClient) -> None:
    make_cycle(world.org, "2026-q3", date(2026, 7, 1), date(2026, 9, 30))
    make_key_result(world.public, "nps", target=50)
    response = owner_api.call(
        "POST", "/objectives/delivery/copy", {"cycle": "2026-q3", "key_results": ["nps"]}
    )
    assert response.status_code == 201, response.content
    copy = response.json()
    assert copy["cycle"] == "2026-q3" and len(copy["key_results"]) == 1
    assert copy["progress"] == 0
    wrong = owner_api.call(
        "POST", "/objectives/delivery/copy", {"cycle": "2026-q3", "key_results": ["secret-kr"]}
    )
    assert assert_problem(wrong, 422)["errors"][0]["field"] == "body.key_results[0]"


def test_retrospective_and_close(world: World, owner_api: ApiClient, admin_api: ApiClient) -> None:
    closed = admin_api.call("POST", "/cycles/2026-q2/close")
    assert closed.json()["state"] == "closed"
    no_reason = owner_api.call("PUT", "/objectives/delivery/retrospective", {"score_override": 0.7})
    assert assert_problem(no_reason, 422)["errors"][0]["field"] == "body.override_reason"
    body = {"score_override": 0.7, "override_reason": "Signed late", "learned": "Start early"}
    saved = owner_api.call("PUT", "/objectives/delivery/retrospective", body).json()
    assert (saved["score"], saved["final_score"], saved["learned"]) == (0.7, 0.3, "Start early")
    frozen = owner_api.call("POST", "/key-results/adoption/checkins", {"value": 80})
    assert_problem(frozen, 409)
    reopened = admin_api.call("POST", "/cycles/2026-q2/reopen").json()
    assert reopened["state"] == "active"


def test_list_filters(world: World, admin_api: ApiClient) -> None:
    other = make_objective(world.cycle, "hiring", world.admin, kind="committed", title="Hire")
    check_in(make_key_result(other, "hires"), 100, date(2026, 4, 10))

    def refs(query: str) -> list[str]:
        return [o["ref"] for o in admin_api.get_json(f"/objectives?{query}")["items"]]

    assert refs("kind=committed") == ["hiring"]
    assert refs("team=platform") == ["delivery", "secret-merger"]
    assert refs("owner=ADMIN@acme.test") == ["hiring"]
    assert refs("visibility=private") == ["secret-merger"]
    assert refs("status=done&as_of=2026-05-01") == ["hiring"]
    assert refs("q=DELIVER") == ["delivery"]
    assert refs("cycle=2026-q2&archived=false") == ["delivery", "secret-merger", "hiring"]


def test_a_member_cannot_file_an_objective_under_a_team_they_are_not_in(
    world: World, owner_api: ApiClient, outsider_api: ApiClient
) -> None:
    body = {"cycle": "2026-q2", "title": "Own the platform roadmap", "team": "platform"}
    refused = outsider_api.call("POST", "/objectives", body)
    assert_problem(refused, 403)
    assert not Objective.objects.filter(title="Own the platform roadmap").exists()
    assert owner_api.call("POST", "/objectives", body).status_code == 201


def test_an_admin_names_another_owner_a_member_only_themselves(
    world: World, owner_api: ApiClient
) -> None:
    outsider = {"owner": world.outsider.email}
    refused = owner_api.call("PATCH", "/objectives/delivery", outsider)
    assert_problem(refused, 403)
    assert fresh(world.public).owner == world.owner
    unknown = owner_api.call("PATCH", "/objectives/delivery", {"owner": "nobody@acme.test"})
    assert assert_problem(unknown, 422)["errors"][0]["field"] == "body.owner"
    stranger = {"owner": world.stranger.email}  # another organization's: not found here
    assert_problem(world.client(world.admin).call("PATCH", "/objectives/delivery", stranger), 422)
    changed = world.client(world.admin).call("PATCH", "/objectives/delivery", outsider)
    assert changed.status_code == 200, changed.content
    assert changed.json()["owner"] == world.outsider.email
    assert fresh(world.public).owner == world.outsider
