"""A receiver that never answers in time, for the data sources' timeout tests (the shared
tests/servers.py stalls POSTs only): "silent" accepts the connection and says nothing;
"drip" sends a header and then one byte of body every `interval` seconds."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def stalling_server(mode: str, interval: float = 0.1) -> Iterator[str]:
    """The base URL of a server on 127.0.0.1 answering in `mode`, stopped on exit."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(interval)
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(listener, mode, interval, stop), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=2)


def serve(listener: socket.socket, mode: str, interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            continue
        except OSError:  # closed
            return
        with connection, contextlib.suppress(OSError):
            hold(connection, mode, interval, stop)


def hold(connection: socket.socket, mode: str, interval: float, stop: threading.Event) -> None:
    connection.settimeout(5)
    connection.recv(65536)
    if mode == "drip":
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
    while not stop.wait(interval):
        if mode == "drip":
            connection.sendall(b" ")
