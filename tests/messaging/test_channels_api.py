"""GET/PUT/DELETE /api/v1/teams/{ref}/channels/{kind}: admins only, masked, checked."""

from typing import Any

import pytest

from pacer.messaging.models import TeamChannel
from tests import factories
from tests.api.conftest import World, assert_problem
from tests.servers import HttpReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_world(db: Any) -> World:
    return factories.make_world(World)


def test_put_then_get_masked_then_delete(api_world: World, http_receiver: HttpReceiver) -> None:
    api = api_world.client(api_world.admin)
    url = http_receiver.url + "/services/T0/B0/tokenABCD"
    response = api.call("PUT", "/teams/platform/channels/slack", {"url": url})
    assert response.status_code == 200, response.content
    assert response.json()["url_masked"] == "http://127.0.0.1/…ABCD"
    got = api.get_json("/teams/platform/channels/slack")
    assert got["set"] is True and "token" not in str(got)
    assert api.get_json("/teams/platform/channels/teams")["set"] is False
    assert api.call("DELETE", "/teams/platform/channels/slack").status_code == 204
    assert not TeamChannel.objects.exists()


def test_a_refused_url_is_a_422_naming_body_url(api_world: World) -> None:
    api = api_world.client(api_world.admin)
    response = api.call("PUT", "/teams/platform/channels/teams", {"url": "http://127.0.0.1/x"})
    body = assert_problem(response, 422)
    [error] = body["errors"]
    assert error["field"] == "body.url" and "the URL points at" in error["message"]
    assert not TeamChannel.objects.exists()


def test_members_get_a_403_other_organizations_a_404(api_world: World) -> None:
    member = api_world.client(api_world.owner)
    assert_problem(member.call("GET", "/teams/platform/channels/slack"), 403)
    put = member.call("PUT", "/teams/platform/channels/slack", {"url": "https://x.test/"})
    assert_problem(put, 403)
    stranger = api_world.client(api_world.stranger)
    assert_problem(stranger.call("GET", "/teams/platform/channels/slack"), 404)


def test_an_unknown_kind_is_refused(api_world: World) -> None:
    api = api_world.client(api_world.admin)
    assert api.call("GET", "/teams/platform/channels/discord").status_code == 422
