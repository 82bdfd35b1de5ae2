"""Key results and milestones: create, change, move, delete."""

from datetime import date

from pacer.initiatives import services as initiatives
from pacer.initiatives.services import InitiativeSpec
from pacer.okrs.models import KeyResult
from tests.api.conftest import ApiClient, World, assert_problem
from tests.factories import check_in, make_objective


def test_create_update_delete(world: World, owner_api: ApiClient) -> None:
    body = {"title": "Latency", "type": "stay_below", "threshold": 200, "unit": "ms"}
    response = owner_api.call("POST", "/objectives/delivery/key-results", body)
    assert response.status_code == 201, response.content
    kr = response.json()
    assert (kr["type"], kr["threshold"], kr["status"]) == ("stay_below", 200, "on_track")
    changed = owner_api.call(
        "PATCH", f"/key-results/{kr['ref']}", {"threshold": 150, "title": None}
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["threshold"], changed.json()["title"]) == (150, "Latency")
    bad = owner_api.call("PATCH", f"/key-results/{kr['ref']}", {"threshold": None})
    assert assert_problem(bad, 422)["errors"][0]["field"] == "body.threshold"
    assert owner_api.call("DELETE", f"/key-results/{kr['ref']}").status_code == 204
    assert not KeyResult.objects.filter(ref=kr["ref"]).exists()


def test_type_change_must_suit_stored_check_ins(world: World, owner_api: ApiClient) -> None:
    response = owner_api.call("PATCH", "/key-results/adoption", {"type": "boolean"})
    assert assert_problem(response, 422)["errors"][0]["field"] == "body.type"


def test_linked_key_results_cannot_loop(world: World, owner_api: ApiClient) -> None:
    body = {"title": "Follows", "type": "linked", "linked_objective": "secret-merger"}
    assert owner_api.call("POST", "/objectives/delivery/key-results", body).status_code == 201
    back = {"title": "Back", "type": "linked", "linked_objective": "delivery"}
    response = owner_api.call("POST", "/objectives/secret-merger/key-results", back)
    assert assert_problem(response, 422)["errors"][0]["field"] == "body.linked_objective"


def test_move_to_another_objective(world: World, owner_api: ApiClient) -> None:
    target = make_objective(world.cycle, "growth", world.owner)
    response = owner_api.call("POST", "/key-results/adoption/move", {"objective": "growth"})
    assert response.status_code == 200, response.content
    assert response.json()["objective"] == "growth"
    assert target.key_results.count() == 1
    admins = make_objective(world.cycle, "admins-only", world.admin)
    refused = owner_api.call("POST", "/key-results/adoption/move", {"objective": admins.ref})
    assert_problem(refused, 403)


def test_milestones(world: World, owner_api: ApiClient) -> None:
    kr = owner_api.call(
        "POST", "/objectives/delivery/key-results", {"title": "Feedback", "type": "milestones"}
    ).json()
    path = f"/key-results/{kr['ref']}/milestones"
    first = owner_api.call("POST", path, {"title": "January"}).json()
    owner_api.call("POST", path, {"title": "February", "weight": 3})
    done = owner_api.call("PATCH", f"{path}/{first['id']}", {"done": True})
    assert done.json()["done"] is True
    assert owner_api.get_json(f"/key-results/{kr['ref']}")["progress"] == 0.25
    assert len(owner_api.get_json(path)["items"]) == 2
    assert owner_api.call("DELETE", f"{path}/{first['id']}").status_code == 204
    assert owner_api.get_json(f"/key-results/{kr['ref']}")["progress"] == 0
    wrong = owner_api.call("POST", "/key-results/adoption/milestones", {"title": "x"})
    assert assert_problem(wrong, 422)["errors"][0]["field"] == "body.key_result"


# --- A linked key result that follows a private objective ------------------------------

FOLLOWED = ("linked_objective", "current", "progress", "status", "score", "color")
FOLLOWED += ("forecast", "forecast_progress", "forecast_label")


def follow_the_private_objective(world: World, owner_api: ApiClient) -> str:
    """`delivery` (public) gets a key result that follows `secret-merger` (private), which
    is 40 % done."""
    body = {"title": "Follows", "type": "linked", "linked_objective": "secret-merger"}
    created = owner_api.call("POST", "/objectives/delivery/key-results", body)
    assert created.status_code == 201, created.content
    check_in(world.secret_kr, 40, date(2026, 4, 21))
    return str(created.json()["ref"])


