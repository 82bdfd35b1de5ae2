"""Outgoing requests: the SSRF rule, the allow-list, the deadline (against a real receiver)."""

import time
from typing import Any

import pytest
from django.core import mail

from pacer import outbound
from tests.servers import HttpReceiver, MailSink


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "http://127.0.0.1/hook",
        "http://localhost:8000/",
        "http://10.0.0.5/",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "http://user:pw@example.com/",
        "http:///nohost",
        "http://example.com:99999/",
    ],
)
def test_private_and_odd_urls_are_refused(url: str) -> None:
    with pytest.raises(outbound.Refused):
        outbound.check(url)


def test_the_server_itself_is_refused(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["pacer.example.org"]
    with pytest.raises(outbound.Refused, match="this Pacer server"):
        outbound.check("https://pacer.example.org/hook")


def test_an_allowed_host_or_range_may_be_private(settings: Any) -> None:
    settings.PACER_OUTBOUND_ALLOW = ["10.0.0.0/8"]
    assert outbound.check("http://10.1.2.3:8080/hook?x=1").path == "/hook?x=1"
    settings.PACER_OUTBOUND_ALLOW = ["127.0.0.1"]
    assert outbound.check("http://127.0.0.1:9/").address == "127.0.0.1"


def test_a_post_reaches_a_real_receiver(http_receiver: HttpReceiver) -> None:
    answer = outbound.post(f"{http_receiver.url}/in", b'{"a": 1}', {"X-Test": "yes"})
    assert answer.status == 200 and answer.body == "ok"
    [received] = http_receiver.received
    assert received.path == "/in" and received.json() == {"a": 1}
    assert received.headers["X-Test"] == "yes"


def test_a_stalling_receiver_holds_the_request_no_longer_than_its_timeout(
    http_receiver: HttpReceiver,
) -> None:
    http_receiver.answers = ["stall"]
    started = time.monotonic()
    with pytest.raises(outbound.Failed, match="no answer within 1 s"):
        outbound.post(f"{http_receiver.url}/slow", b"{}", {}, timeout=1)
    assert time.monotonic() - started < 5


def test_an_error_answer_is_returned_not_raised(http_receiver: HttpReceiver) -> None:
    http_receiver.answers = [500]
    assert outbound.post(http_receiver.url, b"{}", {}).status == 500


def test_the_smtp_fixture_receives_mail(smtp_server: MailSink) -> None:
    mail.send_mail("Hello", "Body", "pacer@localhost", ["a@example.com"])
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "Hello"


def test_a_get_reads_the_whole_answer_with_its_headers(http_receiver: HttpReceiver) -> None:
    http_receiver.documents["/metric"] = (200, b'{"value": 42}')
    answer = outbound.get(http_receiver.url + "/metric", {"Accept": "application/json"})
    assert (answer.status, answer.content) == (200, b'{"value": 42}')
    assert answer.headers["content-type"] == "application/json"
    assert http_receiver.received[-1].headers["Accept"] == "application/json"


def test_a_get_longer_than_its_limit_fails(http_receiver: HttpReceiver) -> None:
    http_receiver.documents["/big"] = (200, b"x" * 2000)
    with pytest.raises(outbound.Failed, match="longer than 1000 bytes"):
        outbound.get(http_receiver.url + "/big", {}, limit=1000)


def test_a_get_of_a_private_address_is_refused_before_sending() -> None:
    with pytest.raises(outbound.Refused):
        outbound.get("http://169.254.169.254/latest/meta-data/", {})


def test_an_answer_dripping_past_the_deadline_fails_instead_of_being_cut_short(
    settings: Any,
) -> None:
    """A server that sends its headers and then one byte a second: what arrived before the
    deadline is not an answer (a number cut short is still a number)."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def drip() -> None:
        client, _ = listener.accept()
        client.recv(4096)
        client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n4")
        for _ in range(30):
            time.sleep(0.1)
            try:
                client.sendall(b"2")
            except OSError:
                break
        client.close()

    threading.Thread(target=drip, daemon=True).start()
    settings.PACER_OUTBOUND_ALLOW = ["127.0.0.1"]
    started = time.monotonic()
    with pytest.raises(outbound.Failed, match="no answer within 1 s"):
        outbound.get(f"http://127.0.0.1:{port}/metric", {}, timeout=1)
    assert time.monotonic() - started < 2
    listener.close()
