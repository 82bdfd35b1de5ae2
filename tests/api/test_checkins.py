"""Check-ins: one, many (all or nothing), lists with filters, deleting your own."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from pacer.okrs.models import CheckIn
from tests.api.conftest import ApiClient, World, assert_problem
from tests.factories import database_state, make_key_result


def test_check_in_updates_the_key_result(world: World, owner_api: ApiClient) -> None:
    body = {"value": 45, "confidence": "at_risk", "note": "pilot", "at": "2026-05-01T10:00:00"}
    response = owner_api.call("POST", "/key-results/adoption/checkins", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["value"], created["author"]) == (45, "owner@acme.test")
    assert created["at"].startswith("2026-05-01T10:00:00")
    kr = owner_api.get_json("/key-results/adoption")
    assert (kr["current"], kr["confidence"], kr["progress"]) == (45, "at_risk", 0.5)


def test_check_in_refuses_bad_values(world: World, owner_api: ApiClient) -> None:
    for value, field in (("abc", "body.value"), ("1.1234567", "body.value")):
        response = owner_api.call("POST", "/key-results/adoption/checkins", {"value": value})
        assert assert_problem(response, 422)["errors"][0]["field"] == field
    future = owner_api.call(
        "POST", "/key-results/adoption/checkins", {"value": 1, "at": "2999-01-01"}
    )
    assert assert_problem(future, 422)["errors"][0]["field"] == "body.at"
    assert world.adoption.checkins.count() == 1


def test_a_check_in_without_a_value_keeps_the_last_one(world: World, owner_api: ApiClient) -> None:
    body = {"confidence": "off_track", "note": "blocked"}
    response = owner_api.call("POST", "/key-results/adoption/checkins", body)
    assert response.status_code == 201, response.content
    assert (response.json()["value"], response.json()["confidence"]) == (30, "off_track")
    make_key_result(world.public, "fresh", target=10)
    refused = owner_api.call("POST", "/key-results/fresh/checkins", {"confidence": "on_track"})
    assert assert_problem(refused, 422)["errors"][0]["field"] == "body.value"


def test_bulk_is_all_or_nothing_and_names_each_bad_item(world: World, owner_api: ApiClient) -> None:
    nps = make_key_result(world.public, "nps", target=50)
    before = database_state()
    items = [
        {"key_result": "adoption", "value": 40 + day, "at": f"2026-05-0{day}T09:00:00Z"}
        for day in (1, 2, 3)
    ] + [{"key_result": "nps", "value": "x"}]
    problem = assert_problem(owner_api.call("POST", "/checkins/bulk", {"items": items}), 422)
    assert problem["errors"][0]["field"] == "body.items[3].value"
    items[3] = {"key_result": "nps", "value": 10, "confidence": "sure"}
    problem = assert_problem(owner_api.call("POST", "/checkins/bulk", {"items": items}), 422)
    assert problem["errors"][0]["field"] == "body.items[3].confidence"
    items[3] = {"key_result": "nps", "value": 10, "at": "2999-01-01T00:00:00Z"}
    problem = assert_problem(owner_api.call("POST", "/checkins/bulk", {"items": items}), 422)
    assert [e["field"] for e in problem["errors"]] == ["body.items[3].at"]
    assert database_state() == before
    items[3] = {"key_result": "nps", "value": 10}
    response = owner_api.call("POST", "/checkins/bulk", {"items": items})
    assert response.status_code == 201, response.content
    assert len(response.json()["items"]) == 4
    assert nps.checkins.count() == 1


def test_bulk_refuses_two_checkins_of_a_key_result_at_one_moment(
    world: World, owner_api: ApiClient
) -> None:
    """A key result has one check-in per moment (a file names a check-in by it): two items
    without `at` would both be dated now."""
    before = database_state()
    items = [{"key_result": "adoption", "value": 40}, {"key_result": "adoption", "value": 41}]
    problem = assert_problem(owner_api.call("POST", "/checkins/bulk", {"items": items}), 422)
    assert [e["field"] for e in problem["errors"]] == ["body.items[1].at"]
    assert problem["errors"][0]["message"].startswith("a second check-in at ")
    assert database_state() == before


def test_bulk_refuses_hidden_key_results_without_naming_them(
    world: World, outsider_api: ApiClient
) -> None:
    items = [{"key_result": "secret-kr", "value": 1}]
    problem = assert_problem(outsider_api.call("POST", "/checkins/bulk", {"items": items}), 422)
    assert problem["errors"][0]["field"] == "body.items[0].key_result"
    assert "term sheet" not in str(problem)


def test_lists_and_filters(world: World, owner_api: ApiClient) -> None:
    owner_api.call("POST", "/key-results/adoption/checkins", {"value": 50, "at": "2026-05-02"})
    all_items = owner_api.get_json("/checkins?key_result=adoption")["items"]
    assert [c["value"] for c in all_items] == [30, 50]
    since = owner_api.get_json("/checkins?since=2026-05-01T00:00:00Z")["items"]
    assert [c["value"] for c in since] == [50]
    mine = owner_api.get_json("/checkins?author=owner@acme.test")["items"]
    assert [c["value"] for c in mine] == [50]
    per_kr = owner_api.get_json("/key-results/adoption/checkins")["items"]
    assert len(per_kr) == 2
    outsider = world.client(world.outsider)
    assert outsider.get_json("/checkins?key_result=secret-kr")["items"] == []


def test_delete_own_check_in_only(world: World, owner_api: ApiClient) -> None:
    mine = owner_api.call("POST", "/key-results/adoption/checkins", {"value": 50}).json()
    teammate = world.client(world.teammate)
    assert_problem(teammate.call("DELETE", f"/checkins/{mine['id']}"), 403)
    assert owner_api.call("DELETE", f"/checkins/{mine['id']}").status_code == 204
    assert not CheckIn.objects.filter(pk=mine["id"]).exists()
    assert owner_api.get_json("/key-results/adoption")["current"] == 30
    assert_problem(owner_api.call("DELETE", f"/checkins/{mine['id']}"), 404)
    assert_problem(owner_api.call("DELETE", "/checkins/99999999999999999999"), 422)


def test_a_key_results_owner_from_another_team_checks_in_on_it(
    world: World, outsider_api: ApiClient
) -> None:
    refused = outsider_api.call("POST", "/key-results/adoption/checkins", {"value": 40})
    assert_problem(refused, 403)
    world.adoption.owner = world.outsider
    world.adoption.save()
    created = outsider_api.call("POST", "/key-results/adoption/checkins", {"value": 40})
    assert created.status_code == 201, created.content
    bulk = {"items": [{"key_result": "adoption", "value": 45, "at": "2026-05-02T10:00:00"}]}
    assert outsider_api.call("POST", "/checkins/bulk", bulk).status_code == 201
    still = outsider_api.call("PATCH", "/key-results/adoption", {"title": "Mine now"})
    assert_problem(still, 403)  # owning a key result is checking in on it, not editing it


def statement_label(sql: str) -> str:
    """ "INSERT okrs_checkin", "SELECT okrs_objective"…; a savepoint reads as the BEGIN or
    COMMIT it stands for outside the test's transaction."""
    verb = sql.split(None, 1)[0].upper()
    if verb in ("SAVEPOINT", "RELEASE"):
        return "BEGIN" if verb == "SAVEPOINT" else "COMMIT"
    # A SELECT by the table of its first column (a subquery in its columns has a FROM too).
    table = re.match(r'SELECT (?:DISTINCT )?"(\w+)"\.', sql) or re.search(
        r'(?:INTO|UPDATE) "(\w+)"', sql
    )
    return f"{verb} {table.group(1) if table else '?'}"


