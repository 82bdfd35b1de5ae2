"""A refusal (403) is a page in Pacer's layout that says why, and one line in the log, not a
traceback. The API answers problem+json, logged in one line too."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import permission_denied

from pacer.accounts.models import User
from pacer.api.tokens import token_create
from tests.factories import World

pytestmark = pytest.mark.django_db

REASON = "Only organization admins manage people."


def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the root's console handler writes (settings.LOGGING)."""
    (handler,) = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def test_a_refused_page_says_why_in_pacers_layout(world: World) -> None:
    response = client_for(world.owner).post(reverse("person_invite"), {"email": "x@y.z"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "<title>Not allowed · Pacer</title>" in page
    assert REASON in page
    assert 'href="/people/"' in page  # the navigation of a signed-in page
    assert world.owner.get_full_name() in page


def test_the_reason_is_escaped(rf: RequestFactory, world: World) -> None:
    request = rf.get("/")
    request.user = world.owner
    response = permission_denied(request, PermissionDenied("<script>alert(1)</script>"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_refusal_is_one_log_line_with_its_reason(world: World, console: io.StringIO) -> None:
    client = client_for(world.owner)
    assert client.post(reverse("person_invite"), {"email": "x@y.z"}).status_code == 403
    written = console.getvalue()
    assert "Traceback" not in written
    assert written == f"Forbidden (Permission denied): /people/invite/ ({REASON})\n"


def test_cycle_close_refusal_is_one_line_too(world: World, console: io.StringIO) -> None:
    url = reverse("cycle_close", args=[world.cycle.ref])
    response = client_for(world.owner).get(url)
    assert response.status_code == 403
    assert "Only organization admins close a cycle." in response.content.decode()
    assert "Traceback" not in console.getvalue()
    assert len(console.getvalue().splitlines()) == 1


def test_an_api_refusal_is_problem_json_and_one_log_line(
    world: World, console: io.StringIO
) -> None:
    _, token = token_create(user=world.owner, name="ci", scope="write", expires_in_days=1)
    response = Client().post(
        f"/api/v1/cycles/{world.cycle.ref}/close", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    written = console.getvalue()
    assert "Traceback" not in written
    assert written.splitlines() == [f"Forbidden: /api/v1/cycles/{world.cycle.ref}/close"]
    assert token not in written


def test_a_bug_keeps_its_traceback(console: io.StringIO) -> None:
    """Only expected refusals lose the traceback: a 500 is logged in full."""
    logger = logging.getLogger("django.request")
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        logger.error("Internal Server Error: /x", exc_info=error, extra={"status_code": 500})
    assert "Traceback" in console.getvalue()
    assert "RuntimeError: boom" in console.getvalue()
