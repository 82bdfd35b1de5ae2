"""Events become people's notifications: who is told what, never of their own doing, never
of an objective they may not see, and never twice."""

from typing import Any

import pytest

from pacer.events import kinds as events
from pacer.events import payloads, record
from pacer.events.models import Event
from pacer.notifications import kinds
from pacer.notifications.fanout import on_events
from pacer.notifications.follows import follow
from pacer.notifications.models import Notification
from pacer.notifications.services import preference_set
from pacer.okrs.models import Comment
from tests.factories import World, make_objective, make_person

pytestmark = pytest.mark.django_db


def told(**filters: Any) -> dict[str, tuple[str, str]]:
    """{email: (kind, title)} of the notifications made."""
    rows = Notification.objects.filter(**filters).select_related("person")
    return {n.person.email: (n.kind, n.title) for n in rows}


def dispatch(*found: Event) -> None:
    on_events(list(Event.objects.filter(pk__in=[e.pk for e in found]).order_by("id")))


def comment_event(world: World, author: Any, objective: Any, mentions: list[Any]) -> Event:
    comment = Comment.objects.create(
        organization=world.org, objective=objective, author=author, body="Looks <b>good</b>"
    )
    comment.mentions.set(mentions)
    payload = {
        "comment": {
            "id": comment.pk,
            "body": comment.body,
            "author": author.email,
            "mentions": [p.email for p in mentions],
        },
        "objective": payloads.objective_data(objective),
    }
    return record.record(events.COMMENT_CREATED, objective=objective, actor=author, payload=payload)


def status_event(world: World, to: str, actor: Any = None) -> Event:
    payload = {
        "key_result": payloads.key_result_data(world.adoption),
        "objective": payloads.objective_data(world.public),
        "from": "on_track",
        "to": to,
    }
    return record.record(
        events.KEY_RESULT_STATUS_CHANGED, objective=world.public, actor=actor, payload=payload
    )


def test_a_comment_tells_the_mentioned_the_owner_and_followers_once_each(world: World) -> None:
    Notification.objects.all().delete()
    follow(world.outsider, objective=world.public)
    follow(world.admin, team=world.team)
    event = comment_event(world, world.teammate, world.public, [world.admin, world.teammate])
    dispatch(event)
    assert told() == {
        "admin@acme.test": (kinds.MENTIONED, "Teammate mentioned you on “Deliver faster”"),
        "owner@acme.test": (kinds.COMMENT_ON_MINE, "Teammate commented on “Deliver faster”"),
        "outsider@acme.test": (kinds.COMMENT_ON_MINE, "Teammate commented on “Deliver faster”"),
    }  # the author, mentioning themself, is not told
    note = Notification.objects.get(person=world.owner)
    assert note.url == "/objectives/delivery/" and note.body == "Looks <b>good</b>"
    assert note.objective == world.public and note.event == event

    dispatch(event)  # dispatched again (a crash before dispatched_at): nothing new
    assert Notification.objects.count() == 3


def test_a_comment_on_a_key_result_tells_its_owner(world: World) -> None:
    world.adoption.owner = world.outsider
    world.adoption.save()
    event = comment_event(world, world.owner, world.public, [])
    Comment.objects.filter(pk=event.payload["comment"]["id"]).update(key_result=world.adoption)
    Notification.objects.all().delete()
    dispatch(event)
    assert told() == {
        "outsider@acme.test": (kinds.COMMENT_ON_MINE, "Owner commented on “Deliver faster”")
    }


def test_private_objectives_tell_only_those_who_may_see_them(world: World) -> None:
    """The outsider follows the team and was once mentioned: the private objective's events
    reach its team (and admins), never them."""
    follow(world.outsider, team=world.team)
    follow(world.admin, team=world.team)
    Notification.objects.all().delete()
    event = comment_event(world, world.owner, world.private, [world.outsider, world.teammate])
    changed = record.objective_event(events.OBJECTIVE_UPDATED, world.private, actor=world.owner)
    dispatch(event, changed)
    assert set(told()) == {"teammate@acme.test", "admin@acme.test"}
    assert not Notification.objects.filter(person=world.outsider).exists()


