"""Personal API tokens: created once (the plain token is shown only then), stored hashed.

`token_create` serves the CLI (`pacer token create`) and the web page alike.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from pacer.accounts.models import User
from pacer.api.models import ApiToken
from pacer.okrs.errors import DomainError

TOKEN_PREFIX = "pacer_"
PREFIX_SHOWN = 8  # characters of the secret part kept in clear, to recognize a token
MAX_EXPIRY_DAYS = 3650
NAME_LENGTH = 100


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def display_prefix(token: str) -> str:
    return token.removeprefix(TOKEN_PREFIX)[:PREFIX_SHOWN]


def new_plain_token() -> str:
    """A fresh secret whose prefix never starts with "-": `pacer token revoke PREFIX` would
    read that prefix as an option (one token in 64 could not be revoked without "--")."""
    secret = secrets.token_urlsafe(32)
    while secret.startswith("-"):
        secret = secrets.token_urlsafe(32)
    return TOKEN_PREFIX + secret


@transaction.atomic
def token_create(
    *, user: User, name: str = "", scope: str = ApiToken.Scope.READ, expires_in_days: int | None
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the plain token (never stored)."""
    problems = []
    if scope not in ApiToken.Scope.values:
        problems.append(("scope", f"must be read or write, not {scope!r}"))
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        problems.append(("expires", f"must be 1 to {MAX_EXPIRY_DAYS} days"))
    if len(name) > NAME_LENGTH:
        problems.append(("name", f"is longer than {NAME_LENGTH} characters"))
    if problems:
        raise DomainError(problems)
    plain = new_plain_token()
    expires_at = None
    if expires_in_days is not None:
        expires_at = timezone.now() + timedelta(days=expires_in_days)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=display_prefix(plain),
        token_hash=hash_token(plain),
        scope=scope,
        expires_at=expires_at,
    )
    return token, plain


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def tokens_revoke_all(*, user: User) -> int:
    """Revoke every live token of `user` (their access ended: deactivation); how many."""
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    return live.update(revoked_at=timezone.now())


def revoke_when_access_ends(sender: object, *, person: User, **kwargs: object) -> None:
    """Receiver of `pacer.accounts.access.access_ended` (connected in ApiConfig.ready)."""
    tokens_revoke_all(user=person)


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_user(plain: str) -> tuple[User, ApiToken] | None:
    """The active person and token for a presented token; None if unknown, expired,
    revoked or the person is deactivated. Marks the token as used."""
    # A hash names one token: no ORDER BY to compile on every API request.
    found = ApiToken.objects.select_related("user", "user__organization").filter(
        token_hash=hash_token(plain)
    )
    token = next(iter(found.order_by()[:1]), None)
    now = timezone.now()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token
