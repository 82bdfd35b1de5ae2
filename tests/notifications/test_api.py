"""The notifications API: my notifications, marking them read, my preferences."""

from typing import Any

import pytest

from pacer.notifications import kinds
from pacer.notifications.models import Notification, Preference
from pacer.notifications.services import notify
from tests import factories
from tests.api.conftest import ApiClient, World, assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> World:
    return factories.make_world(World)


def tell(person: Any, n: int, objective: Any = None) -> Notification:
    made = notify(
        person=person,
        kind=kinds.MENTIONED,
        key=f"test:{n}",
        title=f"Note {n}",
        url="/objectives/x/",
        objective=objective,
    )
    assert made is not None
    return made


def test_list_unread_and_mark_read(world: World) -> None:
    api = world.client(world.outsider)
    first, second = tell(world.outsider, 1, world.public), tell(world.outsider, 2)
    tell(world.outsider, 3, world.private)  # made private since: not listed
    tell(world.owner, 4, world.public)  # someone else's
    listed = api.get_json("/notifications")
    assert [n["title"] for n in listed["items"]] == ["Note 1", "Note 2"]
    assert listed["items"][0]["objective"] == "delivery" and listed["next_cursor"] is None

    marked = api.call("POST", "/notifications/read", {"ids": [first.pk]})
    assert marked.status_code == 200 and marked.json() == {"marked": 1}
    assert [n["id"] for n in api.get_json("/notifications?unread=true")["items"]] == [second.pk]
    assert api.call("POST", "/notifications/read", {"all": True}).json() == {"marked": 1}
    assert api.get_json("/notifications?unread=true")["items"] == []


def test_marking_refuses_unknown_ids_and_marks_nothing(world: World) -> None:
    api = world.client(world.outsider)
    mine, theirs = tell(world.outsider, 1), tell(world.owner, 2)
    body = assert_problem(
        api.call("POST", "/notifications/read", {"ids": [mine.pk, theirs.pk]}), 422
    )
    assert "ids.1" in str(body["errors"]) or "1" in str(body["errors"])
    assert_problem(api.call("POST", "/notifications/read", {}), 422)
    assert_problem(api.call("POST", "/notifications/read", {"ids": [1], "all": True}), 422)
    assert not Notification.objects.exclude(read_at=None).exists()


def test_preferences_read_and_change(world: World) -> None:
    api = world.client(world.owner)
    grid = api.get_json("/notifications/preferences")["preferences"]
    assert grid["mentioned"] == {"in_app": True, "email": True, "slack": False, "teams": False}
    assert set(grid) == set(kinds.KINDS)
    changed = api.call(
        "PUT",
        "/notifications/preferences",
        {"preferences": {"mentioned": {"email": False}, "at_risk": {"teams": True}}},
    )
    assert changed.status_code == 200
    assert changed.json()["preferences"]["mentioned"]["email"] is False
    assert Preference.objects.count() == 2


def test_unknown_kind_or_channel_is_named_and_changes_nothing(world: World) -> None:
    api = world.client(world.owner)
    answer = api.call(
        "PUT",
        "/notifications/preferences",
        {"preferences": {"mentioned": {"email": False, "pigeon": True}, "bogus": {"email": True}}},
    )
    body = assert_problem(answer, 422)
    text = str(body["errors"])
    assert "pigeon" in text and "bogus" in text
    assert not Preference.objects.exists()


def test_anonymous_and_read_tokens(world: World) -> None:
    assert_problem(ApiClient().call("GET", "/notifications"), 401)
    read = world.client(world.owner, scope="read")
    assert read.call("GET", "/notifications").status_code == 200
    assert_problem(read.call("POST", "/notifications/read", {"all": True}), 403)
