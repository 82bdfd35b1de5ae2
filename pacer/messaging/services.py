"""A team's Slack and Teams channels: set, replace, remove, read masked, send a test.

Admins of the team's organization only. A URL is checked with pacer.outbound (the SSRF
rule) before it is stored, so a private or loopback address is refused with a message that
names the field; it is stored encrypted and shown back only masked.
"""

from dataclasses import dataclass

from django.utils import timezone

from pacer import outbound, secretbox
from pacer.accounts.models import User
from pacer.messaging import payloads
from pacer.messaging.models import KIND_LABELS, TEAM_KINDS, TeamChannel
from pacer.okrs import permissions
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Team

TEST_TIMEOUT = 5.0  # a person waits for the test message: less than a worker's timeout


@dataclass(frozen=True)
class ChannelView:
    kind: str
    label: str
    masked: str  # "" when the team has none
    readable: bool = True  # False: encrypted with a key Pacer no longer has


def field_of(kind: str) -> str:
    return f"{kind}_url"


def require_admin(by: User, team: Team) -> None:
    if not permissions.is_admin_of(by, team.organization_id):
        raise DomainError("Only organization admins set a team's Slack and Teams channels.")


def require_kind(kind: str) -> None:
    if kind not in TEAM_KINDS:
        raise DomainError(f"unknown channel {kind!r}: slack or teams", "kind")


def channel_set(*, team: Team, kind: str, url: str, by: User) -> TeamChannel:
    """Set or replace the team's `kind` webhook URL (checked, then stored encrypted)."""
    require_admin(by, team)
    require_kind(kind)
    url = url.strip()
    label = KIND_LABELS[kind]
    if not url:
        raise DomainError(f"{label} webhook URL: enter the incoming-webhook URL", field_of(kind))
    try:
        outbound.check(url)
    except outbound.Refused as refused:
        raise DomainError(f"{label} webhook URL: {refused}", field_of(kind)) from refused
    now = timezone.now()
    channel, _ = TeamChannel.objects.update_or_create(
        team=team,
        kind=kind,
        defaults={"url_encrypted": secretbox.encrypt(url), "added_by": by, "updated_at": now},
        create_defaults={
            "url_encrypted": secretbox.encrypt(url),
            "added_by": by,
            "created_at": now,
            "updated_at": now,
        },
    )
    return channel


def channel_remove(*, team: Team, kind: str, by: User) -> bool:
    """Remove the team's `kind` channel; whether there was one."""
    require_admin(by, team)
    require_kind(kind)
    deleted, _ = TeamChannel.objects.filter(team=team, kind=kind).delete()
    return bool(deleted)


def url_of(channel: TeamChannel) -> str:
    """The plain URL, for sending only (never shown)."""
    return secretbox.decrypt(channel.url_encrypted)


def view_of(channel: TeamChannel | None, kind: str) -> ChannelView:
    if channel is None:
        return ChannelView(kind, KIND_LABELS[kind], "")
    try:
        return ChannelView(kind, KIND_LABELS[kind], secretbox.masked_url(url_of(channel)))
    except secretbox.Unreadable:
        return ChannelView(kind, KIND_LABELS[kind], "(unreadable: set it again)", False)


def channels_of(team: Team) -> list[ChannelView]:
    """The team's Slack and Teams channels, masked, in a fixed order (one query)."""
    found = {c.kind: c for c in TeamChannel.objects.filter(team=team)}
    return [view_of(found.get(kind), kind) for kind in TEAM_KINDS]


def send_test(*, team: Team, kind: str, by: User) -> str:
    """Post a test message to the team's channel now; what happened, for the person.
    Raises DomainError (naming the field) if there is no channel or the post failed."""
    require_admin(by, team)
    require_kind(kind)
    label = KIND_LABELS[kind]
    channel = TeamChannel.objects.filter(team=team, kind=kind).first()
    if channel is None:
        raise DomainError(f"{label} webhook URL: the team has none yet", field_of(kind))
    body = payloads.test_payload(kind, team)
    try:
        answer = outbound.post(url_of(channel), body, payloads.JSON, timeout=TEST_TIMEOUT)
    except (outbound.Refused, outbound.Failed, secretbox.Unreadable) as error:
        raise DomainError(f"{label} webhook URL: {error}", field_of(kind)) from error
    if not 200 <= answer.status < 300:
        raise DomainError(
            f"{label} webhook URL: the test message was refused (HTTP {answer.status})",
            field_of(kind),
        )
    return f"Sent a test message to {team.name}'s {label} channel."
