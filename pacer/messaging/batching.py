"""Batching: people's notifications that want email, Slack or Teams become messages.

Every BATCH_EVERY (pacer/jobs/schedule.py) `batch_notifications` takes each person's
notifications that want a channel and are in no message of it yet, and once the oldest is
BATCH_WINDOW old (a reminder: at once) puts them ALL in one message for that person and
channel, so a burst of events is one digest, not ten mails. Slack and Teams messages go to a
team's channel: that of the notification's objective's team, else of the first of the
person's teams (by name) that has one; a notification about a private objective never goes
to a team channel (its other members may not see it), nor one with no channel to go to:
those are recorded as a skipped message, so they are looked at once.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django_tasks import task

from pacer.accounts.models import User
from pacer.jobs import queue
from pacer.messaging import sending
from pacer.messaging.models import (
    EMAIL,
    KIND_LABELS,
    SLACK,
    TEAMS,
    MessageItem,
    OutgoingMessage,
    TeamChannel,
)
from pacer.notifications import kinds
from pacer.notifications.models import Notification
from pacer.okrs.models import Membership
from pacer.okrs.selectors import objectives_visible_to

BATCH_EVERY = timedelta(seconds=15)
BATCH_WINDOW = timedelta(minutes=2)
# Older notifications are never sent (Pacer was down for days, or messaging was just
# installed): a pile of stale news helps nobody, and it bounds the search.
HORIZON = timedelta(days=2)
HIDDEN = "the person may no longer see the objective"
LIMIT = 5000  # notifications looked at per channel per run; the rest wait for the next
WANTS = {EMAIL: "by_email", SLACK: "by_slack", TEAMS: "by_teams"}
CHANNELS = (EMAIL, SLACK, TEAMS)
Target = TeamChannel | None


def unsent(channel: str, now: datetime) -> Q:
    """Notifications wanting `channel`, recent, and in no message of it yet."""
    carried = MessageItem.objects.filter(notification=OuterRef("pk"), channel=channel)
    return Q(**{WANTS[channel]: True}, created_at__gte=now - HORIZON) & ~Q(Exists(carried))


def ready(now: datetime) -> Q:
    return Q(created_at__lte=now - BATCH_WINDOW) | Q(kind=kinds.REMINDER)


def has_work() -> bool:
    """The schedule's cheap check: a batch is due, or a message's task went missing."""
    now = timezone.now()
    wanted = Q()
    for channel in CHANNELS:
        wanted |= unsent(channel, now)
    if Notification.objects.filter(wanted & ready(now)).exists():
        return True
    return overdue(now).exists()


@task()
def batch_notifications() -> int:
    """Make the due messages of every channel, then requeue lost ones; how many were made."""
    now = timezone.now()
    made = sum(batch_channel(channel, now) for channel in CHANNELS)
    sweep(now)
    return made


def batch_channel(channel: str, now: datetime) -> int:
    pending = list(
        Notification.objects.filter(unsent(channel, now))
        .select_related("person", "objective")
        .order_by("person_id", "created_at", "id")[:LIMIT]
    )
    by_person: dict[int, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_person[notification.person_id].append(notification)
    due = {pk: items for pk, items in by_person.items() if is_due(items, now)}
    made = 0
    for person_id, items in list(due.items()):
        due[person_id], hidden = split_hidden(items)
        if hidden:
            make(hidden[0].person, channel, None, hidden, skipped=HIDDEN)
        if not due[person_id]:
            del due[person_id]
    if channel == EMAIL:
        return made + sum(make_email(items) for items in due.values())
    routes = team_routes(channel, due)
    return made + sum(make(items[0].person, channel, target, items) for items, target in routes)


def split_hidden(items: list[Notification]) -> tuple[list[Notification], list[Notification]]:
    """Those the person may still see, and those about a private objective they no longer
    may (moved out of the team since it was created): never sent, not even its title."""
    private = {n.objective_id for n in items if n.objective and n.objective.visibility == "private"}
    if not private:
        return items, []
    person = items[0].person
    seen = set(objectives_visible_to(person).filter(pk__in=private).values_list("pk", flat=True))
    gone = {pk for pk in private if pk not in seen}
    return [n for n in items if n.objective_id not in gone], [
        n for n in items if n.objective_id in gone
    ]


def is_due(items: Sequence[Notification], now: datetime) -> bool:
    oldest = items[0].created_at
    return oldest <= now - BATCH_WINDOW or any(n.kind == kinds.REMINDER for n in items)


def make_email(items: list[Notification]) -> int:
    person = items[0].person
    if not person.is_active or not person.email:
        return make(person, EMAIL, None, items, skipped="the person has no active address")
    return make(person, EMAIL, None, items)


def team_routes(
    channel: str, due: dict[int, list[Notification]]
) -> list[tuple[list[Notification], Target]]:
    """Each person's notifications grouped by the team channel they go to (None: nowhere)."""
    channels = {c.team_id: c for c in TeamChannel.objects.filter(kind=channel)}
    teams_of = person_teams(due.keys())
    routes = []
    for person_id, items in due.items():
        fallback = next((channels[t] for t in teams_of[person_id] if t in channels), None)
        groups: dict[int | None, list[Notification]] = defaultdict(list)
        targets: dict[int | None, Target] = {}
        for notification in items:
            target = target_of(notification, channels, fallback)
            key = target.pk if target else None
            groups[key].append(notification)
            targets[key] = target
        routes += [(group, targets[key]) for key, group in groups.items()]
    return routes


