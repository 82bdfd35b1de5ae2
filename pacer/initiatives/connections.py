"""An organization's tracker connections (Settings → Trackers): add, change, remove, list,
for admins only; and, for the sync, the organization's connections with their tokens
decrypted (pacer.trackers.Connection).

The address Pacer will call (the API URL if given, else the base URL) is checked with
pacer.outbound before anything is written (a private, loopback or link-local address is
refused unless PACER_OUTBOUND_ALLOW allows its host), and again at each request. Errors
name the field ("tracker", "base_url", "api_url", "token") and write nothing. The token is
stored encrypted (pacer.secretbox) and never shown back: pages show `token_masked`.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from pacer import outbound, secretbox, trackers
from pacer.accounts.models import User
from pacer.initiatives.models import TrackerConnection
from pacer.okrs import permissions
from pacer.okrs import rules as okr_rules
from pacer.okrs.errors import raise_if
from pacer.okrs.rules import Problem
from pacer.trackers.base import split_web_url

MAX_PER_ORGANIZATION = 50
MAX_TOKEN = 500
MASK_FROM = 16  # a shorter token shows no characters at all


class NotFound(Http404):
    """No such connection in the admin's organization (a 404, never a 403)."""


@dataclass(frozen=True)
class Stored:
    """An organization's connections for a sync; `unreadable` holds the base URLs whose
    token was encrypted with a key Pacer no longer has."""

    connections: list[trackers.Connection]
    unreadable: frozenset[str]


def require_admin(by: User) -> int:
    """The admin's organization (PermissionDenied for anyone else)."""
    if not permissions.is_admin_of(by, by.organization_id) or by.organization_id is None:
        raise PermissionDenied("Only organization admins connect trackers.")
    return by.organization_id


def masked(token: str) -> str:
    if not token:
        return ""
    return f"…{token[-4:]}" if len(token) >= MASK_FROM else "…"


def clean_url(url: str) -> str:
    return (url or "").strip().rstrip("/")


def url_problems(base_url: str, api_url: str) -> list[Problem]:
    """Both must be web addresses; the one Pacer will call (the API URL if given, else the
    base URL its API lives under) must pass pacer.outbound's rule."""
    if not base_url:
        return [("base_url", "enter the web address its links start with")]
    for field, url in (("base_url", base_url), ("api_url", api_url)):
        if len(url) > 500:
            return [(field, "must be at most 500 characters")]
        try:
            split_web_url(url) if url else None
        except trackers.LinkRefused:
            return [(field, "must be a web address starting with https:// (or http://)")]
    field, called = ("api_url", api_url) if api_url else ("base_url", base_url)
    try:
        outbound.check(called)
    except outbound.Refused as refused:
        return [(field, str(refused))]
    return []


def token_problems(token: str | None) -> list[Problem]:
    if token is None:
        return []
    if len(token) > MAX_TOKEN:
        return [("token", f"must be at most {MAX_TOKEN} characters")]
    if not token.isprintable() or any(c.isspace() for c in token):
        return [("token", "may not contain spaces or control characters")]
    return []


def connection_problems(
    by: User, *, tracker: str, base_url: str, api_url: str, token: str | None, pk: int | None
) -> list[Problem]:
    texts = okr_rules.texts_problems(base_url=base_url, api_url=api_url, token=token)
    if texts:  # a NUL is refused by PostgreSQL in any query: ask nothing further
        return texts
    problems: list[Problem] = []
    if tracker not in TrackerConnection.Tracker.values:
        names = ", ".join(TrackerConnection.Tracker.values)
        problems.append(("tracker", f"choose one of {names}"))
    problems += url_problems(base_url, api_url)
    problems += token_problems(token)
    same = connections_list(by).filter(base_url=base_url)
    if base_url and (same.exclude(pk=pk) if pk is not None else same).exists():
        problems.append(("base_url", "this organization already has a connection for it"))
    if pk is None and connections_list(by).count() >= MAX_PER_ORGANIZATION:
        problems.append(("base_url", f"an organization has at most {MAX_PER_ORGANIZATION}"))
    return problems


def connections_list(by: User) -> QuerySet[TrackerConnection]:
    """The admin's organization's connections (PermissionDenied for others)."""
    return TrackerConnection.objects.filter(organization_id=require_admin(by))


def connection_of(by: User, connection_id: int) -> TrackerConnection:
    found = connections_list(by).filter(pk=connection_id).first()
    if found is None:
        raise NotFound("No such tracker connection.")
    return found


def connection_set(
    *,
    by: User,
    tracker: str,
    base_url: str,
    api_url: str = "",
    token: str | None = None,
    connection: TrackerConnection | None = None,
) -> TrackerConnection:
    """Add a connection, or change `connection`. `token`: None keeps the stored one (a new
    connection then has none), "" removes it."""
    organization_id = require_admin(by)
    base_url, api_url = clean_url(base_url), clean_url(api_url)
    token = token.strip() if token is not None else None
    pk = connection.pk if connection else None
    raise_if(
        connection_problems(
            by, tracker=tracker, base_url=base_url, api_url=api_url, token=token, pk=pk
        )
    )
    row = connection or TrackerConnection(organization_id=organization_id)
    row.tracker, row.base_url, row.api_url = tracker, base_url, api_url
    if token is not None:
        row.token_encrypted = secretbox.encrypt(token) if token else ""
        row.token_masked = masked(token)
    row.save()
    return row


def connection_delete(connection: TrackerConnection, *, by: User) -> None:
    require_admin(by)
    if connection.organization_id != by.organization_id:
        raise NotFound("No such tracker connection.")
    connection.delete()


def stored_connections(organization_id: int) -> Stored:
    """The organization's connections with their tokens decrypted, for the sync."""
    found, unreadable = [], set()
    for row in TrackerConnection.objects.filter(organization_id=organization_id):
        token = ""
        if row.token_encrypted:
            try:
                token = secretbox.decrypt(row.token_encrypted)
            except secretbox.Unreadable:
                unreadable.add(row.base_url)
        found.append(trackers.Connection(row.tracker, row.base_url, token, row.api_url))
    return Stored(found, frozenset(unreadable))


def connections_of(organization_id: int) -> list[trackers.Connection]:
    return stored_connections(organization_id).connections
