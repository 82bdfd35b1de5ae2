"""An admin connects a team to Slack in a real browser, by clicking from `/`: a refused
(private) address is named at its field, the real receiver's URL is saved and shown
masked, and the test message arrives."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pacer.messaging.models import TeamChannel
from tests.factories import World
from tests.servers import HttpReceiver
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_sets_a_teams_slack_url_by_clicking(
    page: Page, live_server: Any, world: World, http_receiver: HttpReceiver
) -> None:
    world.admin.set_password("pw")
    world.admin.save()
    sign_in(page, live_server, world.admin, then="/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Teams").click()
    page.get_by_role("link", name="Platform", exact=True).first.click()
    expect(page.get_by_role("heading", name="Slack and Teams")).to_be_visible()

    page.get_by_label("Slack webhook URL").fill("http://10.0.0.1/hooks/x")
    page.get_by_role("button", name="Save Slack URL").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Slack webhook URL: the URL points at a private")
    assert not TeamChannel.objects.exists()

    url = http_receiver.url + "/services/T0/B0/tokenWXYZ"
    page.get_by_label("Slack webhook URL").fill(url)
    page.get_by_role("button", name="Save Slack URL").click()
    expect(page.get_by_text("Saved Platform's Slack channel.")).to_be_visible()
    expect(page.locator("#channels")).to_contain_text("http://127.0.0.1/…WXYZ")
    expect(page.locator("#channels")).not_to_contain_text("token")

    page.get_by_role("button", name="Send a test message to Slack").click()
    expect(page.get_by_text("Sent a test message to Platform's Slack channel.")).to_be_visible()
    [got] = http_receiver.wait_for(1)
    assert got.path == "/services/T0/B0/tokenWXYZ"
    assert got.json()["blocks"][0]["type"] == "header"
