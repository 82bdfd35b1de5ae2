"""Webhook deliveries against a real HTTP receiver: signature, headers and body, retries
with backoff, timeouts, refusals at delivery time, who hears of private objectives, and
redelivery with the same id."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pacer.events import kinds
from pacer.jobs import queue
from pacer.jobs.worker import run_once
from pacer.webhooks import delivery as delivering
from pacer.webhooks import services
from pacer.webhooks.models import WebhookDelivery
from tests.factories import World
from tests.servers import HttpReceiver
from tests.webhooks.helpers import deliver_due, dispatch, hook, make_due, updated

pytestmark = pytest.mark.django_db


def test_a_delivery_is_signed_with_its_secret(world: World, http_receiver: HttpReceiver) -> None:
    created = hook(world.admin, http_receiver.url + "/in")
    event = updated(world.public)
    dispatch()
    run_once()  # the delivery's task, as the worker runs it
    [got] = http_receiver.wait_for(1)
    delivery = WebhookDelivery.objects.get()
    assert got.path == "/in"
    assert got.signed_with(created.secret)
    assert not got.signed_with("whsec_not-the-secret")
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["User-Agent"] == "Pacer-Webhooks"
    assert got.headers["X-Pacer-Event"] == "objective.updated"
    assert got.headers["X-Pacer-Delivery"] == str(delivery.delivery_id)
    body = got.json()
    assert body["id"] == str(delivery.delivery_id) and body["event"] == "objective.updated"
    assert body["organization"] == {"id": world.org.pk, "name": "Acme"}
    assert body["data"] == event.payload and body["created_at"] == event.created_at.isoformat()
    assert (delivery.state, delivery.attempts, delivery.status_code) == ("delivered", 1, 200)


def test_dispatching_twice_delivers_once(world: World, http_receiver: HttpReceiver) -> None:
    from pacer.webhooks.fanout import on_events

    hook(world.admin, http_receiver.url)
    event = updated(world.public)
    on_events([event])
    on_events([event])
    assert WebhookDelivery.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path__endswith="delivery.deliver").count() == 1


def test_only_the_events_it_wants(world: World, http_receiver: HttpReceiver) -> None:
    hook(world.admin, http_receiver.url, [kinds.CHECKIN_CREATED])
    inactive = hook(world.admin, http_receiver.url).webhook
    services.webhook_update(inactive, by=world.admin, active=False)
    updated(world.public)
    dispatch()
    assert WebhookDelivery.objects.count() == 0


def test_a_500_is_retried_with_backoff_then_delivered(
    world: World, http_receiver: HttpReceiver
) -> None:
    hook(world.admin, http_receiver.url)
    http_receiver.answers = [500]
    updated(world.public)
    dispatch()
    before = timezone.now()
    tasks = DBTaskResult.objects.filter(task_path__endswith="delivery.deliver", status="READY")
    queued = tasks.count()
    [said] = deliver_due()
    assert said.startswith("retry at")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.status_code) == ("pending", 1, 500)
    assert delivery.last_error == "the receiver answered HTTP 500"
    wait = delivery.next_attempt_at - before
    assert (
        queue.backoff(1) - timedelta(seconds=1) <= wait <= queue.backoff(1) + timedelta(seconds=5)
    )
    assert tasks.count() == queued + 1  # the next attempt, to run after the backoff
    make_due(delivery)
    assert deliver_due() == ["delivered"]
    first, second = http_receiver.wait_for(2)
    assert first.headers["X-Pacer-Delivery"] == second.headers["X-Pacer-Delivery"]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.status_code) == ("delivered", 2, 200)


def test_it_fails_for_good_after_the_last_attempt(
    world: World, http_receiver: HttpReceiver
) -> None:
    hook(world.admin, http_receiver.url)
    updated(world.public)
    dispatch()
    WebhookDelivery.objects.update(attempts=queue.MAX_ATTEMPTS - 1)
    http_receiver.answers = [503]
    [said] = deliver_due()
    delivery = WebhookDelivery.objects.get()
    assert said.startswith("failed") and delivery.state == "failed"
    assert delivery.attempts == queue.MAX_ATTEMPTS


def test_a_stalling_receiver_costs_at_most_the_timeout(
    world: World, http_receiver: HttpReceiver, settings: object
) -> None:
    settings.PACER_OUTBOUND_TIMEOUT = 0.5  # type: ignore[attr-defined]
    http_receiver.stall_seconds = 5
    http_receiver.answers = ["stall"]
    hook(world.admin, http_receiver.url)
    updated(world.public)
    dispatch()
    started = time.monotonic()
    [said] = deliver_due()
    assert time.monotonic() - started < 2.5
    delivery = WebhookDelivery.objects.get()
    assert said.startswith("retry at") and delivery.state == "pending"
    assert "no answer within 0.5 s" in delivery.last_error
    assert delivery.lease_until is None and delivery.attempts == 1


def test_refused_at_delivery_time_fails_with_the_reason(
    world: World, http_receiver: HttpReceiver, settings: object
) -> None:
    hook(world.admin, http_receiver.url)
    updated(world.public)
    dispatch()
    settings.PACER_OUTBOUND_ALLOW = []  # type: ignore[attr-defined]  # as if DNS now said 127.0.0.1
    [said] = deliver_due()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and said.startswith("failed")
    assert delivery.last_error.startswith("refused: the URL points at ")
    assert http_receiver.received == []


def test_private_objectives_go_only_to_webhooks_whose_owner_sees_them(
    world: World, http_receiver: HttpReceiver
) -> None:
    sees = hook(world.admin, http_receiver.url + "/admin").webhook
    demoted = world.stranger  # not of Acme: a webhook row as if its owner had left
    blind = hook(world.admin, http_receiver.url + "/blind").webhook
    blind.owner = world.outsider  # no longer an admin and not in the private objective's team
    blind.save()
    updated(world.private)
    updated(world.public)
    dispatch()
    got = {(d.webhook_id, d.event.objective_id) for d in WebhookDelivery.objects.all()}
    assert got == {
        (sees.pk, world.private.pk),
        (sees.pk, world.public.pk),
        (blind.pk, world.public.pk),
    }
    assert demoted.organization_id != world.org.pk


def test_redeliver_keeps_the_delivery_id(world: World, http_receiver: HttpReceiver) -> None:
    hook(world.admin, http_receiver.url)
    updated(world.public)
    dispatch()
    deliver_due()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "delivered"
    again = services.redeliver(delivery, by=world.admin)
    assert again.state == "pending"
    run_once()
    first, second = http_receiver.wait_for(2)
    assert second.headers["X-Pacer-Delivery"] == first.headers["X-Pacer-Delivery"]
    assert second.json()["id"] == str(delivery.delivery_id)
    delivery.refresh_from_db()
    assert delivery.state == "delivered"


def test_the_sweep_queues_a_delivery_whose_lease_ran_out(
    world: World, http_receiver: HttpReceiver
) -> None:
    hook(world.admin, http_receiver.url)
    updated(world.public)
    dispatch()
    pk = WebhookDelivery.objects.get().pk
    assert delivering.claim(pk) is not None  # a worker took it, then died
    assert delivering.deliver.call(pk).startswith("not due")  # the lease still runs
    WebhookDelivery.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    DBTaskResult.objects.all().delete()
    assert delivering.has_due()
    assert delivering.sweep_deliveries.call() == 1
    run_once()
    http_receiver.wait_for(1)
    assert WebhookDelivery.objects.get().state == "delivered"
