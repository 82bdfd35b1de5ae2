"""What every tracker adapter shares: the values (Connection, Link, Counts), the two errors,
and the reading of an answer that turns anything unexpected into SyncFailed.

Pacer only reads from trackers: every request is a GET through pacer.outbound (so the SSRF
rule, the pinned address and the deadline apply), and nothing is ever written back. A count
is returned only when the answer has exactly the documented shape; anything else is a
SyncFailed naming what was wrong, never a guessed number.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import SplitResult, urlsplit

from pacer import outbound

TRACKERS = ("github", "gitlab", "jira")
KINDS = ("github_milestone", "github_search", "gitlab_milestone", "jira_epic", "jira_jql")
USER_AGENT = "Pacer"
MAX_PAGES = 20  # the most pages one count may read: a sync is bounded work, whatever matches
MAX_COUNT = 10_000_000  # a count above this is garbage, not a project
MAX_DETAIL = 200  # how much of a tracker's own error wording reaches the sync log
DEFAULT_WAIT = timedelta(minutes=1)  # GitHub's advice when a rate limit names no time


@dataclass(frozen=True)
class Connection:
    """An organization's configured tracker; the caller has already decrypted the token."""

    tracker: str  # one of TRACKERS
    base_url: str  # the web base the user's links start with
    token: str = ""  # GitHub/GitLab token; Jira Cloud "email:api_token", Jira Server a PAT
    api_url: str = ""  # overrides the API base derived from base_url


@dataclass(frozen=True)
class Link:
    tracker: str
    kind: str  # one of KINDS
    url: str  # the web URL the user pasted, normalised
    params: tuple[tuple[str, str], ...]

    def param(self, name: str) -> str:
        return dict(self.params).get(name, "")


@dataclass(frozen=True)
class Counts:
    open: int
    closed: int


class LinkRefused(ValueError):
    """The pasted URL is not a link Pacer can count; the message is for the person."""


