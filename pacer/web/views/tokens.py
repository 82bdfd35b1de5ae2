"""Personal API tokens: list mine, create one (the plain token is shown only once), revoke.

The tokens themselves are `pacer.api.tokens`' business, shared with `pacer token`.
"""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from pacer.accounts.models import User
from pacer.api.models import ApiToken
from pacer.api.tokens import token_create, token_revoke, tokens_of
from pacer.okrs.errors import DomainError
from pacer.web.forms import TokenForm, show_problems


def render_tokens(
    request: HttpRequest, form: TokenForm, *, created: str = "", status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {
        "tokens": tokens_of(cast(User, request.user)),
        "form": form,
        "created": created,
        "now": timezone.now(),
    }
    return render(request, "web/settings/tokens.html", context, status=status)


@never_cache  # the page may show a plain token: never keep it in a cache
@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render_tokens(request, TokenForm())
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _, plain = token_create(
                user=cast(User, request.user),
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except DomainError as error:
            show_problems(form, error)
        else:
            # Shown in this answer only (no redirect: it would have to be stored somewhere).
            return render_tokens(request, TokenForm(), created=plain)
    return render_tokens(request, form, status=400)


@login_required
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """A confirmation page (revoking cannot be undone: scripts using the token stop), then
    the revocation."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    if request.method != "POST":
        return render(request, "web/settings/token_revoke.html", {"token": token})
    was_active = token.revoked_at is None
    token_revoke(token=token)
    if was_active:
        messages.success(request, f"Token {token.prefix}… is revoked; it no longer works.")
    return redirect("api_tokens")
