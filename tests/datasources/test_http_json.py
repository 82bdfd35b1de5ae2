"""http_json sources against a real server on 127.0.0.1: one number picked by a JSONPath,
every way a read can fail, and the SSRF rule shared with webhooks."""

import json
import re
import time
from decimal import Decimal
from typing import Any

import pytest

from pacer.datasources import (
    SourceFailed,
    SourceProblem,
    check_http_json,
    preview,
    read_http_json,
)
from pacer.datasources.http_json import MAX_BYTES
from tests.datasources.servers import stalling_server
from tests.servers import HttpReceiver


def serve(receiver: HttpReceiver, document: Any, path: str = "/metrics") -> str:
    receiver.documents[path] = (200, json.dumps(document).encode())
    return f"{receiver.url}{path}"


def test_a_number_is_read_with_where_it_came_from(http_receiver: HttpReceiver) -> None:
    url = serve(http_receiver, {"data": {"adoption": 42.5}})
    reading = read_http_json(url, "$.data.adoption")
    assert reading.value == Decimal("42.5")
    assert reading.detail == f"GET {url} → $.data.adoption = 42.5"


@pytest.mark.parametrize(
    ("document", "jsonpath", "expected"),
    [
        ({"count": 7}, "$.count", "7"),
        ({"count": "42.5"}, "$.count", "42.5"),
        ({"count": " -3 "}, "count", "-3"),
        ({"count": 0.1}, "$.count", "0.1"),  # exactly 0.1: JSON numbers are read as decimals
        ({"a": [{"b": {"c": [1, 2, 30]}}]}, "$.a[0].b.c[2]", "30"),
        (
            {"teams": [{"name": "core", "nps": 41}, {"name": "web", "nps": 12}]},
            "$.teams[?(@.name == 'core')].nps",
            "41",
        ),
        ({"items": ["x", "y", "z"]}, "$.items.`len`", "3"),
    ],
)
def test_numbers_strings_and_nested_paths(
    http_receiver: HttpReceiver, document: Any, jsonpath: str, expected: str
) -> None:
    assert read_http_json(serve(http_receiver, document), jsonpath).value == Decimal(expected)


@pytest.mark.parametrize(
    ("document", "jsonpath", "message"),
    [
        ({"data": {}}, "$.data.adoption", "matches nothing"),
        ({"items": [{"v": 1}, {"v": 2}]}, "$.items[*].v", "matches 2 values"),
        ({"v": "high"}, "$.v", "the text 'high', not a number"),
        ({"v": True}, "$.v", "a true/false value (true), not a number"),
        ({"v": None}, "$.v", "empty (null), not a number"),
        ({"v": {"n": 1}}, "$.v", "an object, not a number"),
        ({"v": [1]}, "$.v", "a list, not a number"),
        ({"v": "NaN"}, "$.v", "not a finite number"),
        ({"v": "1" * 60}, "$.v", "not a number"),
    ],
)
def test_a_path_must_pick_exactly_one_number(
    http_receiver: HttpReceiver, document: Any, jsonpath: str, message: str
) -> None:
    with pytest.raises(SourceFailed, match=re.escape(message)):
        read_http_json(serve(http_receiver, document), jsonpath)


@pytest.mark.parametrize(
    ("status", "content", "message"),
    [
        (200, b"<html>Sign in</html>", "the answer is not JSON \\(it starts '<html>Sign in"),
        (200, b'{"v": NaN}', "not a finite number"),
        (200, b"\xff\xfe\xfa", "not JSON"),
        (200, b"[" * 100_000, "not JSON"),
        (500, b'{"v": 1}', "the server answered HTTP 500"),
        (302, b"", "the server answered HTTP 302"),  # redirects are not followed
    ],
)
def test_an_answer_that_is_not_a_json_success_fails(
    http_receiver: HttpReceiver, status: int, content: bytes, message: str
) -> None:
    http_receiver.documents["/metrics"] = (status, content)
    with pytest.raises(SourceFailed, match=message):
        read_http_json(f"{http_receiver.url}/metrics", "$.v")


def test_a_missing_document_fails_with_its_status(http_receiver: HttpReceiver) -> None:
    with pytest.raises(SourceFailed, match="HTTP 404"):
        read_http_json(f"{http_receiver.url}/nowhere", "$.v")


def test_an_answer_longer_than_the_limit_fails(http_receiver: HttpReceiver) -> None:
    http_receiver.documents["/big"] = (200, b'{"v": 1, "pad": "' + b"x" * MAX_BYTES + b'"}')
    with pytest.raises(SourceFailed, match=f"longer than {MAX_BYTES} bytes"):
        read_http_json(f"{http_receiver.url}/big", "$.v")


