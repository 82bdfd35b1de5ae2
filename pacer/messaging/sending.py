"""Sending one message: claim it, send it, mark it sent; on failure retry with backoff.

The claim is a lease: a conditional UPDATE gives one sender the message until
`claimed_until` (LEASE, longer than any send may take: EMAIL_TIMEOUT and
PACER_OUTBOUND_TIMEOUT), so two workers, or a task the recovery re-ran, never send it at
once, and a sent message is never claimed again. The one edge, as with any sender to a
system that cannot take part in our transaction: if the worker dies after the receiver
took the message and before it is marked sent, the lease runs out and the message is sent
again (at least once, not exactly once). Emails carry a Message-ID made from the message's
id, so mail clients show such a repeat once.
"""

import contextlib
import logging
import smtplib
import threading
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from pacer import outbound, secretbox
from pacer.jobs import queue
from pacer.messaging import payloads, services
from pacer.messaging.models import EMAIL, KIND_LABELS, OutgoingMessage
from pacer.notifications.models import Notification

logger = logging.getLogger("pacer.messaging")

LEASE = timedelta(minutes=5)
ERROR_LENGTH = 1000


class Retry(Exception):
    """It failed, and may work later (a timeout, a 5xx, a 429, an SMTP hiccup)."""


class GiveUp(Exception):
    """It failed, and trying again will not help (a refused URL, a 404 webhook)."""


@task()
def send_message(message_id: int) -> str:
    """Send message `message_id` if it is due and nobody holds it; what happened."""
    token = claim(message_id)
    if token is None:
        return "not due, sent, or held by another sender"
    message = OutgoingMessage.objects.select_related("person", "team_channel__team").get(
        pk=message_id
    )
    try:
        deliver(message)
    except Retry as error:
        return failed(message, token, str(error), retry=True)
    except GiveUp as error:
        return failed(message, token, str(error), retry=False)
    mark_sent(message, token)
    return "sent"


def claim(message_id: int) -> str | None:
    now, token = timezone.now(), str(uuid.uuid4())
    claimed = (
        OutgoingMessage.objects.filter(
            pk=message_id, state=OutgoingMessage.QUEUED, next_attempt_at__lte=now
        )
        .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
        .update(claim=token, claimed_until=now + LEASE, attempts=F("attempts") + 1)
    )
    return token if claimed else None


def mark_sent(message: OutgoingMessage, token: str) -> None:
    OutgoingMessage.objects.filter(pk=message.pk, claim=token).update(
        state=OutgoingMessage.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
    )


def failed(message: OutgoingMessage, token: str, error: str, *, retry: bool) -> str:
    """Record the failure; queue the next attempt after backoff, or give up for good."""
    error = error[:ERROR_LENGTH]
    mine = OutgoingMessage.objects.filter(pk=message.pk, claim=token)
    if not retry or message.attempts >= queue.MAX_ATTEMPTS:
        mine.update(state=OutgoingMessage.FAILED, last_error=error, claimed_until=None)
        logger.warning("Message %s failed for good: %s", message.pk, error)
        return f"failed: {error}"
    when = timezone.now() + queue.backoff(message.attempts)
    with transaction.atomic():
        if mine.update(next_attempt_at=when, last_error=error, claimed_until=None):
            queue.enqueue(send_message, message.pk, run_after=when)
    return f"retry at {when.isoformat()}: {error}"


def deliver(message: OutgoingMessage) -> None:
    notifications = list(message.notifications.order_by("created_at", "id"))
    if not notifications:
        raise GiveUp("it carries no notification (they were deleted)")
    if message.channel == EMAIL:
        send_email(message, notifications)
    else:
        post_to_team(message, notifications)


def message_id_header(message: OutgoingMessage) -> str:
    domain = urlsplit(settings.PACER_BASE_URL).hostname or "pacer.localhost"
    return f"<pacer-message-{message.pk}@{domain}>"


def send_email(message: OutgoingMessage, notifications: list[Notification]) -> None:
    parts = payloads.email_of(message.person, notifications)
    mail = EmailMultiAlternatives(
        subject=parts.subject,
        body=parts.text,
        to=[message.person.email],
        headers={"Message-ID": message_id_header(message)},
    )
    mail.attach_alternative(parts.html, "text/html")
    try:
        mail.connection, kept = mail_connection()
        try:
            mail.send(fail_silently=False)
        except (smtplib.SMTPServerDisconnected, ConnectionError):
            if not kept:
                raise
            drop_mail_connection()  # the server dropped the kept session: one fresh try
            mail.connection, _ = mail_connection()
            mail.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        raise GiveUp(f"the mail server refused the address: {error}") from error
    except (smtplib.SMTPException, OSError) as error:
        drop_mail_connection()
        raise Retry(f"sending the mail failed: {error.__class__.__name__}: {error}") from error


# One mail server session per worker thread, kept between messages: a session costs a TCP
# connection, EHLO, STARTTLS and AUTH, more than the mail itself. It is reopened after
# MAIL_SESSION_IDLE seconds unused (servers drop idle sessions) or after any error.
MAIL_SESSION_IDLE = 30.0
_mail = threading.local()


def mail_connection() -> tuple[BaseEmailBackend, bool]:
    """The thread's open session, and whether it was kept from an earlier message."""
    wanted = mail_settings()
    connection = getattr(_mail, "connection", None)
    stale = connection is not None and time.monotonic() - _mail.used > MAIL_SESSION_IDLE
    if connection is not None and (stale or _mail.settings != wanted):
        drop_mail_connection()
        connection = None
    kept = connection is not None
    if connection is None:
        connection = get_connection(fail_silently=False)
        connection.open()
        _mail.connection, _mail.settings = connection, wanted
    _mail.used = time.monotonic()
    return connection, kept


def mail_settings() -> tuple[object, ...]:
    """What a session was opened with: another server means another session."""
    names = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_USE_TLS")
    return tuple(getattr(settings, name, None) for name in names)


def drop_mail_connection() -> None:
    connection = getattr(_mail, "connection", None)
    _mail.connection = None
    if connection is not None:
        with contextlib.suppress(Exception):  # it is being thrown away; its errors do not matter
            connection.close()


def post_to_team(message: OutgoingMessage, notifications: list[Notification]) -> None:
    label = KIND_LABELS[message.channel]
    if message.team_channel is None:
        raise GiveUp(f"the team's {label} channel was removed")
    try:
        url = services.url_of(message.team_channel)
    except secretbox.Unreadable as error:
        raise GiveUp(f"the {label} URL cannot be read: {error}") from error
    body = payloads.chat_body(message.channel, message.person, notifications)
    try:
        answer = outbound.post(url, body, payloads.JSON)
    except outbound.Refused as error:
        raise GiveUp(f"{label} webhook URL refused: {error}") from error
    except outbound.Failed as error:
        raise Retry(f"{label}: {error}") from error
    if 200 <= answer.status < 300:
        return
    said = f"{label} answered HTTP {answer.status}: {answer.body[:200]}"
    if answer.status >= 500 or answer.status in (408, 429):
        raise Retry(said)
    raise GiveUp(said)  # 4xx: a removed webhook or a payload it refuses; retrying won't help