class SyncFailed(Exception):
    """Counting failed; the message is for the sync log and never contains the token.
    `retry_after` says when the tracker asked Pacer to come back (rate limits)."""

    def __init__(self, message: str, *, retry_after: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# --- URLs -------------------------------------------------------------------------------


def split_web_url(url: str) -> SplitResult:
    """The parts of a pasted link, or LinkRefused when it is not an http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError as error:
        raise LinkRefused("This is not a valid link.") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LinkRefused("A tracker link starts with https:// and names a host.")
    return parts


def site(parts: SplitResult) -> tuple[str, int]:
    """Host and port: a link matches a connection whatever its scheme's spelling."""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (parts.hostname or "").lower(), port


def path_under(url: str, base_url: str) -> str | None:
    """The path of `url` below `base_url` ("/acme/web/..."), or None when it is elsewhere.
    A self-managed tracker may live under a path (https://example.com/gitlab)."""
    parts, base = urlsplit(url.strip()), urlsplit(clean_base(base_url))
    try:
        if site(parts) != site(base):
            return None
    except ValueError:
        return None
    prefix = base.path.rstrip("/")
    if prefix and not (parts.path == prefix or parts.path.startswith(prefix + "/")):
        return None
    return parts.path[len(prefix) :] or "/"


def clean_base(url: str) -> str:
    return url.strip().rstrip("/")


def api_base(connection: Connection, default: str) -> str:
    return clean_base(connection.api_url) if connection.api_url.strip() else default


# --- Answers ----------------------------------------------------------------------------

RetryTime = Callable[[outbound.Answer], datetime | None]


def get_json(url: str, headers: Mapping[str, str], *, name: str, rate_limit: RetryTime) -> Any:
    """The JSON document at `url`, or SyncFailed saying what went wrong."""
    answer = fetch(url, headers, name=name)
    check_status(answer, name=name, rate_limit=rate_limit)
    return parse_json(answer, name=name)


def fetch(url: str, headers: Mapping[str, str], *, name: str) -> outbound.Answer:
    try:
        return outbound.get(url, headers)
    except outbound.Refused as error:
        raise SyncFailed(f"Pacer may not call {name} at this address: {error}.") from error
    except outbound.Failed as error:
        raise SyncFailed(f"{name} did not answer properly: {error}.") from error


def check_status(answer: outbound.Answer, *, name: str, rate_limit: RetryTime) -> None:
    if 200 <= answer.status < 300:
        return
    when = rate_limit(answer)
    if when is not None:
        raise SyncFailed(
            f"{name} rate limit reached: Pacer will retry after {when:%Y-%m-%d %H:%M} UTC.",
            retry_after=when,
        )
    raise SyncFailed(status_problem(answer, name), retry_after=retry_after_header(answer))


def status_problem(answer: outbound.Answer, name: str) -> str:
    status, detail = answer.status, error_detail(answer)
    said = f" {name} said: {detail}" if detail else ""
    if status == 401:
        return f"{name} refused the credentials (401): check the connection's token."
    if status == 403:
        return f"{name} refused access (403): the token may lack a permission.{said}"
    if status in (404, 410):
        return f"{name} found nothing at this link, or the token has no access to it ({status})."
    if status >= 500:
        return f"{name} had a server error ({status}); Pacer will try again later."
    return f"{name} refused the request ({status}).{said}"


def error_detail(answer: outbound.Answer) -> str:
    """A tracker's own short wording of an error (GitHub/GitLab "message", Jira
    "errorMessages"), if the answer carries one."""
    try:
        body = json.loads(answer.content)
    except (ValueError, UnicodeDecodeError):
        return ""
    if not isinstance(body, dict):
        return ""
    candidates = [body.get("message"), body.get("error")]
    messages = body.get("errorMessages")
    if isinstance(messages, list):
        candidates.extend(messages)
    errors = body.get("errors")
    if isinstance(errors, list):
        candidates.extend(e.get("message") for e in errors if isinstance(e, dict))
    texts = [c for c in candidates if isinstance(c, str) and c.strip()]
    return " ".join(texts)[:MAX_DETAIL]


def parse_json(answer: outbound.Answer, *, name: str) -> Any:
    try:
        return json.loads(answer.content)
    except (ValueError, UnicodeDecodeError) as error:
        kind = answer.headers.get("content-type", "no content type").split(";")[0]
        raise SyncFailed(f"{name} answered something that is not JSON ({kind}).") from error


# --- JSON shapes: the documented field or SyncFailed ------------------------------------


def as_object(value: Any, *, name: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SyncFailed(f"{name} answered an unexpected shape for {what} (not an object).")
    return value


def as_list(value: Any, *, name: str, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise SyncFailed(f"{name} answered an unexpected shape for {what} (not a list).")
    return value


def count_in(value: Mapping[str, Any], key: str, *, name: str, what: str) -> int:
    number = value.get(key)
    # bool is an int to Python, and a float (1.5, NaN) is no count of issues.
    if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= MAX_COUNT:
        raise SyncFailed(f"{name} answered without a usable count ({what} {key!r}).")
    return number


def text_in(value: Mapping[str, Any], key: str, *, name: str, what: str) -> str:
    text = value.get(key)
    if not isinstance(text, str) or not text:
        raise SyncFailed(f"{name} answered without {what} {key!r}.")
    return text


# --- Rate limits: when the tracker wants Pacer back -------------------------------------


def now() -> datetime:
    return datetime.now(UTC)


def retry_after_header(answer: outbound.Answer) -> datetime | None:
    """Retry-After as seconds or an HTTP date (RFC 9110), if present and sane."""
    value = answer.headers.get("retry-after", "").strip()
    if value.isdigit():
        return now() + timedelta(seconds=min(int(value), 86_400))
    try:
        when = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    return when.astimezone(UTC) if when and when.tzinfo else None


def at_epoch(value: str | None) -> datetime | None:
    """A reset time given in UTC epoch seconds (GitHub x-ratelimit-reset, GitLab
    RateLimit-Reset)."""
    if not value or not value.strip().isdigit():
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (OverflowError, OSError, ValueError):
        return None


def at_iso(value: str | None) -> datetime | None:
    """A reset time in ISO 8601 (Jira Cloud X-RateLimit-Reset: 2025-01-31T10:30Z)."""
    try:
        when = datetime.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None
    return when.astimezone(UTC) if when and when.tzinfo else None


def request_headers(accept: str, auth: Mapping[str, str]) -> dict[str, str]:
    return {"Accept": accept, "User-Agent": USER_AGENT, **auth}
