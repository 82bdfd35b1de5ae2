"""/api/v1/webhooks: admins only, the secret once, the URL masked, bad input a 422 naming the
field with nothing written, the delivery log and redeliver."""

from typing import Any

import pytest
from django.utils import timezone

from pacer.jobs.worker import run_once
from pacer.webhooks.models import Webhook, WebhookDelivery
from tests import factories
from tests.api.conftest import World, assert_problem
from tests.servers import HttpReceiver
from tests.webhooks.helpers import deliver_due, dispatch, updated

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_world(db: Any) -> World:
    world = factories.make_world(World)
    from pacer.events.models import Event

    Event.objects.update(dispatched_at=timezone.now())  # the world's own check-in event
    return world


def test_create_shows_the_secret_once_then_masked(
    api_world: World, http_receiver: HttpReceiver
) -> None:
    api = api_world.client(api_world.admin)
    url = http_receiver.url + "/hook/tokenABCD"
    response = api.call("POST", "/webhooks", {"url": url, "events": ["checkin.created"]})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"].startswith("whsec_") and created["url_masked"].endswith("ABCD")
    assert created["owner"] == "admin@acme.test" and created["events"] == ["checkin.created"]
    listed = api.get_json("/webhooks")["items"]
    assert [w["id"] for w in listed] == [created["id"]]
    read = api.get_json(f"/webhooks/{created['id']}")
    assert "secret" not in read and "token" not in str(listed) + str(read)
    stored = Webhook.objects.get()
    assert created["secret"] not in stored.secret_encrypted and "token" not in stored.url_encrypted


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "http://127.0.0.1/x",
        "http://localhost/x",
        "http://10.0.0.8/x",
        "http://192.168.1.1/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x",
        "http://[fe80::1]/x",
        "javascript:alert(1)",
        "",
    ],
)
def test_a_bad_url_is_a_422_naming_body_url(api_world: World, url: str) -> None:
    api = api_world.client(api_world.admin)
    response = api.call("POST", "/webhooks", {"url": url, "events": ["checkin.created"]})
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["body.url"]
    assert not Webhook.objects.exists()


def test_unknown_events_are_a_422_naming_body_events(
    api_world: World, http_receiver: HttpReceiver
) -> None:
    api = api_world.client(api_world.admin)
    for events in (["checkin.deleted"], []):
        response = api.call("POST", "/webhooks", {"url": http_receiver.url, "events": events})
        body = assert_problem(response, 422)
        assert [e["field"] for e in body["errors"]] == ["body.events"]
    assert not Webhook.objects.exists()


def test_members_get_a_403_other_organizations_a_404(
    api_world: World, http_receiver: HttpReceiver
) -> None:
    api = api_world.client(api_world.admin)
    hook_id = api.call(
        "POST", "/webhooks", {"url": http_receiver.url, "events": ["cycle.closed"]}
    ).json()["id"]
    member = api_world.client(api_world.owner)
    assert_problem(member.call("GET", "/webhooks"), 403)
    assert_problem(
        member.call("POST", "/webhooks", {"url": http_receiver.url, "events": ["cycle.closed"]}),
        403,
    )
    stranger = api_world.client(api_world.stranger)
    assert_problem(stranger.call("GET", f"/webhooks/{hook_id}"), 404)
    assert_problem(stranger.call("DELETE", f"/webhooks/{hook_id}"), 404)
    assert stranger.get_json("/webhooks")["items"] == []
    assert Webhook.objects.count() == 1


def test_patch_delete_and_a_bad_patch_changes_nothing(
    api_world: World, http_receiver: HttpReceiver
) -> None:
    api = api_world.client(api_world.admin)
    hook_id = api.call(
        "POST", "/webhooks", {"url": http_receiver.url, "events": ["cycle.closed"]}
    ).json()["id"]
    bad = api.call("PATCH", f"/webhooks/{hook_id}", {"url": "http://10.1.2.3/", "active": False})
    assert [e["field"] for e in assert_problem(bad, 422)["errors"]] == ["body.url"]
    assert Webhook.objects.get().active is True
    good = api.call(
        "PATCH", f"/webhooks/{hook_id}", {"events": ["comment.created"], "active": False}
    )
    assert good.status_code == 200 and good.json()["events"] == ["comment.created"]
    assert good.json()["active"] is False
    assert api.call("DELETE", f"/webhooks/{hook_id}").status_code == 204
    assert not Webhook.objects.exists()


def test_the_delivery_log_and_redeliver(api_world: World, http_receiver: HttpReceiver) -> None:
    api = api_world.client(api_world.admin)
    hook_id = api.call(
        "POST", "/webhooks", {"url": http_receiver.url, "events": ["objective.updated"]}
    ).json()["id"]
    http_receiver.answers = [500]
    updated(api_world.public)
    dispatch()
    deliver_due()
    [logged] = api.get_json(f"/webhooks/{hook_id}/deliveries")["items"]
    assert (logged["state"], logged["status_code"], logged["attempts"]) == ("pending", 500, 1)
    assert logged["event"] == "objective.updated" and logged["next_attempt_at"]
    again = api.call("POST", f"/webhooks/{hook_id}/deliveries/{logged['id']}/redeliver")
    assert again.status_code == 202 and again.json()["id"] == logged["id"]
    run_once()
    first, second = http_receiver.wait_for(2)
    assert first.headers["X-Pacer-Delivery"] == second.headers["X-Pacer-Delivery"] == logged["id"]
    [logged] = api.get_json(f"/webhooks/{hook_id}/deliveries")["items"]
    assert (logged["state"], logged["status_code"]) == ("delivered", 200)
    missing = "00000000-0000-0000-0000-000000000000"
    assert_problem(api.call("POST", f"/webhooks/{hook_id}/deliveries/{missing}/redeliver"), 404)
    assert WebhookDelivery.objects.count() == 1
