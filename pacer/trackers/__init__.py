"""Issue-tracker links of initiatives: parse the link a person pastes, count its open and
closed issues. Pure adapters (no models): the caller stores links and connections, and
decrypts tokens. Pacer reads from trackers and never writes back. See docs/trackers.md.

    link = parse_link(url, connections)          # LinkRefused: wording for the person
    counts = fetch_counts(link, connection_for(link.url, connections))
                                                 # SyncFailed: wording for the sync log,
                                                 # .retry_after when rate limited
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Protocol

from pacer.trackers import github, gitlab, jira
from pacer.trackers.base import (
    KINDS,
    TRACKERS,
    Connection,
    Counts,
    Link,
    LinkRefused,
    SyncFailed,
    path_under,
    site,
    split_web_url,
)

__all__ = [
    "KINDS",
    "SUPPORTED",
    "TRACKERS",
    "Connection",
    "Counts",
    "Link",
    "LinkRefused",
    "SyncFailed",
    "connection_for",
    "fetch_counts",
    "parse_link",
]


class Adapter(Protocol):
    NAME: str
    EXAMPLES: tuple[tuple[str, str, str], ...]

    def parse(self, url: str, connection: Connection) -> Link | None: ...

    def counts(self, link: Link, connection: Connection) -> Counts: ...


ADAPTERS: dict[str, Adapter] = {"github": github, "gitlab": gitlab, "jira": jira}
# Public sites read without a configured connection (anonymously, public projects only).
PUBLIC = {"github.com": github.PUBLIC, "gitlab.com": gitlab.PUBLIC}

SUPPORTED: tuple[str, ...] = tuple(
    f"{label}: {example}" for adapter in ADAPTERS.values() for _, label, example in adapter.EXAMPLES
)


def supported_text() -> str:
    return "Pacer counts these links:\n" + "\n".join(f"- {line}" for line in SUPPORTED)


def parse_link(url: str, connections: Sequence[Connection]) -> Link:
    """The link behind a pasted tracker URL, or LinkRefused saying what is wrong."""
    parts = split_web_url(url)
    connection = connection_for(url, connections)
    if connection is None:
        raise LinkRefused(
            f"No tracker is connected for {parts.hostname}: an administrator can connect a "
            f"GitHub Enterprise, self-managed GitLab or Jira site first.\n{supported_text()}"
        )
    adapter = ADAPTERS[connection.tracker]
    link = adapter.parse(url, connection)
    if link is None:
        raise LinkRefused(f"This is not a {adapter.NAME} link Pacer can count.\n{supported_text()}")
    return link


def connection_for(url: str, connections: Sequence[Connection]) -> Connection | None:
    """The connection a link belongs to: the configured one whose base is the longest prefix
    of the URL, else the public github.com / gitlab.com."""
    matching = [
        c for c in connections if c.tracker in ADAPTERS and path_under(url, c.base_url) is not None
    ]
    if matching:
        return max(matching, key=lambda c: len(c.base_url.strip().rstrip("/")))
    try:
        host, port = site(split_web_url(url))
    except LinkRefused:
        return None
    return PUBLIC.get(host) if port == 443 else None


def fetch_counts(link: Link, connection: Connection | None) -> Counts:
    """Open and closed issues behind `link`, read through `connection` (None: the public
    github.com / gitlab.com). SyncFailed when they cannot be read exactly."""
    connection = connection or connection_for(link.url, ())
    if connection is None:
        raise SyncFailed("This link needs a tracker connection; none is configured for it.")
    if connection.tracker != link.tracker or path_under(link.url, connection.base_url) is None:
        raise SyncFailed("This link does not belong to the tracker connection given for it.")
    try:
        return ADAPTERS[link.tracker].counts(link, connection)
    except SyncFailed as error:
        cleaned = without_secret(error, connection.token)
        if cleaned is error:
            raise
        raise cleaned from None  # the original wording held the token


def without_secret(error: SyncFailed, token: str) -> SyncFailed:
    """The error with any trace of the token blanked: a tracker may echo what it was sent."""
    message = str(error)
    for secret in secrets_of(token):
        message = message.replace(secret, "[token]")
    if message == str(error):
        return error
    return SyncFailed(message, retry_after=error.retry_after)


def secrets_of(token: str) -> list[str]:
    if not token:
        return []
    encoded = base64.b64encode(token.encode()).decode("ascii")
    parts = [part for part in token.split(":") if len(part) >= 8]
    # Longest first, so a part never leaves half of the whole behind.
    return sorted({token, encoded, *parts}, key=len, reverse=True)
