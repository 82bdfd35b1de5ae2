"""Slack and Teams against a real HTTP receiver: payload shapes, retries, timeouts, refusals,
and what never goes to a team channel."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pacer.jobs import queue
from pacer.messaging import sending
from pacer.messaging.models import OutgoingMessage, TeamChannel
from tests.factories import World
from tests.messaging.helpers import batch, channel, make_due, messages, note, send_all
from tests.servers import HttpReceiver

pytestmark = pytest.mark.django_db


def test_slack_gets_block_kit_with_escaped_text(world: World, http_receiver: HttpReceiver) -> None:
    channel(world.team, world.admin, http_receiver.url + "/slack")
    note(world.owner, "<!channel> & friends", body="a > b", by_email=False, by_slack=True)
    batch()
    assert send_all() == ["sent"]
    [got] = http_receiver.wait_for(1)
    assert got.path == "/slack" and got.headers["Content-Type"].startswith("application/json")
    payload = got.json()
    header, section, context = payload["blocks"]
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": "<!channel> & friends"},
    }
    link = f"{settings.PACER_BASE_URL}/objectives/delivery/"
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert section["text"]["text"] == f"*<{link}|&lt;!channel&gt; &amp; friends>*\na &gt; b"
    assert context["type"] == "context" and "For Owner" in context["elements"][0]["text"]
    assert "<!channel>" not in payload["text"]


def test_slack_digest_lists_each(world: World, http_receiver: HttpReceiver) -> None:
    channel(world.team, world.admin, http_receiver.url)
    for title in ("One", "Two", "Three"):
        note(world.owner, title, by_email=False, by_slack=True)
    batch()
    send_all()
    blocks = http_receiver.wait_for(1)[0].json()["blocks"]
    assert blocks[0]["text"]["text"] == "3 updates in Pacer"
    assert [b["type"] for b in blocks] == ["header", "section", "section", "section", "context"]


def test_teams_gets_an_adaptive_card(world: World, http_receiver: HttpReceiver) -> None:
    channel(world.team, world.admin, http_receiver.url + "/teams", kind="teams")
    note(world.owner, "[click](https://evil.test)", body="Line 1\nLine 2", by_teams=True)
    batch()
    send_all()
    payload = http_receiver.wait_for(1)[0].json()
    assert payload["type"] == "message"
    [attachment] = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    texts = [block["text"] for block in card["body"]]
    assert r"\[click\]\(https://evil\.test\)" in texts  # shown as typed, not a link
    assert "Line 1\nLine 2" in texts
    assert card["actions"][0]["type"] == "Action.OpenUrl"
    assert card["actions"][0]["url"] == f"{settings.PACER_BASE_URL}/objectives/delivery/"


def test_a_500_is_retried_with_backoff_then_sent(world: World, http_receiver: HttpReceiver) -> None:
    channel(world.team, world.admin, http_receiver.url)
    http_receiver.answers = [500]
    note(world.owner, by_email=False, by_slack=True)
    batch()
    [result] = send_all()
    assert result.startswith("retry at")
    message = OutgoingMessage.objects.get()
    assert message.state == "queued" and "HTTP 500" in message.last_error
    assert message.next_attempt_at > timezone.now() + queue.backoff(1) - timedelta(seconds=5)
    retry = DBTaskResult.objects.filter(task_path__endswith="send_message").order_by(
        "-enqueued_at"
    )[0]
    assert retry.run_after == message.next_attempt_at
    assert send_all() == []  # not due yet
    make_due(message)
    assert send_all() == ["sent"]
    assert len(http_receiver.wait_for(2)) == 2
    message.refresh_from_db()
    assert message.state == "sent" and message.attempts == 2


def test_a_stalled_receiver_is_a_timeout_recorded(
    world: World, http_receiver: HttpReceiver, settings: object
) -> None:
    settings.PACER_OUTBOUND_TIMEOUT = 0.5  # type: ignore[attr-defined]
    http_receiver.stall_seconds = 2
    http_receiver.answers = ["stall"]
    channel(world.team, world.admin, http_receiver.url)
    note(world.owner, by_email=False, by_slack=True)
    batch()
    started = timezone.now()
    [result] = send_all()
    assert (timezone.now() - started).total_seconds() < 1.5
    assert result.startswith("retry at")
    assert "no answer within 0.5 s" in OutgoingMessage.objects.get().last_error


def test_a_url_refused_at_sending_time_gives_up(
    world: World, http_receiver: HttpReceiver, settings: object
) -> None:
    channel(world.team, world.admin, http_receiver.url)
    settings.PACER_OUTBOUND_ALLOW = []  # type: ignore[attr-defined]
    note(world.owner, by_email=False, by_slack=True)
    batch()
    send_all()
    message = OutgoingMessage.objects.get()
    assert message.state == "failed" and "URL refused" in message.last_error
    assert http_receiver.received == []


def test_a_claimed_message_is_not_sent_twice(world: World, http_receiver: HttpReceiver) -> None:
    channel(world.team, world.admin, http_receiver.url)
    note(world.owner, by_email=False, by_slack=True)
    batch()
    [message] = messages()
    assert sending.claim(message.pk)  # another worker holds it (or died holding it)
    assert sending.send_message.call(message.pk).startswith("not due")
    # Its lease ran out (the holder crashed): it is sent, once.
    OutgoingMessage.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert sending.send_message.call(message.pk) == "sent"
    assert sending.send_message.call(message.pk).startswith("not due")
    assert len(http_receiver.wait_for(1)) == 1


def test_private_objectives_never_go_to_a_team_channel(
    world: World, http_receiver: HttpReceiver
) -> None:
    channel(world.team, world.admin, http_receiver.url)
    note(world.owner, "Buy Initech", objective=world.private, by_email=False, by_slack=True)
    batch()
    [message] = messages()
    assert message.state == "skipped"
    assert http_receiver.received == []


def test_the_objectives_team_channel_is_chosen_else_the_persons(
    world: World, http_receiver: HttpReceiver
) -> None:
    from tests.factories import make_team

    other = make_team(world.org, "aaa-first", members=(world.teammate,))
    channel(world.team, world.admin, http_receiver.url + "/platform")
    channel(other, world.admin, http_receiver.url + "/first")
    note(world.teammate, "About delivery", objective=world.public, by_email=False, by_slack=True)
    note(world.teammate, "No objective", by_email=False, by_slack=True)
    batch()
    by_team = {m.team_channel.team.ref: m for m in messages() if m.team_channel}
    assert set(by_team) == {"platform", "aaa-first"}
    assert TeamChannel.objects.count() == 2
