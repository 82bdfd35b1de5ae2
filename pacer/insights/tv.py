"""TV mode: a read-only, auto-rotating view of one cycle's dashboards for an office screen,
opened by a revocable link (docs/dashboards.md, "TV mode").

A link holds a random token (32 bytes, URL-safe); only its SHA-256 is stored, so the link is
shown once, at creation. A revoked link answers 410 Gone, an unknown one 404.

What a TV sees: what a member of the organization in no team, who owns nothing, would see:
public objectives only (`public_audience`, asked through the one visibility rule,
`objectives_visible_to` and `initiatives_visible_to`). A screen in a hallway is seen by
visitors too, so it shows aggregates and titles of public objectives and work, never a
private objective, not even in a count, and the trends' `public` snapshots.
"""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from pacer.accounts.models import User
from pacer.insights.models import TvLink
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Cycle, Organization

LABEL_LENGTH = 100
# No real person has id 0 (ids start at 1): the audience matches no membership, no owner.
NOBODY = 0


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def public_audience(organization: Organization) -> User:
    """An unsaved member of `organization` with no team and nothing owned: the visibility
    rule gives them the public objectives only. Never saved."""
    return User(pk=NOBODY, organization=organization, role=User.Role.MEMBER, is_active=True)


def tv_link_create(*, cycle: Cycle, created_by: User, label: str = "") -> tuple[TvLink, str]:
    """A new link to the cycle's TV screen, and its token (shown once)."""
    label = label.strip()
    if "\x00" in label or len(label) > LABEL_LENGTH:
        raise DomainError(
            [("label", f"The label has at most {LABEL_LENGTH} characters, without NUL.")]
        )
    token = secrets.token_urlsafe(32)
    link = TvLink.objects.create(
        organization_id=cycle.organization_id,
        cycle=cycle,
        label=label,
        token_hash=token_hash(token),
        created_by=created_by,
    )
    return link, token


def tv_link_revoke(*, link: TvLink) -> TvLink:
    """Revoke the link (once: a second revoke keeps the first moment)."""
    with transaction.atomic():
        TvLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    link.refresh_from_db()
    return link


class Revoked(Exception):
    """The link existed and was revoked (410 Gone)."""


def tv_link_for(token: str) -> TvLink | None:
    """The live link of `token`, None when there is none; Revoked when it was revoked."""
    if not token or len(token) > 200:
        return None
    link = (
        TvLink.objects.filter(token_hash=token_hash(token))
        .select_related("cycle__organization")
        .first()
    )
    if link is None:
        return None
    if link.revoked_at is not None:
        raise Revoked
    return link


def links_of(cycle: Cycle) -> list[TvLink]:
    return list(TvLink.objects.filter(cycle=cycle).select_related("created_by"))
