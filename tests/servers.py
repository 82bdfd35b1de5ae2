"""Real servers on 127.0.0.1 for the tests of what Pacer sends: an HTTP receiver (webhooks,
Slack, Teams) and an SMTP server (aiosmtpd). Each starts on a free port and is stopped by
the fixture that started it (tests/conftest.py: `http_receiver`, `smtp_server`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def signed_with(self, secret: str) -> bool:
        """Whether X-Pacer-Signature is the HMAC-SHA256 of the raw body with `secret`."""
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(self.headers.get("X-Pacer-Signature", ""), expected)


@dataclass
class HttpReceiver:
    """Records every POST (and GET). `documents` are what GET answers, by path. `answers`
    is consumed one per POST (then 200): an int is a status to answer, "stall" holds the
    request for `stall_seconds` before answering."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: list[int | str] = field(default_factory=list)
    stall_seconds: float = 30.0
    documents: dict[str, tuple[int, bytes]] = field(default_factory=dict)  # GET path -> answer
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_answer(self) -> int | str:
        with self.lock:
            return self.answers.pop(0) if self.answers else 200

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.received)


def start_http_receiver() -> tuple[HttpReceiver, ThreadingHTTPServer]:
    receiver = HttpReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with receiver.lock:
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
            answer = receiver.next_answer()
            if answer == "stall":
                time.sleep(receiver.stall_seconds)
                answer = 200
            self.send_response(int(answer))
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if answer == 200 else b"failed")

        def do_GET(self) -> None:
            with receiver.lock:
                receiver.received.append(Received(self.path, dict(self.headers.items()), b""))
            status, content = receiver.documents.get(self.path, (404, b"not found"))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server


class MailSink:
    """aiosmtpd handler keeping every message, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.sessions: set[tuple[str, int]] = set()  # the client address of each connection

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.sessions.add(tuple(session.peer))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.messages)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_smtp_server() -> tuple[MailSink, Controller]:
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    return sink, controller
