"""Teams and people in a real browser, by clicking only from the home page: a new team, a
member added to it, a person's time zone, an invitation sent again.

The `page` fixture comes from tests/conftest.py, the people from the objective page tests'
`world` (`admin` is an organization admin; `outsider` is in no team; password "pw").
"""

from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from pacer.accounts.models import User
from pacer.okrs.models import Membership, Team
from tests.web.test_objective_pages import World, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["world"]


def start_at_home(page: Page, live_server: Any, person: User) -> None:
    """Open `/`, which asks to sign in first, and sign in: back at `/`."""
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_create_a_team_and_add_a_member_by_clicking(
    page: Page, live_server: Any, world: World
) -> None:
    start_at_home(page, live_server, world.admin)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Teams").click()
    page.get_by_role("link", name="New team", exact=True).click()
    expect(page.get_by_role("heading", name="New team")).to_be_visible()

    page.get_by_role("button", name="Create team").click()  # no name: the summary says so
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    summary.get_by_role("link", name="Name: This field is required.").click()
    expect(page.get_by_label("Name", exact=True)).to_be_focused()

    page.get_by_label("Name", exact=True).fill("Mobile")
    page.get_by_label("Part of").select_option(label="Platform")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_text("Created the team Mobile. Add its members below.")).to_be_visible()

    page.get_by_label("Person").select_option(label="Oscar (oscar@example.com)")
    page.get_by_label("Team lead").check()
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_text("Oscar is now a lead of Mobile.")).to_be_visible()
    expect(page.locator("#members tbody tr")).to_have_count(1)
    expect(page.locator("#members tbody tr").first).to_contain_text("oscar@example.com")

    mobile = Team.objects.get(name="Mobile")
    assert mobile.parent == world.platform
    assert list(Membership.objects.filter(team=mobile).values_list("person", "is_lead")) == [
        (world.outsider.pk, True)
    ]

    page.get_by_role("link", name="Back to Mobile").click()
    expect(page.locator("h1")).to_have_text("Mobile")
    expect(page.locator("main")).to_contain_text("Part of Platform")
    expect(page.locator(".people")).to_contain_text("Oscar")


def test_resend_an_invitation_and_set_a_time_zone_by_clicking(
    page: Page, live_server: Any, world: World
) -> None:
    nina = User.objects.create_user(
        "nina@example.com", None, name="Nina", organization=world.organization
    )
    start_at_home(page, live_server, world.admin)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()

    page.get_by_label("State").select_option(label="Invited, no password yet")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("button", name="Resend invitation to Nina").click()
    expect(page.get_by_text("Sent the invitation to nina@example.com again.")).to_be_visible()
    (message,) = mail.outbox
    assert message.to == [nina.email] and f"{live_server.url}/reset/" in message.body

    page.get_by_role("link", name="Edit Tom").click()
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_role("button", name="Save person").click()
    expect(page.get_by_text("Saved the changes to Tom.")).to_be_visible()
    expect(page.locator(f"#person-{world.teammate.pk}")).to_contain_text("Europe/Berlin")
    assert User.objects.get(pk=world.teammate.pk).time_zone == "Europe/Berlin"