@pytest.mark.parametrize("mode", ["silent", "drip"])
def test_a_stalling_server_fails_at_the_timeout(settings: Any, mode: str) -> None:
    settings.PACER_OUTBOUND_ALLOW = ["127.0.0.1"]
    settings.PACER_OUTBOUND_TIMEOUT = 0.5
    with stalling_server(mode) as url:
        started = time.monotonic()
        with pytest.raises(SourceFailed, match=r"no answer within 0\.5 s"):
            read_http_json(f"{url}/metrics", "$.v")
    assert time.monotonic() - started < 2


def test_a_server_that_is_not_there_fails(settings: Any) -> None:
    settings.PACER_OUTBOUND_ALLOW = ["127.0.0.1"]
    with stalling_server("silent") as url:
        pass  # stopped: nothing listens on its port any more
    with pytest.raises(SourceFailed, match="the request failed"):
        read_http_json(f"{url}/metrics", "$.v")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/metrics",
        "http://localhost/metrics",
        "http://10.0.0.5/metrics",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/metrics",
        "file:///etc/passwd",
        "http://user:pw@example.com/metrics",
    ],
)
def test_private_addresses_are_refused_without_the_allow_setting(settings: Any, url: str) -> None:
    settings.PACER_OUTBOUND_ALLOW = []
    with pytest.raises(SourceProblem) as problem:
        check_http_json(url, "$.v")
    assert problem.value.field == "url"
    with pytest.raises(SourceFailed):
        read_http_json(url, "$.v")


def test_the_server_itself_is_refused(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["pacer.example.org"]
    with pytest.raises(SourceProblem, match="this Pacer server itself"):
        check_http_json("https://pacer.example.org/api/v1/objectives", "$.count")


@pytest.mark.filterwarnings("ignore:The `&` \\(intersection\\) operator is deprecated")
@pytest.mark.parametrize(
    "jsonpath", ["", "   ", "$..", "$[", "$.a[?(@.b >", "$$$", "$" * 600, "$.a&$.b"]
)
def test_a_bad_jsonpath_is_a_problem_of_the_jsonpath(
    http_receiver: HttpReceiver, jsonpath: str
) -> None:
    url = serve(http_receiver, {"v": 1})
    with pytest.raises(SourceProblem) as problem:
        check_http_json(url, jsonpath)
    assert problem.value.field == "jsonpath"
    with pytest.raises(SourceFailed, match="the source's jsonpath is not valid"):
        read_http_json(url, jsonpath)


def test_headers_are_sent_and_never_shown(http_receiver: HttpReceiver) -> None:
    url = serve(http_receiver, {"v": 5})
    secret = "Bearer s3cr3t-t0ken"
    reading = read_http_json(url, "$.v", {"Authorization": secret})
    [received] = http_receiver.received
    assert received.headers["Authorization"] == secret
    assert received.headers["Accept"] == "application/json"
    assert secret not in reading.detail
    http_receiver.documents["/metrics"] = (401, b"{}")
    with pytest.raises(SourceFailed) as failed:
        read_http_json(url, "$.v", {"Authorization": secret})
    assert "s3cr3t" not in str(failed.value)


def test_a_token_in_the_query_string_is_masked(http_receiver: HttpReceiver) -> None:
    url = serve(http_receiver, {"v": 5}) + "?api_key=s3cr3t-t0ken-wxyz"
    http_receiver.documents["/metrics?api_key=s3cr3t-t0ken-wxyz"] = (200, b'{"v": 5}')
    reading = read_http_json(url, "$.v")
    assert "s3cr3t" not in reading.detail
    assert reading.detail.startswith("GET http://127.0.0.1/…wxyz → $.v = 5")
    http_receiver.documents.clear()
    with pytest.raises(SourceFailed) as failed:
        read_http_json(url, "$.v")
    assert "s3cr3t" not in str(failed.value)


@pytest.mark.parametrize(
    "headers",
    [
        {"Bad Name": "x"},
        {"X-Injected": "a\r\nX-Other: b"},
        {"Host": "internal.example"},
        {"Content-Length": "0"},
        {f"X-{n}": "x" for n in range(21)},
        {"X-Long": "x" * 5000},
        {"X-Name": "Zoë"},
        [("X-Pairs", "as a list")],
    ],
)
def test_headers_that_cannot_be_sent_are_a_problem_of_the_headers(
    http_receiver: HttpReceiver, headers: Any
) -> None:
    with pytest.raises(SourceProblem) as problem:
        check_http_json(serve(http_receiver, {"v": 1}), "$.v", headers)
    assert problem.value.field == "headers"
    assert "X-Other: b" not in str(problem.value)


def test_preview_checks_then_reads(http_receiver: HttpReceiver) -> None:
    url = serve(http_receiver, {"v": 12})
    assert preview("http_json", url=url, jsonpath="$.v").value == 12
    with pytest.raises(SourceProblem) as problem:
        preview("http_json", url=url, jsonpath="$[")
    assert problem.value.field == "jsonpath"
    with pytest.raises(SourceProblem) as problem:
        preview("csv", url=url)
    assert problem.value.field == "kind"
