"""Small security helpers the settings name: the client's address, the name django-axes
counts sign-in failures under, and the log filters (redaction, one line per refusal)."""

import logging
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

REDACTED = "[redacted]"

# Each pattern keeps its group 1 (the name) and masks what follows it.
SECRET_PATTERNS = [
    # Authorization / Proxy-Authorization headers, however they are spelled in a log line.
    re.compile(r"((?:proxy-)?authorization['\"]?\s*[:=]\s*['\"]?)[^'\",\n]+", re.IGNORECASE),
    re.compile(r"(HTTP_(?:PROXY_)?AUTHORIZATION['\"]?\s*[:=]\s*['\"]?)[^'\",\n]+"),
    re.compile(r"(\b(?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE),
    # Pacer's personal tokens wherever they appear (pacer_ and 43 url-safe characters).
    re.compile(r"(\bpacer_)[A-Za-z0-9_-]{16,}"),
    # key=value, key: value, "key": "value" for names that hold secrets.
    re.compile(
        r"(\b(?:password\d?|new_password\d|old_password|passwd|secret(?:_key)?|api[_-]?key|"
        r"access[_-]?token|refresh[_-]?token|token|sessionid|csrftoken|csrfmiddlewaretoken)"
        r"['\"]?\s*[:=]\s*['\"]?)[^'\"&;,\s}]+",
        re.IGNORECASE,
    ),
]


def redact(text: str) -> str:
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(lambda match: match.group(1) + REDACTED, text)
    return text


class RedactSecrets(logging.Filter):
    """Masks secrets in a record's message, its traceback and its stack before any handler
    formats it. Attached to the handlers in settings.LOGGING, so it sees every record."""

    formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler to report
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class OneLineRefusals(logging.Filter):
    """A refusal the app meant is one warning line, not a traceback. Django logs a view's
    `PermissionDenied` as "Forbidden (Permission denied): PATH" with the exception's
    traceback; on the `django.request` logger, this filter drops the traceback of any 4xx
    record and adds a refusal's reason: "... PATH (Only organization admins manage people.)".
    Bugs (5xx) keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if not record.exc_info or not isinstance(status, int) or not 400 <= status < 500:
            return True
        error = record.exc_info[1]
        reason = str(error) if isinstance(error, PermissionDenied) else ""
        if reason:
            escaped = reason.encode("unicode_escape").decode("ascii")
            record.msg, record.args = f"{record.getMessage()} ({escaped})", None
        record.exc_info, record.exc_text = None, None
        return True


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or with PACER_PROXY_COUNT=N trusted proxies in
    front, the N-th address from the right of X-Forwarded-For (what the first proxy saw)."""
    remote = request.META.get("REMOTE_ADDR")
    count = getattr(settings, "PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if count <= 0 or not forwarded:
        return remote
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not addresses:
        return remote
    return addresses[-min(count, len(addresses))]


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The name django-axes counts failures under: the email as stored (lowercased), so
    `Ada@Acme.test` and `ada@acme.test` share one count and one lock."""
    from pacer.accounts.models import UserManager  # models load after the logging set-up

    field = settings.AXES_USERNAME_FORM_FIELD
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get(field)
    return UserManager.normalize_email_address(username) if username else username


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes' answer to a locked-out sign-in: a page saying for how long, status 429."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