def test_a_key_result_at_risk_tells_its_owner_and_followers(world: World) -> None:
    follow(world.teammate, objective=world.public)
    Notification.objects.all().delete()
    dispatch(status_event(world, "at_risk"), status_event(world, "on_track"))
    title = "“Adoption” is now at risk (“Deliver faster”)"
    assert told() == {
        "owner@acme.test": (kinds.AT_RISK, title),  # no owner of its own: the objective's
        "teammate@acme.test": (kinds.AT_RISK, title),
    }


def test_alignment_names_the_parent_only_to_an_owner_who_may_see_it(world: World) -> None:
    mine = make_objective(world.cycle, "outsiders", world.outsider, title="Help out")
    Notification.objects.all().delete()
    hidden = record.alignment_event(events.OBJECTIVE_ALIGNED, mine, world.private, world.admin)
    shown = record.alignment_event(events.OBJECTIVE_UNALIGNED, mine, world.public, world.admin)
    dispatch(hidden, shown)
    titles = sorted(
        Notification.objects.filter(person=world.outsider).values_list("title", flat=True)
    )
    assert titles == [
        "“Help out” no longer supports “Deliver faster”",
        "“Help out” now supports an objective you cannot see",
    ]
    assert "Buy Initech" not in str(list(Notification.objects.values_list("title", "body")))


def test_a_closed_cycle_tells_everyone_owning_in_it(world: World) -> None:
    world.adoption.owner = world.outsider
    world.adoption.save()
    Notification.objects.all().delete()
    dispatch(record.cycle_closed(world.cycle, actor=world.admin))
    assert told() == {
        "owner@acme.test": (kinds.CYCLE_CLOSED, "2026-Q2 is closed: its scores are final"),
        "outsider@acme.test": (kinds.CYCLE_CLOSED, "2026-Q2 is closed: its scores are final"),
    }
    assert Notification.objects.first().url == "/cycles/2026-q2/"


def test_activity_reaches_followers_only_and_respects_their_choice(world: World) -> None:
    follow(world.outsider, objective=world.public)
    follow(world.teammate, team=world.team)
    preference_set(person=world.teammate, kind=kinds.ACTIVITY, channel=kinds.IN_APP, enabled=False)
    Notification.objects.all().delete()
    dispatch(record.objective_event(events.OBJECTIVE_UPDATED, world.public, actor=world.owner))
    assert told() == {"outsider@acme.test": (kinds.ACTIVITY, "Owner changed “Deliver faster”")}


def test_a_batch_costs_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    """Per batch plus per person told: 20 events to the same 3 followers."""
    for n in range(3):
        follow(make_person(world.org, f"fan{n}@acme.test"), objective=world.public)
    found = [
        record.objective_event(events.OBJECTIVE_UPDATED, world.public, actor=world.owner)
        for _ in range(20)
    ]
    Notification.objects.all().delete()
    batch = list(
        Event.objects.filter(pk__in=[e.pk for e in found]).select_related("objective", "actor")
    )
    # followers + people + 1 visibility + 20 x 3 x (preferences + savepoint + insert + release)
    with django_assert_max_num_queries(3 + 60 * 4):
        on_events(batch)
    assert Notification.objects.count() == 60


def test_a_comment_through_the_worker_tells_the_mentioned(world: World) -> None:
    """The comment service records comment.created; the worker's dispatch tells people."""
    from pacer.jobs.worker import run_once
    from pacer.okrs.services import comments

    Notification.objects.all().delete()
    comments.comment_create(
        author=world.owner, objective=world.public, body="@outsider@acme.test please look"
    )
    run_once()
    about = {"event__kind": events.COMMENT_CREATED}  # (the schedule may remind people too)
    assert told(**about) == {
        "outsider@acme.test": (kinds.MENTIONED, "Owner mentioned you on “Deliver faster”")
    }
    run_once()  # nothing left to dispatch, nothing told twice
    assert Notification.objects.filter(**about).count() == 1
