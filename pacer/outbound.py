"""Every request Pacer makes to another server goes through here (webhooks, Slack, Teams).

Server-side request forgery is refused in one place: a URL must be http(s), and every
address its host resolves to must be public (not loopback, private, link-local, the cloud
metadata address, multicast or reserved), and not the server itself, unless the host is
listed in PACER_OUTBOUND_ALLOW (names, addresses or CIDR ranges). The connection then goes
to the address that was checked, so a second DNS answer cannot point it elsewhere. A request
takes at most its timeout in all, however slowly the receiver answers; redirects are not
followed; at most MAX_RESPONSE bytes of the answer are read.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

MAX_RESPONSE = 64 * 1024  # what a delivery log keeps of a receiver's answer
MAX_READ = 4 * 1024 * 1024  # the most a reader (tracker, data source) takes in
MAX_URL = 2000
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The URL may not be requested; the message says why, in words for the person."""


class Failed(Exception):
    """The request was made and failed: no connection, a timeout, a broken answer."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked address the connection goes to


@dataclass(frozen=True)
class Response:
    status: int
    body: str  # the start of the answer, for the delivery log
    elapsed_ms: int


def allowed_by_setting(host: str, addresses: list[Address]) -> bool:
    for entry in settings.PACER_OUTBOUND_ALLOW:
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry == host:
            return True
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if addresses and all(address in network for address in addresses):
            return True
    return False


def own_hosts() -> set[str]:
    """The names this server answers to."""
    names = {h.lower().lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*", "")}
    base = urlsplit(settings.PACER_BASE_URL).hostname
    return names | ({base.lower()} if base else set()) | {socket.gethostname().lower()}


def own_addresses() -> set[Address]:
    found: set[Address] = set()
    for name in own_hosts():
        found |= set(resolve(name, 0, quiet=True))
    return found


def is_forbidden(address: Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return not address.is_global or address.is_multicast


def resolve(host: str, port: int, *, quiet: bool = False) -> list[Address]:
    try:
        infos = socket.getaddrinfo(host, port or None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as error:
        if quiet:
            return []
        raise Refused(f"the host {host!r} cannot be found") from error
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def check(url: str) -> Target:
    """The target of `url` if Pacer may request it, else Refused saying why."""
    if len(url) > MAX_URL:
        raise Refused(f"the URL is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise Refused("this is not a valid URL") from error
    if parts.scheme not in ("http", "https"):
        raise Refused("the URL must start with http:// or https://")
    host = (parts.hostname or "").lower()
    if not host:
        raise Refused("the URL has no host")
    if parts.username or parts.password:
        raise Refused("the URL may not carry a user name or password")
    port = port or (443 if parts.scheme == "https" else 80)
    itself = Refused("the URL points at this Pacer server itself")
    if host in own_hosts() and not allowed_by_setting(host, []):
        raise itself
    addresses = resolve(host, port)
    if not allowed_by_setting(host, addresses):
        if set(addresses) & own_addresses():
            raise itself
        if any(is_forbidden(address) for address in addresses):
            raise Refused(
                "the URL points at a private, loopback or link-local address; an "
                "administrator can allow its host in PACER_OUTBOUND_ALLOW"
            )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, str(addresses[0]))


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host name resolves to now."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self.address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Answer:
    """A whole answer, for readers (trackers, data sources)."""

    status: int
    headers: dict[str, str]  # names lowercased
    content: bytes
    elapsed_ms: int


def post(
    url: str, body: bytes, headers: Mapping[str, str], *, timeout: float | None = None
) -> Response:
    """POST `body` to `url`: the answer, Refused (not sent), or Failed (sent, no answer)."""
    answer = exchange("POST", url, body, headers, timeout=timeout, limit=MAX_RESPONSE)
    text = answer.content.decode("utf-8", "replace")
    return Response(answer.status, text[:1000], answer.elapsed_ms)


def get(
    url: str,
    headers: Mapping[str, str],
    *,
    timeout: float | None = None,
    limit: int = MAX_READ,
) -> Answer:
    """GET `url`: the whole answer (Failed when it is longer than `limit` bytes), Refused
    (not sent), or Failed (no answer)."""
    return exchange("GET", url, None, headers, timeout=timeout, limit=limit, whole=True)


def exchange(
    method: str,
    url: str,
    body: bytes | None,
    headers: Mapping[str, str],
    *,
    timeout: float | None,
    limit: int,
    whole: bool = False,
) -> Answer:
    target = check(url)
    timeout = timeout or settings.PACER_OUTBOUND_TIMEOUT
    kind = PinnedHTTPSConnection if target.scheme == "https" else PinnedHTTPConnection
    connection = kind(target, timeout)
    # The socket timeout bounds each read; the deadline bounds them all together (a
    # receiver sending one byte a second would otherwise hold the worker for ever).
    deadline = threading.Timer(timeout, abandon, args=(connection,))
    started = time.monotonic()
    deadline.start()
    try:
        connection.request(method, target.path, body=body, headers=dict(headers))
        answer = connection.getresponse()
        content = answer.read(limit + 1 if whole else limit)
        if time.monotonic() - started >= timeout:  # the deadline cut the answer short
            raise Failed(f"no answer within {timeout:g} s")
        if whole and len(content) > limit:
            raise Failed(f"the answer is longer than {limit} bytes")
        if whole and len(content) < int(answer.getheader("Content-Length") or 0):
            raise Failed("the answer was cut short")
        return Answer(
            answer.status,
            {name.lower(): value for name, value in answer.getheaders()},
            content,
            int((time.monotonic() - started) * 1000),
        )
    except (OSError, http.client.HTTPException, ValueError) as error:
        if time.monotonic() - started >= timeout:
            raise Failed(f"no answer within {timeout:g} s") from error
        raise Failed(f"the request failed: {error.__class__.__name__}: {error}") from error
    finally:
        deadline.cancel()
        connection.close()


def abandon(connection: http.client.HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
