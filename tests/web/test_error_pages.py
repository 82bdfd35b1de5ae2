"""Not found (404) and server error (500) are pages in Pacer's look; the 500 page needs neither
a request context nor the database (which may be what failed). Every page has the favicon.

The shared world (tests.factories): Acme's `owner`.
"""

from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import include, path
from django.views.defaults import server_error

from tests.factories import World

pytestmark = pytest.mark.django_db


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


# ROOT_URLCONF for the 500 test: Pacer's URLs and one view that fails.
urlpatterns = [path("boom/", boom), path("", include("pacer.urls"))]


def test_a_missing_page_is_pacers_404_with_the_navigation(world: World) -> None:
    client = Client()
    client.force_login(world.owner)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<title>Not found · Pacer</title>" in page
    assert "Page not found" in page
    assert "no-such-page" not in page  # no path: it may be a private objective's ref
    assert 'href="/people/"' in page  # the navigation of a signed-in page
    assert 'href="/"' in page


def test_a_missing_page_is_styled_when_signed_out_and_shows_no_path(db: None) -> None:
    response = Client().get("/<b>x</b>/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert "pacer/pacer.css" in page
    assert "<b>x</b>" not in page and "&lt;b&gt;" not in page


def test_the_500_page_needs_no_request_context_and_no_database(
    rf: RequestFactory, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))  # renders 500.html with an empty context
    assert response.status_code == 500
    page = response.content.decode()
    assert "<title>Something went wrong · Pacer</title>" in page
    assert "pacer/pacer.css" in page
    assert "pacer/favicon.svg" in page
    assert 'href="/"' in page


@pytest.mark.urls(__name__)
def test_a_failing_view_answers_the_styled_500(world: World) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.owner)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_pages_link_the_favicon(world: World) -> None:
    client = Client()
    assert 'rel="icon" href="/static/pacer/favicon.svg"' in client.get("/login/").content.decode()
    client.force_login(world.owner)
    assert "pacer/favicon.svg" in client.get("/checkin/").content.decode()
    found = finders.find("pacer/favicon.svg")
    assert found is not None
    with open(found) as svg:
        assert svg.read().startswith("<svg")
