"""Keep linked initiatives' counts up to date (docs/trackers.md, "Connecting a tracker").

`sync_due` (every minute, pacer/jobs/schedule.py) queues `sync_initiative` for each
initiative whose link may be synced now: in a cycle that is not closed, and whose
`sync_next_at` has passed. That time is set when the sync is queued (so a second run does
not queue it again), then to PACER_SYNC_INTERVAL_MINUTES after each attempt, or to the
tracker's retry time when it asked Pacer to slow down. A run queues at most BATCH; when it
queued that many it queues itself again, behind them, so a long backlog is worked through
without waiting for the next minute and without flooding the queue.

`sync_initiative` reads the counts through pacer.trackers (outside any transaction: a slow
tracker holds no lock) and records the outcome with services.sync_succeeded or
services.sync_failed: a failure keeps the last good counts. Anything the tracker answers
that is not an exact count is a failure, never a number; Pacer never writes to trackers.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connections as connections_
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import task

from pacer import trackers
from pacer.accounts.models import User
from pacer.initiatives import connections, services
from pacer.initiatives.models import Initiative
from pacer.jobs.queue import enqueue
from pacer.okrs import permissions
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Cycle
from pacer.okrs.services.writable import ensure_cycle_open

logger = logging.getLogger("pacer.initiatives")

BATCH = 500  # the most syncs one run of sync_due queues


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str  # for the person or the log; never holds a token


def interval() -> timedelta:
    return timedelta(minutes=getattr(settings, "PACER_SYNC_INTERVAL_MINUTES", 15))


def due(now: datetime) -> QuerySet[Initiative]:
    """Linked initiatives of cycles not closed that may be synced at `now`."""
    return (
        Initiative.objects.exclude(link_url="")
        .exclude(cycle__state=Cycle.State.CLOSED)
        .filter(Q(sync_next_at__isnull=True) | Q(sync_next_at__lte=now))
    )


def has_work() -> bool:
    """The schedule's cheap check: is any link due?"""
    return due(timezone.now()).exists()


@task()
def sync_due() -> int:
    """Queue the syncs that are due (at most BATCH); how many were queued. Safe to run any
    number of times: a queued sync is not due again until its interval has passed."""
    now = timezone.now()
    ids = list(due(now).order_by("sync_next_at", "pk").values_list("pk", flat=True)[:BATCH])
    if not ids:
        return 0
    with transaction.atomic():
        # Claimed again here: a concurrent sync or Sync now may have moved it meanwhile.
        claimed = list(due(now).filter(pk__in=ids).values_list("pk", flat=True))
        Initiative.objects.filter(pk__in=claimed).update(sync_next_at=now + interval())
        for pk in claimed:
            enqueue(sync_initiative, pk)
        if len(claimed) == BATCH:  # more may be due: go on once the queue reaches this
            enqueue(sync_due)
    return len(claimed)


@task()
def sync_initiative(initiative_id: int) -> bool:
    """Sync one initiative's link now; whether it succeeded (False also when there was
    nothing to sync: no link, a closed cycle, the initiative deleted)."""
    initiative = Initiative.objects.select_related("cycle").filter(pk=initiative_id).first()
    if initiative is None or not initiative.link_url or initiative.cycle.is_closed:
        return False
    return sync_now(initiative).ok


def sync_now(initiative: Initiative) -> Outcome:
    """Read the counts behind the initiative's link and record them (or the failure)."""
    url = initiative.link_url
    try:
        counts = read_counts(initiative.organization_id, url)
    except trackers.SyncFailed as failure:
        message = str(failure)
        record_failure(initiative.pk, url, message, failure.retry_after)
        return Outcome(False, message)
    except Exception:  # a bug in an adapter must not stop the worker or leak a trace
        logger.exception("Syncing initiative %s failed unexpectedly", initiative.pk)
        message = "Pacer could not read this link (an unexpected error); it will try again."
        record_failure(initiative.pk, url, message, None)
        return Outcome(False, message)
    record_success(initiative.pk, url, counts)
    return Outcome(True, f"{counts.closed} closed, {counts.open} open")


def read_counts(organization_id: int, url: str) -> trackers.Counts:
    stored = connections.stored_connections(organization_id)
    try:
        link = trackers.parse_link(url, stored.connections)
    except trackers.LinkRefused as refused:
        raise trackers.SyncFailed(str(refused).splitlines()[0]) from refused
    connection = trackers.connection_for(link.url, stored.connections)
    if connection is not None and connection.base_url in stored.unreadable:
        raise trackers.SyncFailed(
            "The token of this tracker's connection was encrypted with a key Pacer no longer "
            "has: an administrator enters it again in Settings → Trackers."
        )
    return trackers.fetch_counts(link, connection)


def locked(pk: int, url: str) -> Initiative | None:
    """The initiative locked for recording, if its link is still the one that was read
    (counts of a link it no longer has would be wrong) and its cycle still open."""
    initiative = (
        Initiative.objects.select_for_update(of=("self",))
        .select_related("cycle")
        .filter(pk=pk)
        .first()
    )
    if initiative is None or initiative.link_url != url or initiative.cycle.is_closed:
        return None
    return initiative


@transaction.atomic
def record_success(pk: int, url: str, counts: trackers.Counts) -> None:
    initiative = locked(pk, url)
    if initiative is None:
        return
    initiative.sync_next_at, initiative.sync_retry_after = timezone.now() + interval(), None
    services.sync_succeeded(
        initiative=initiative, open_count=counts.open, closed_count=counts.closed
    )


@transaction.atomic
def record_failure(pk: int, url: str, message: str, retry_after: datetime | None) -> None:
    initiative = locked(pk, url)
    if initiative is None:
        return
    services.sync_failed(initiative=initiative, error=message)
    later = timezone.now() + interval()
    Initiative.objects.filter(pk=pk).update(
        sync_next_at=max(later, retry_after or later), sync_retry_after=retry_after
    )


def waiting_until(initiative: Initiative, now: datetime) -> datetime | None:
    """The time the tracker asked Pacer to wait for, if it is still ahead (Sync now waits
    for it too)."""
    after = initiative.sync_retry_after
    return after if after is not None and after > now else None


def sync_requested(*, initiative: Initiative, by: User | None) -> Outcome:
    """Sync now, asked by a person who may change the initiative (None: the operator): at
    once, within about PACER_OUTBOUND_TIMEOUT (a slower tracker's sync goes on in the
    background)."""
    if by is not None and not permissions.can_change_initiative(by, initiative):
        raise PermissionDenied("Its owner, its team and the goals' editors sync this work.")
    ensure_cycle_open(initiative.cycle)
    if not initiative.link_url:
        raise DomainError("this initiative has no tracker link to sync", "link")
    waiting = waiting_until(initiative, timezone.now())
    if waiting is not None:
        return Outcome(False, f"The tracker asked Pacer to wait until {waiting:%H:%M} UTC.")
    deadline = settings.PACER_OUTBOUND_TIMEOUT + 2
    outcome = within(deadline, lambda: sync_now(initiative))
    if outcome is None:
        return Outcome(False, "The tracker is slow to answer: the sync goes on; reload soon.")
    return outcome


def within(seconds: float, work: Callable[[], Outcome]) -> Outcome | None:
    """`work()` in a thread of its own, if it ends within `seconds` (None: it goes on)."""
    done: list[Outcome] = []

    def run() -> None:
        try:
            done.append(work())
        finally:
            connections_.close_all()

    thread = threading.Thread(target=run, name="pacer-sync-now", daemon=True)
    thread.start()
    thread.join(seconds)
    return done[0] if done else None
