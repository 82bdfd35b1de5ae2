"""Notifications in a real browser, reached by clicking from `/`: the bell, the inbox, a
notification to its objective, Follow (htmx), the preferences page and What I follow."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pacer.notifications import kinds
from pacer.notifications.models import Follow, Preference
from pacer.notifications.services import notify
from tests.factories import World
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bell_inbox_follow_and_preferences_by_clicking(
    page: Page, live_server: Any, world: World
) -> None:
    notify(
        person=world.outsider,
        kind=kinds.MENTIONED,
        key="test:1",
        title="Owner mentioned you on “Deliver faster”",
        body="Can you <b>help</b>?",
        url="/objectives/delivery/",
        objective=world.public,
    )
    world.outsider.set_password("pw")
    world.outsider.save()
    sign_in(page, live_server, world.outsider, then="/")

    page.get_by_role("link", name="Notifications, 1 unread").click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(page.get_by_text("Can you <b>help</b>?")).to_be_visible()  # shown as text
    page.get_by_role("link", name="Owner mentioned you on “Deliver faster” (unread)").click()
    expect(page.get_by_role("heading", name="Deliver faster")).to_be_visible()
    expect(page.get_by_role("link", name="Notifications, 0 unread")).to_be_visible()

    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_role("button", name="Unfollow")).to_be_visible()
    assert Follow.objects.filter(person=world.outsider, objective=world.public).exists()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Notifications", exact=True).click()
    expect(page.get_by_role("heading", name="Notification settings")).to_be_visible()
    page.get_by_label("Check-ins and changes on what I follow: Email").check()
    page.get_by_role("button", name="Save notification settings").click()
    expect(page.get_by_text("Your notification choices are saved.")).to_be_visible()
    expect(page.get_by_label("Check-ins and changes on what I follow: Email")).to_be_checked()
    assert Preference.objects.get(person=world.outsider).kind == kinds.ACTIVITY

    follows = page.get_by_role("region", name="What I follow")
    expect(follows.get_by_role("link", name="Deliver faster")).to_be_visible()
    follows.get_by_role("button", name="Unfollow Deliver faster").click()
    expect(page.get_by_text("You follow nothing yet.")).to_be_visible()
    assert not Follow.objects.exists()