def test_an_api_check_in_on_a_metric_runs_these_statements(
    world: World, owner_api: ApiClient
) -> None:
    """The write path of the API's most frequent write (docs/benchmarks.md lists it): no
    milestones read for a metric, no lookup of the moment `now`, one read of the key
    result's check-ins for both its latest value and its forecast, and no followers looked
    for under an objective nothing follows."""
    owner_api.call("POST", "/key-results/adoption/checkins", {"value": 40})  # token used once
    with CaptureQueriesContext(connection) as statements:
        response = owner_api.call("POST", "/key-results/adoption/checkins", {"value": 45})
    assert response.status_code == 201, response.content
    assert [statement_label(s["sql"]) for s in statements.captured_queries] == [
        "SELECT api_apitoken",  # the caller, by the token's hash
        "SELECT okrs_keyresult",  # the key result, visibility checked on it
        "BEGIN",
        "SELECT okrs_objective",  # locked, writable; whether a key result follows it
        "INSERT okrs_checkin",
        "INSERT auditlog_logentry",  # its history entry
        "SELECT okrs_checkin",  # latest value and forecast
        "UPDATE okrs_keyresult",
        "SELECT okrs_keyresult",  # the objective's weights and progress
        "UPDATE okrs_objective",
        "SELECT initiatives_initiative",  # the impact of the work under it
        "INSERT events_event",  # the outbox: notifications and webhooks
        "COMMIT",
    ]
    lookup = statements.captured_queries[1]["sql"]
    # The write path's lookup: the key result with its objective and cycle, nothing to sort
    # and none of what presenting a key result reads (its owner, organization, link).
    assert "ORDER BY" not in lookup
    assert '"accounts_user"' not in lookup and '"okrs_organization"' not in lookup
    assert "ORDER BY" not in statements.captured_queries[0]["sql"]  # a hash names one token
    assert world.adoption.checkins.order_by("at").last().value == 45  # type: ignore[union-attr]
