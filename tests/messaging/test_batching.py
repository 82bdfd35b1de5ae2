"""Batching: one message per person and channel once the oldest waited BATCH_WINDOW;
reminders at once; never a notification in two messages of a channel."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pacer.jobs import schedule
from pacer.messaging import batching
from pacer.messaging.models import MessageItem, OutgoingMessage
from tests.factories import World
from tests.messaging.helpers import batch, messages, note

pytestmark = pytest.mark.django_db


def test_a_fresh_notification_waits_for_the_window(world: World) -> None:
    note(world.owner, ago=0.5)
    assert not batching.has_work()
    assert batch() == 0
    assert messages() == []


def test_notifications_of_one_person_become_one_digest_once_the_oldest_is_due(
    world: World,
) -> None:
    first = note(world.owner, "One", ago=3)
    second = note(world.owner, "Two", ago=0.1)  # young, but goes with the oldest
    note(world.teammate, "Not yet", ago=1)
    assert batching.has_work()
    assert batch() == 1
    [message] = messages()
    assert message.person == world.owner and message.channel == "email"
    assert set(message.notifications.all()) == {first, second}
    assert DBTaskResult.objects.filter(task_path__endswith="send_message").count() == 1


def test_a_reminder_goes_without_waiting(world: World) -> None:
    note(world.owner, "Time to check in", kind="reminder", ago=0)
    assert batching.has_work()
    assert batch() == 1


def test_batching_twice_puts_nothing_in_two_messages(world: World) -> None:
    note(world.owner, ago=5)
    assert batch() == 1
    assert batch() == 0
    assert not batching.has_work()
    assert MessageItem.objects.count() == 1


def test_each_channel_gets_its_own_message(world: World) -> None:
    note(world.owner, ago=5, by_slack=True)
    batch()
    # No Slack channel for the team: recorded as skipped, so it is looked at once.
    kinds = {(m.channel, m.state) for m in messages()}
    assert kinds == {("email", "queued"), ("slack", "skipped")}
    assert not batching.has_work()


def test_notifications_older_than_the_horizon_are_not_sent(world: World) -> None:
    note(world.owner, ago=60 * 24 * 3)
    assert not batching.has_work()
    assert batch() == 0


def test_a_message_whose_task_went_missing_is_queued_again(world: World) -> None:
    note(world.owner, ago=5)
    batch()
    DBTaskResult.objects.all().delete()  # the task was lost
    late = timezone.now() - batching.sending.LEASE - timedelta(seconds=1)
    OutgoingMessage.objects.update(next_attempt_at=late)
    assert batching.has_work()
    batch()
    assert DBTaskResult.objects.filter(task_path__endswith="send_message").count() == 1
    assert not batching.has_work()  # once per LEASE, not every tick


def test_the_schedule_lists_the_batcher() -> None:
    names = {p.name: p for p in schedule.SCHEDULE}
    assert names["batch-messages"].has_work == "pacer.messaging.batching.has_work"


def test_a_private_objective_the_person_no_longer_sees_is_never_sent(world: World) -> None:
    from pacer.okrs.models import Membership

    note(world.teammate, "Buy Initech: term sheet signed", objective=world.private)
    note(world.teammate, "Deliver faster", objective=world.public)
    Membership.objects.filter(person=world.teammate).delete()  # left the team since
    batch()
    by_state = {m.state: list(m.notifications.values_list("title", flat=True)) for m in messages()}
    assert by_state == {"skipped": ["Buy Initech: term sheet signed"], "queued": ["Deliver faster"]}


def test_a_closed_account_is_told_nothing(world: World) -> None:
    note(world.owner, ago=5, by_slack=True)
    world.owner.is_active = False
    world.owner.save()
    batch()
    assert {(m.channel, m.state) for m in messages()} == {
        ("email", "skipped"),
        ("slack", "skipped"),
    }