def test_linked_key_result_hides_a_private_objective_and_its_numbers(
    world: World, owner_api: ApiClient, outsider_api: ApiClient
) -> None:
    ref = follow_the_private_objective(world, owner_api)
    listed = outsider_api.get_json("/key-results?objective=delivery&as_of=2026-05-01")["items"]
    one = outsider_api.get_json(f"/key-results/{ref}?as_of=2026-05-01")
    for kr in (one, next(item for item in listed if item["ref"] == ref)):
        assert {name: kr[name] for name in FOLLOWED} == dict.fromkeys(FOLLOWED)
        assert kr["final_score"] is None
        assert kr["expected"] > 0  # the date's, not the followed objective's
    assert "secret" not in outsider_api.call("GET", f"/key-results/{ref}").content.decode()


def test_linked_key_result_shows_a_private_objective_to_those_who_see_it(
    world: World, owner_api: ApiClient
) -> None:
    ref = follow_the_private_objective(world, owner_api)
    kr = owner_api.get_json(f"/key-results/{ref}?as_of=2026-05-01")
    assert (kr["linked_objective"], kr["progress"], kr["current"]) == ("secret-merger", 0.4, 0.4)
    assert kr["status"] is not None and kr["score"] == 0.4


def test_key_result_owner_is_an_active_person_of_the_organization(
    world: World, owner_api: ApiClient
) -> None:
    body = {"title": "Latency", "type": "boolean", "owner": world.teammate.email}
    response = owner_api.call("POST", "/objectives/delivery/key-results", body)
    assert response.status_code == 201, response.content
    kr = response.json()
    assert kr["owner"] == world.teammate.email
    cleared = owner_api.call("PATCH", f"/key-results/{kr['ref']}", {"owner": None})
    assert cleared.json()["owner"] is None
    stranger = {"owner": world.stranger.email}
    refused = owner_api.call("PATCH", f"/key-results/{kr['ref']}", stranger)
    assert assert_problem(refused, 422)["errors"][0]["field"] == "body.owner"
    nested = {
        "cycle": world.cycle.ref,
        "title": "Owned",
        "key_results": [{"title": "A", "type": "boolean", "owner": "nobody@example.com"}],
    }
    refused = owner_api.call("POST", "/objectives", nested)
    assert assert_problem(refused, 422)["errors"][0]["field"] == "body.key_results[0].owner"


def test_initiatives_key_result_takes_its_progress_from_its_work(
    world: World, owner_api: ApiClient
) -> None:
    body = {"title": "Ship the billing work", "type": "initiatives"}
    response = owner_api.call("POST", "/objectives/delivery/key-results", body)
    assert response.status_code == 201, response.content
    kr = response.json()
    assert (kr["type"], kr["start"], kr["target"], kr["progress"]) == ("initiatives", None, None, 0)
    row = KeyResult.objects.get(ref=kr["ref"])
    spec = InitiativeSpec(title="Migrate billing", owner=world.owner, key_results=[row])
    initiatives.initiative_create(cycle=world.cycle, spec=spec)
    spec = InitiativeSpec(
        title="Retire invoices", owner=world.owner, key_results=[row], status="done"
    )
    initiatives.initiative_create(cycle=world.cycle, spec=spec)
    assert owner_api.get_json(f"/key-results/{kr['ref']}")["progress"] == 0.5
    checkins = f"/key-results/{kr['ref']}/checkins"
    valued = owner_api.call("POST", checkins, {"value": 3, "confidence": "at_risk"})
    assert assert_problem(valued, 422)["errors"][0]["field"] == "body.value"
    assert owner_api.call("POST", checkins, {"confidence": "at_risk"}).status_code == 201
    assert owner_api.get_json(f"/key-results/{kr['ref']}")["confidence"] == "at_risk"
    # A metric with check-ins cannot become a derived type: its values would be lost.
    changed = owner_api.call("PATCH", "/key-results/adoption", {"type": "initiatives"})
    assert assert_problem(changed, 422)["errors"][0]["field"] == "body.type"
