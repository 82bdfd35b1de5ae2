"""Reminders in a real browser: an admin clicks from `/` to who has not checked in and
nudges a person; a person opens a reminder's link (as from the mail) and lands, signed in,
on the weekly check-in; a changed link says so.

The shared world (tests.factories): Acme's admin; the owner answers for "Adoption" and
the private "Sign the term sheet" in 2026-Q2 (active).
"""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from pacer.notifications.models import Notification
from pacer.okrs.models import Cycle
from pacer.reminders import links
from tests.factories import World
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_nudges_from_who_has_not_checked_in(
    page: Page, live_server: Any, world: World
) -> None:
    world.admin.set_password("pw")
    world.admin.save()
    sign_in(page, live_server, world.admin, then="/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cycles").click()
    page.get_by_role("link", name=world.cycle.name, exact=True).click()
    page.get_by_role("link", name="Who has not checked in").click()
    expect(
        page.get_by_role("heading", name=f"Who has not checked in · {world.cycle.name}")
    ).to_be_visible()
    page.get_by_role("button", name=f"Nudge {world.owner}").click()
    expect(page.get_by_text(f"Nudged {world.owner}.")).to_be_visible()
    page.get_by_role("button", name=f"Nudge {world.owner}").click()
    expect(page.get_by_text("already nudged today")).to_be_visible()
    nudges = Notification.objects.filter(person=world.owner, kind="reminder")
    assert [n.key[:6] for n in nudges] == ["nudge:"]


def test_a_reminder_link_signs_in_and_lands_on_the_weekly_checkin(
    page: Page, live_server: Any, world: World
) -> None:
    # The world's quarter is in the past of the real clock: make it run today.
    today = timezone.localdate()
    Cycle.objects.filter(pk=world.cycle.pk).update(
        start=today - timedelta(days=30), end=today + timedelta(days=60)
    )
    token = links.make_token(world.owner, timezone.now() + timedelta(days=3))
    path = reverse("reminder_link", args=[token])
    page.goto(f"{live_server.url}{path[:-4]}xyz/")  # a link cut or changed
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name="Weekly check-in")).to_be_visible()
    expect(page.locator(".who")).to_have_text(world.owner.name)
    expect(page.get_by_text("Sign the term sheet").first).to_be_visible()
