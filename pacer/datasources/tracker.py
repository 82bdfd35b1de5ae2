"""tracker: a count of open or closed issues behind an issue-tracker link (pacer.trackers),
read through the organization's tracker connections (Settings → Trackers; public
github.com and gitlab.com links need none). Like the other readers: `check_tracker` raises
SourceProblem naming the field, `read_tracker` gives a Reading or SourceFailed."""

from datetime import datetime
from decimal import Decimal

from pacer import trackers
from pacer.datasources.reading import Reading, SourceFailed, SourceProblem

COUNTS = ("open", "closed")


class TrackerFailed(SourceFailed):
    """A failed count; `retry_after`, when the tracker asked Pacer to slow down, says when
    to come back."""

    def __init__(self, message: str, retry_after: datetime | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def connections_of(organization_id: int) -> list[trackers.Connection]:
    """The organization's tracker connections, tokens decrypted (the one place this reader
    asks for them)."""
    from pacer.initiatives.connections import connections_of as stored

    return stored(organization_id)


def check_tracker(url: str, count: str, organization_id: int) -> None:
    """SourceProblem unless `url` is a link Pacer can count and `count` says which issues."""
    if count not in COUNTS:
        raise SourceProblem("count", "choose which issues to count: open or closed")
    try:
        trackers.parse_link((url or "").strip(), connections_of(organization_id))
    except trackers.LinkRefused as refused:
        raise SourceProblem("url", str(refused)) from None


def read_tracker(url: str, count: str, organization_id: int) -> Reading:
    """How many issues behind `url` are open (or closed); SourceFailed otherwise."""
    from pacer.initiatives.sync import read_counts  # the initiatives' sync reads the same way

    if count not in COUNTS:
        raise SourceFailed("the source's count is not valid: choose open or closed")
    where = f"tracker {url.strip()}"
    try:
        counts = read_counts(organization_id, url.strip())
    except trackers.SyncFailed as failed:
        raise TrackerFailed(f"{where}: {failed}", failed.retry_after) from None
    number = counts.open if count == "open" else counts.closed
    return Reading(Decimal(number), f"{where}: {number} {count} issues")
