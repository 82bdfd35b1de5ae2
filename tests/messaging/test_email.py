"""Email against a real SMTP server: HTML and text parts, escaping, digests, retries."""

import socket

import pytest
from django.conf import settings

from pacer.jobs import queue
from pacer.messaging.models import OutgoingMessage
from tests.factories import World
from tests.messaging.helpers import batch, make_due, messages, note, send_all
from tests.servers import MailSink

pytestmark = pytest.mark.django_db


def parts(mail: object) -> tuple[str, str]:
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[attr-defined]
    html = mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[attr-defined]
    return text.replace("\r\n", "\n"), html.replace("\r\n", "\n")


def test_one_notification_is_a_plain_mail_with_both_parts(
    world: World, smtp_server: MailSink
) -> None:
    note(world.owner, "Adoption turned at risk", body="Was 30 %\nnow 20 %")
    batch()
    assert send_all() == ["sent"]
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == world.owner.email
    assert mail["Subject"] == "Adoption turned at risk"
    assert mail["Message-ID"].startswith("<pacer-message-")
    text, html = parts(mail)
    link = f"{settings.PACER_BASE_URL}/objectives/delivery/"
    assert "Was 30 %\nnow 20 %" in text and link in text
    assert f'href="{link}"' in html and "Was 30 %<br>now 20 %" in html
    [message] = messages()
    assert message.state == "sent" and message.sent_at and message.attempts == 1


def test_people_text_is_escaped_in_html(world: World, smtp_server: MailSink) -> None:
    note(world.owner, "<script>alert(1)</script>", body="<b>bold</b> & co")
    batch()
    send_all()
    [mail] = smtp_server.wait_for(1)
    text, html = parts(mail)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    assert "<b>bold</b> & co" in text  # the text part is text


def test_several_notifications_are_one_digest(world: World, smtp_server: MailSink) -> None:
    for title in ("One", "Two", "Three"):
        note(world.owner, title)
    note(world.owner, "Weekly", kind="weekly_digest", body="Line 1\nLine 2\n\nLine 4")
    batch()
    send_all()
    [mail] = smtp_server.wait_for(1)
    assert mail["Subject"] == "4 updates in Pacer"
    text, html = parts(mail)
    for title in ("One", "Two", "Three", "Weekly"):
        assert title in text and title in html
    assert "Line 1<br>Line 2<br><br>Line 4" in html


def test_mails_in_a_row_share_one_session_with_the_server(
    world: World, smtp_server: MailSink
) -> None:
    """A session costs a connection, EHLO (STARTTLS, AUTH): the worker keeps it."""
    for person in (world.owner, world.teammate, world.admin):
        note(person)
    batch()
    assert send_all() == ["sent"] * 3
    assert len(smtp_server.wait_for(3)) == 3
    assert len(smtp_server.sessions) == 1


def test_a_session_the_server_dropped_is_opened_again(world: World, smtp_server: MailSink) -> None:
    from pacer.messaging import sending

    note(world.owner)
    batch()
    send_all()
    connection, kept = sending.mail_connection()
    assert kept
    connection.connection.sock.shutdown(socket.SHUT_RDWR)  # type: ignore[attr-defined]  # gone
    note(world.teammate)
    batch()
    assert send_all() == ["sent"]
    assert len(smtp_server.wait_for(2)) == 2 and len(smtp_server.sessions) == 2


def test_a_mail_server_that_is_down_is_retried_with_backoff(world: World, settings: object) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # type: ignore[attr-defined]
    note(world.owner)
    batch()
    [result] = send_all()
    assert result.startswith("retry at")
    message = OutgoingMessage.objects.get()
    assert message.state == "queued" and message.attempts == 1
    assert "sending the mail failed" in message.last_error
    wait = message.next_attempt_at - message.created_at
    assert queue.backoff(1).total_seconds() - 5 < wait.total_seconds() < 120
    # The last attempt gives up for good.
    OutgoingMessage.objects.update(attempts=queue.MAX_ATTEMPTS - 1)
    make_due(message)
    send_all()
    assert OutgoingMessage.objects.get().state == "failed"


def test_the_worker_batches_and_sends_on_its_own(world: World, smtp_server: MailSink) -> None:
    """The schedule's batch-messages entry, its send task, the SMTP server: one run."""
    from pacer.jobs import worker

    note(world.owner, "One")
    note(world.owner, "Two")
    worker.run_once()
    [mail] = smtp_server.wait_for(1)
    assert mail["Subject"] == "2 updates in Pacer"
    assert OutgoingMessage.objects.get().state == "sent"
    worker.run_once()  # nothing twice
    assert len(smtp_server.wait_for(2, timeout=0.5)) == 1
