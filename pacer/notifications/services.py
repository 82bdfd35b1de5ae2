"""Telling people things: the one way every part of Pacer creates a notification."""

from django.db import IntegrityError, transaction

from pacer.accounts.models import User
from pacer.events.models import Event
from pacer.notifications import kinds
from pacer.notifications.models import Notification, Preference
from pacer.okrs.models import Objective

TITLE_LENGTH = 300


def wants(person: User, kind: str, channel: str) -> bool:
    """Whether `person` wants notifications of `kind` by `channel` (their choice, else the
    default)."""
    chosen = Preference.objects.filter(person=person, kind=kind, channel=channel)
    enabled = chosen.values_list("enabled", flat=True).first()
    return (kind, channel) in kinds.DEFAULTS if enabled is None else enabled


def channels_wanted(person: User, kind: str) -> set[str]:
    chosen = dict(
        Preference.objects.filter(person=person, kind=kind).values_list("channel", "enabled")
    )
    return {
        channel
        for channel in kinds.CHANNELS
        if chosen.get(channel, (kind, channel) in kinds.DEFAULTS)
    }


def preference_set(*, person: User, kind: str, channel: str, enabled: bool) -> None:
    if kind not in kinds.KINDS or channel not in kinds.CHANNELS:
        raise ValueError(f"unknown notification kind or channel: {kind}/{channel}")
    Preference.objects.update_or_create(
        person=person, kind=kind, channel=channel, defaults={"enabled": enabled}
    )


def notify(
    *,
    person: User,
    kind: str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    event: Event | None = None,
    objective: Objective | None = None,
) -> Notification | None:
    """Create the notification `key` for `person`, once: None if it exists already, if the
    person is inactive, or if they want this kind by no channel at all.

    The inbox shows it if they want it in Pacer; pacer.messaging sends it by the other
    channels they want, batched.
    """
    channels = channels_wanted(person, kind)
    if not person.is_active or not channels:
        return None
    try:
        with transaction.atomic():
            return Notification.objects.create(
                person=person,
                kind=kind,
                key=key,
                title=title[:TITLE_LENGTH],
                body=body,
                url=url,
                event=event,
                objective=objective,
                in_app=kinds.IN_APP in channels,
                by_email=kinds.EMAIL in channels,
                by_slack=kinds.SLACK in channels,
                by_teams=kinds.TEAMS in channels,
            )
    except IntegrityError:
        return None


def unread_count(person: User) -> int:
    return Notification.objects.filter(person=person, in_app=True, read_at=None).count()
