"""/settings/webhooks/: admins add (the secret shown once), edit, delete with a
confirmation, see the delivery log and Redeliver; bad input names the field, writes
nothing."""

import pytest
from django.test import Client

from pacer.webhooks.models import Webhook, WebhookDelivery
from tests.factories import World
from tests.servers import HttpReceiver
from tests.webhooks.helpers import deliver_due, dispatch, hook, updated

pytestmark = pytest.mark.django_db


def signed_in(person: object) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(person)  # type: ignore[arg-type]
    return client


def test_adding_shows_the_secret_once(world: World, http_receiver: HttpReceiver) -> None:
    web = signed_in(world.admin)
    url = http_receiver.url + "/hook/tokenWXYZ"
    page = web.post(
        "/settings/webhooks/", {"url": url, "events": ["checkin.created", "cycle.closed"]}
    )
    assert page.status_code == 200
    webhook = Webhook.objects.get()
    secret = page.context["created"].secret
    assert secret in page.content.decode() and "shown only this once" in page.content.decode()
    assert webhook.events == ["checkin.created", "cycle.closed"]
    for path in ("/settings/webhooks/", f"/settings/webhooks/{webhook.pk}/"):
        later = web.get(path).content.decode()
        assert secret not in later and "tokenWXYZ" not in later and "…WXYZ" in later


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/x", "file:///etc/passwd", "http://169.254.169.254/", ""]
)
def test_a_bad_url_names_the_field_and_writes_nothing(world: World, url: str) -> None:
    page = signed_in(world.admin).post(
        "/settings/webhooks/", {"url": url, "events": ["checkin.created"]}
    )
    assert page.status_code == 422
    assert 'id="id_url-error"' in page.content.decode()
    assert not Webhook.objects.exists()


def test_no_event_names_the_events(world: World, http_receiver: HttpReceiver) -> None:
    page = signed_in(world.admin).post("/settings/webhooks/", {"url": http_receiver.url})
    assert page.status_code == 422 and 'id="id_events-error"' in page.content.decode()
    assert not Webhook.objects.exists()


def test_members_get_a_403_another_organization_a_404(
    world: World, http_receiver: HttpReceiver
) -> None:
    webhook = hook(world.admin, http_receiver.url).webhook
    assert signed_in(world.owner).get("/settings/webhooks/").status_code == 403
    member_post = signed_in(world.owner).post(
        "/settings/webhooks/", {"url": http_receiver.url, "events": ["cycle.closed"]}
    )
    assert member_post.status_code == 403
    stranger = signed_in(world.stranger)
    assert stranger.get(f"/settings/webhooks/{webhook.pk}/").status_code == 404
    assert stranger.post(f"/settings/webhooks/{webhook.pk}/delete/").status_code == 404
    assert Webhook.objects.count() == 1


def test_edit_then_delete_after_confirming(world: World, http_receiver: HttpReceiver) -> None:
    webhook = hook(world.admin, http_receiver.url).webhook
    web = signed_in(world.admin)
    page = web.post(f"/settings/webhooks/{webhook.pk}/", {"events": ["comment.created"]})
    assert page.status_code == 302
    webhook.refresh_from_db()
    assert webhook.events == ["comment.created"] and webhook.active is False
    bad = web.post(f"/settings/webhooks/{webhook.pk}/", {"events": ["nope"], "active": "on"})
    assert bad.status_code == 422 and 'id="id_events-error"' in bad.content.decode()
    webhook.refresh_from_db()
    assert webhook.events == ["comment.created"] and webhook.active is False
    confirm = web.get(f"/settings/webhooks/{webhook.pk}/delete/")
    assert confirm.status_code == 200 and Webhook.objects.exists()
    assert web.post(f"/settings/webhooks/{webhook.pk}/delete/").status_code == 302
    assert not Webhook.objects.exists()


def test_the_delivery_log_and_redeliver(
    world: World, http_receiver: HttpReceiver, django_assert_max_num_queries: object
) -> None:
    webhook = hook(world.admin, http_receiver.url).webhook
    http_receiver.answers = [500]
    for _ in range(3):
        updated(world.public)
    dispatch()
    deliver_due()
    web = signed_in(world.admin)
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        page = web.get(f"/settings/webhooks/{webhook.pk}/")
    text = page.content.decode()
    assert "HTTP 500" in text and "the receiver answered HTTP 500" in text
    assert text.count(">Redeliver<") == 3
    failed = WebhookDelivery.objects.get(status_code=500)
    answer = web.post(f"/settings/webhooks/{webhook.pk}/deliveries/{failed.delivery_id}/redeliver/")
    assert answer.status_code == 302
    failed.refresh_from_db()
    assert failed.state == "pending" and failed.attempts == 1
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        assert web.get("/settings/webhooks/").status_code == 200
