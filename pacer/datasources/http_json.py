"""http_json: GET a URL, pick one number out of its JSON answer with a JSONPath.

The URL goes through pacer.outbound (the SSRF rule, PACER_OUTBOUND_ALLOW, the deadline, no
redirects); at most MAX_BYTES of the answer are read. Header values (tokens) are sent but
never shown, and a URL with a query string is shown masked.
"""

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from jsonpath_ng import JSONPath
from jsonpath_ng.exceptions import JSONPathError
from jsonpath_ng.ext import parse as parse_jsonpath

from pacer import outbound
from pacer.datasources.reading import (
    Reading,
    SourceFailed,
    SourceProblem,
    describe,
    failed_if_invalid,
    number_from,
    shorten,
)
from pacer.secretbox import masked_url

MAX_BYTES = 1024 * 1024
MAX_JSONPATH = 500
MAX_HEADERS = 20
MAX_HEADER_VALUE = 4096
USER_AGENT = "Pacer-DataSources"
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP token (RFC 9110)
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # a line break would start a new header
RESERVED_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}
# What evaluating an expression on unexpected data may raise (a filter comparing a number
# with a text, an arithmetic on a list): a failed read, not a crash.
EVALUATION_ERRORS = (
    TypeError,
    ValueError,
    KeyError,
    IndexError,
    AttributeError,
    ArithmeticError,
    NotImplementedError,
)


def check_http_json(url: str, jsonpath: str, headers: Mapping[str, str] | None = None) -> None:
    """SourceProblem unless the URL may be requested, the JSONPath parses and the headers
    can be sent."""
    try:
        outbound.check((url or "").strip())
    except outbound.Refused as refused:
        raise SourceProblem("url", str(refused)) from None
    compiled(jsonpath)
    checked_headers(headers)


def read_http_json(url: str, jsonpath: str, headers: Mapping[str, str] | None = None) -> Reading:
    """The one number `jsonpath` picks out of the JSON at `url`; SourceFailed otherwise."""
    expression = failed_if_invalid(compiled, jsonpath)
    sent = failed_if_invalid(checked_headers, headers)
    url = (url or "").strip()
    where = f"GET {shown_url(url)}"
    try:
        answer = outbound.get(url, sent, limit=MAX_BYTES)
    except (outbound.Refused, outbound.Failed) as error:
        raise SourceFailed(f"{where}: {error}") from None
    if not 200 <= answer.status < 300:
        raise SourceFailed(f"{where}: the server answered HTTP {answer.status}")
    require_whole(answer, where)
    value = picked(expression, decoded(answer.content, where), where, jsonpath)
    number = number_from_answer(value, where, jsonpath)
    return Reading(number, f"{where} → {jsonpath.strip()} = {number}")


@lru_cache(maxsize=256)
def compiled(jsonpath: str) -> JSONPath:
    text = (jsonpath or "").strip()
    if not text:
        raise SourceProblem("jsonpath", "enter the JSONPath of the value, e.g. $.data.count")
    if len(text) > MAX_JSONPATH:
        raise SourceProblem("jsonpath", f"the JSONPath is longer than {MAX_JSONPATH} characters")
    try:
        expression = parse_jsonpath(text)
    except (JSONPathError, *EVALUATION_ERRORS) as error:
        raise SourceProblem("jsonpath", f"this is not a valid JSONPath: {error}") from None
    try:
        expression.find({})
    except NotImplementedError:  # jsonpath-ng parses `a & b` but cannot apply it
        raise SourceProblem(
            "jsonpath", "this JSONPath uses an operator (&) that cannot be applied"
        ) from None
    except (*EVALUATION_ERRORS, RecursionError):
        pass  # it may well apply to the real answer
    return expression


def checked_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """The headers to send: the source's own, then Accept and User-Agent unless the source
    sets them."""
    if headers is not None and not isinstance(headers, Mapping):
        raise SourceProblem("headers", "headers are pairs of a name and a value")
    given = dict(headers or {})
    if len(given) > MAX_HEADERS:
        raise SourceProblem("headers", f"at most {MAX_HEADERS} headers")
    for name, value in given.items():
        if problem := header_problem(name, value):
            raise SourceProblem("headers", problem)
    names = {name.lower() for name in given}
    defaults = {"Accept": "application/json", "User-Agent": USER_AGENT}
    return {**{k: v for k, v in defaults.items() if k.lower() not in names}, **given}


def header_problem(name: object, value: object) -> str:
    """What stops this header from being sent, in words that never show its value."""
    if not isinstance(name, str) or not HEADER_NAME.match(name):
        return f"{describe(name)} is not a valid header name"
    if name.lower() in RESERVED_HEADERS:
        return f"the header {name} is set by Pacer itself"
    if not isinstance(value, str) or len(value) > MAX_HEADER_VALUE:
        return f"the value of {name} must be a text of at most {MAX_HEADER_VALUE} characters"
    if CONTROL.search(value):
        return f"the value of {name} holds a control character"
    if not value.isascii():
        return f"the value of {name} may hold ASCII characters only"
    return ""


def require_whole(answer: outbound.Answer, where: str) -> None:
    """SourceFailed unless the answer came whole: outbound.get ends a slow answer at its
    deadline by closing the socket, and what had arrived would read as a whole answer (a
    number cut after its first digits is still a number)."""
    timeout = float(settings.PACER_OUTBOUND_TIMEOUT)
    if answer.elapsed_ms >= timeout * 1000:
        raise SourceFailed(f"{where}: no answer within {timeout:g} s")
    length = answer.headers.get("content-length", "")
    if length.isdigit() and int(length) != len(answer.content):
        raise SourceFailed(f"{where}: the answer was cut short")


def shown_url(url: str) -> str:
    """The URL as logs may show it: whole without a query string, masked with one (it may
    hold a token)."""
    parts = urlsplit(url)
    return masked_url(url) if parts.query or parts.fragment else url


def decoded(content: bytes, where: str) -> Any:
    try:
        return json.loads(content, parse_float=Decimal, parse_constant=Decimal)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        start = shorten(content[:60].decode("utf-8", "replace"), 40)
        raise SourceFailed(f"{where}: the answer is not JSON (it starts {start!r})") from None


def picked(expression: JSONPath, document: Any, where: str, jsonpath: str) -> Any:
    try:
        matches = expression.find(document)
    except (*EVALUATION_ERRORS, RecursionError) as error:
        raise SourceFailed(
            f"{where}: {jsonpath} cannot be applied to the answer: {error}"
        ) from None
    if not matches:
        raise SourceFailed(f"{where}: {jsonpath} matches nothing in the answer")
    if len(matches) > 1:
        raise SourceFailed(
            f"{where}: {jsonpath} matches {len(matches)} values; it must pick exactly one"
        )
    return matches[0].value


def number_from_answer(value: Any, where: str, jsonpath: str) -> Decimal:
    try:
        return number_from(value)
    except SourceFailed as failed:
        raise SourceFailed(f"{where}: at {jsonpath}, {failed}") from None
