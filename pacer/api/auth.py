"""Who is calling: a personal token (`Authorization: Bearer ...`) or a browser session.

A read-scoped token may only read (GET/HEAD). A session may write only with a valid CSRF
token, as the web app's forms do. Either way the endpoint gets the person as `request.auth`.
"""

from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthorizationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from pacer.accounts.models import User
from pacer.api.models import ApiToken
from pacer.api.tokens import token_user
from pacer.okrs import history

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MAX_TOKEN_LENGTH = 200


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        found = token_user(token)
        if found is None:
            return None
        user, api_token = found
        if api_token.scope == ApiToken.Scope.READ and request.method not in SAFE_METHODS:
            raise AuthorizationError(message="This token may only read (its scope is read).")
        history.set_actor(user)  # the author of this request's changes in the history
        return user


class SessionAuth(APIKeyCookie):
    """Django's session; unsafe methods need the CSRF token (header X-CSRFToken)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, only for signed-in writes

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request):
            raise HttpError(
                403, "CSRF check failed: send the csrftoken cookie's value as X-CSRFToken."
            )
        return user


def caller(request: HttpRequest) -> User:
    """The authenticated person (every operation requires authentication)."""
    return cast(User, request.auth)  # type: ignore[attr-defined]


AUTH = [TokenAuth(), SessionAuth()]
