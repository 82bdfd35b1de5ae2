"""The bell, the inbox, the preferences page and the Follow buttons."""

from typing import Any

import pytest
from django.test import Client

from pacer.notifications import kinds
from pacer.notifications.models import Follow, Notification, Preference
from pacer.notifications.preferences import chosen
from pacer.notifications.services import notify
from tests.factories import World

pytestmark = pytest.mark.django_db


def signed_in(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def tell(person: Any, n: int, objective: Any = None, **fields: Any) -> Notification:
    made = notify(
        person=person,
        kind=kinds.ACTIVITY,
        key=f"test:{n}",
        title=fields.pop("title", f"Note {n}"),
        url=fields.pop("url", "/objectives/delivery/"),
        objective=objective,
    )
    assert made is not None
    return made


def test_the_bell_counts_unread_and_hides_what_became_private(world: World) -> None:
    tell(world.outsider, 1, world.public)
    tell(world.outsider, 2, world.private, title="Buy Initech moved")
    tell(world.outsider, 3).__class__.objects.filter(key="test:3").update(
        read_at="2026-01-01T00:00Z"
    )
    page = signed_in(world.outsider).get("/").content.decode()
    assert 'aria-label="Notifications, 1 unread"' in page
    inbox = signed_in(world.outsider).get("/notifications/").content.decode()
    assert "Note 1" in inbox and "Note 3" in inbox and "Buy Initech" not in inbox


def test_the_bell_is_one_query(world: World, django_assert_max_num_queries: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(world.owner)
    with CaptureQueriesContext(connection) as before:
        client.get("/settings/")
    for n in range(30):
        tell(world.owner, n, world.public)
    with CaptureQueriesContext(connection) as after:
        page = client.get("/settings/").content.decode()
    assert 'aria-label="Notifications, 30 unread"' in page
    assert len(after) == len(before)
    assert sum("notifications_notification" in q["sql"] for q in after.captured_queries) == 1


def test_inbox_pages_by_fifty_with_constant_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    for n in range(60):
        tell(world.owner, n, world.public)
    client = signed_in(world.owner)
    with django_assert_max_num_queries(8):
        first = client.get("/notifications/").content.decode()
    assert first.count('class="notification unread"') == 50 and "Note 59" in first
    assert 'href="?page=2"' in first
    second = client.get("/notifications/?page=2").content.decode()
    assert second.count('class="notification unread"') == 10 and "Note 0<" in second
    assert client.get("/notifications/?page=bogus").status_code == 200


def test_opening_one_marks_it_read_and_goes_to_its_page(world: World) -> None:
    note = tell(world.owner, 1, world.public)
    client = signed_in(world.owner)
    answer = client.get(f"/notifications/{note.pk}/")
    assert answer.status_code == 302 and answer["Location"] == "/objectives/delivery/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert signed_in(world.outsider).get(f"/notifications/{note.pk}/").status_code == 404
    away = tell(world.owner, 2, url="//evil.test/")
    assert client.get(f"/notifications/{away.pk}/")["Location"] == "/notifications/"


def test_mark_all_as_read(world: World) -> None:
    for n in range(3):
        tell(world.owner, n, world.public)
    client = signed_in(world.owner)
    assert client.get("/notifications/read/").status_code == 405
    answer = client.post("/notifications/read/", follow=True)
    assert "Marked 3 notifications as read." in answer.content.decode()
    assert not Notification.objects.filter(read_at=None).exists()


def test_preferences_grid_saves_only_changes(world: World) -> None:
    client = signed_in(world.owner)
    page = client.get("/settings/notifications/").content.decode()
    assert 'name="mentioned:email"' in page and "checked" in page
    assert "post to your teams' channels" in page
    on = {
        f"{kind}:{channel}": "on"
        for (kind, channel), enabled in chosen(world.owner).items()
        if enabled
    }
    on.pop("activity:in_app")
    on["at_risk:slack"] = "on"
    on["bogus:email"] = "on"  # not a choice: ignored
    answer = client.post("/settings/notifications/", on, follow=True)
    assert "Your notification choices are saved." in answer.content.decode()
    assert set(Preference.objects.values_list("kind", "channel", "enabled")) == {
        ("activity", "in_app", False),
        ("at_risk", "slack", True),
    }


def test_follow_and_unfollow_an_objective_and_a_team(world: World) -> None:
    client = signed_in(world.outsider)
    page = client.get("/objectives/delivery/").content.decode()
    assert ">Follow</button>" in page
    answer = client.post("/objectives/delivery/follow/", {"next": "/objectives/delivery/"})
    assert answer.status_code == 302 and answer["Location"] == "/objectives/delivery/"
    assert ">Unfollow</button>" in client.get("/objectives/delivery/").content.decode()
    fragment = client.post("/teams/platform/follow/", HTTP_HX_REQUEST="true").content.decode()
    assert "Unfollow" in fragment and "<html" not in fragment
    assert Follow.objects.filter(person=world.outsider).count() == 2
    listed = client.get("/settings/notifications/").content.decode()
    assert "Deliver faster" in listed and "Platform" in listed
    client.post("/objectives/delivery/unfollow/", {"next": "/settings/notifications/"})
    assert list(Follow.objects.values_list("team__ref", flat=True)) == ["platform"]


def test_a_private_objective_cannot_be_followed_by_who_may_not_see_it(world: World) -> None:
    client = signed_in(world.outsider)
    assert client.post("/objectives/secret-merger/follow/").status_code == 404
    assert client.post("/teams/nope/follow/").status_code == 404
    assert signed_in(world.stranger).post("/teams/platform/follow/").status_code == 404
    assert not Follow.objects.exists()
