"""The one htmx convention (`pacer.web.htmx`): the page, or a fragment for htmx; the page
again for a history restore; every answer varies on HX-Request."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from pacer.web.htmx import render_page_or_fragment

PAGE = "web/objective/detail.html"
FRAGMENT = "web/partials/objective/_checkin_form.html"


def request(**headers: str) -> HttpRequest:
    made = RequestFactory().get("/", headers=headers)
    made.user = AnonymousUser()
    made.htmx = HtmxDetails(made)  # type: ignore[attr-defined]
    return made


def answer(made: HttpRequest, page_status: int = 200) -> tuple[int, bool, str]:
    context = {"page": None, "row": None}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("pacer.web.htmx.render", fake_render)
        response = render_page_or_fragment(made, PAGE, FRAGMENT, context, page_status=page_status)
    return response.status_code, response.content == PAGE.encode(), response["Vary"]


def fake_render(made: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    """Which template would be drawn, and with which status."""
    return HttpResponse(template, status=status)


def test_a_plain_visit_gets_the_page_with_its_status() -> None:
    assert answer(request(), page_status=400) == (400, True, "HX-Request")


def test_htmx_gets_the_fragment_with_200() -> None:
    assert answer(request(HX_Request="true"), page_status=400) == (200, False, "HX-Request")


def test_a_history_restore_gets_the_whole_page() -> None:
    restore = request(HX_Request="true", HX_History_Restore_Request="true")
    assert answer(restore) == (200, True, "HX-Request")