def target_of(
    notification: Notification, channels: dict[int, TeamChannel], fallback: Target
) -> Target:
    objective = notification.objective
    if objective is not None and objective.visibility == "private":
        return None  # a team channel's readers may not see it
    if objective is not None and objective.team_id in channels:
        return channels[objective.team_id]
    return fallback


def person_teams(person_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each person's active teams' ids, by team name (the fallback order)."""
    found: dict[int, list[int]] = defaultdict(list)
    rows = (
        Membership.objects.filter(person_id__in=list(person_ids), team__archived_at=None)
        .order_by("team__name", "team_id")
        .values_list("person_id", "team_id")
    )
    for person_id, team_id in rows:
        found[person_id].append(team_id)
    return found


def make(
    person: User,
    channel: str,
    target: Target,
    items: list[Notification],
    *,
    skipped: str = "",
) -> int:
    """One message carrying `items` (and its send task), or nothing if another batcher
    took any of them first (the MessageItem constraint)."""
    if not person.is_active and not skipped:
        skipped = "the person's account is closed"
    if channel != EMAIL and target is None and not skipped:
        skipped = f"no {KIND_LABELS[channel]} channel for this (or a private objective)"
    state = OutgoingMessage.SKIPPED if skipped else OutgoingMessage.QUEUED
    try:
        with transaction.atomic():
            message = OutgoingMessage.objects.create(
                person=person, channel=channel, team_channel=target, state=state, last_error=skipped
            )
            MessageItem.objects.bulk_create(
                MessageItem(message=message, notification=n, channel=channel) for n in items
            )
            if state == OutgoingMessage.QUEUED:
                queue.enqueue(sending.send_message, message.pk)
    except IntegrityError:
        return 0
    return int(state == OutgoingMessage.QUEUED)


def overdue(now: datetime) -> QuerySet[OutgoingMessage]:
    return OutgoingMessage.objects.filter(
        state=OutgoingMessage.QUEUED, next_attempt_at__lte=now - sending.LEASE
    ).filter(Q(claimed_until=None) | Q(claimed_until__lt=now))


def sweep(now: datetime, limit: int = 200) -> int:
    """Queue a send task again for messages whose task went missing (a crash, a lost
    lease); moving `next_attempt_at` makes each wait another LEASE before the next sweep."""
    ids = list(overdue(now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    OutgoingMessage.objects.filter(pk__in=ids).update(next_attempt_at=now)
    for pk in ids:
        queue.enqueue(sending.send_message, pk)
    return len(ids)
