"""Webhooks in a real browser, reached by clicking from `/`: an admin adds one, sees its
secret once, then its delivery log with Redeliver."""

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pacer.events.models import Event
from pacer.webhooks.models import Webhook, WebhookDelivery
from tests.factories import World
from tests.servers import HttpReceiver
from tests.web.test_browser_flows import sign_in
from tests.webhooks.helpers import deliver_due, dispatch, updated

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_adds_a_webhook_sees_the_secret_once_and_redelivers(
    page: Page, live_server: Any, world: World, http_receiver: HttpReceiver
) -> None:
    Event.objects.update(dispatched_at=timezone.now())  # the world's own event: not ours
    world.admin.set_password("pw")
    world.admin.save()
    sign_in(page, live_server, world.admin, then="/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    page.get_by_label("URL").fill("http://10.0.0.1/hook")
    page.get_by_role("button", name="Add webhook").click()
    expect(page.locator("#id_url-error")).to_contain_text("private")
    assert not Webhook.objects.exists()

    page.get_by_label("URL").fill(http_receiver.url + "/hook/tokenWXYZ")
    page.get_by_label("cycle.closed").uncheck()
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_role("heading", name="Webhook added")).to_be_visible()
    secret = page.get_by_label("Signing secret").input_value()
    assert secret.startswith("whsec_")

    updated(world.public)  # something happens, and the worker delivers it
    dispatch()
    deliver_due()
    page.get_by_role("link", name="Go to the webhook and its delivery log").click()
    expect(page.get_by_role("heading", name="Delivery log")).to_be_visible()
    delivery = WebhookDelivery.objects.get()
    row = page.locator(f"#delivery-{delivery.delivery_id}")
    expect(row).to_contain_text("objective.updated")
    expect(row).to_contain_text("HTTP 200")
    row.get_by_role("button", name="Redeliver").click()
    expect(page.get_by_text(f"Queued delivery {delivery.delivery_id} again.")).to_be_visible()
    assert secret not in page.content() and "tokenWXYZ" not in page.content()
    [got] = http_receiver.wait_for(1)
    assert got.signed_with(secret)
