"""A team's Slack and Teams channels: the service (encrypted at rest, checked, admins only),
the team page's section and its buttons."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from pacer.messaging import services
from pacer.messaging.models import TeamChannel
from pacer.okrs.errors import DomainError
from tests.factories import World
from tests.servers import HttpReceiver

pytestmark = pytest.mark.django_db

SLACK_URL = "https://hooks.slack.com/services/T000/B000/secretTokenWXYZ"


@pytest.fixture(autouse=True)
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """hooks.slack.com resolves to a public address without a DNS lookup (offline)."""
    import ipaddress

    from pacer import outbound

    real = outbound.resolve

    def resolve(host: str, port: int, *, quiet: bool = False) -> list[Any]:
        if host == "hooks.slack.com":
            return [ipaddress.ip_address("52.95.110.1")]
        return real(host, port, quiet=quiet)

    monkeypatch.setattr(outbound, "resolve", resolve)


def test_the_url_is_encrypted_at_rest_and_shown_masked(world: World) -> None:
    services.channel_set(team=world.team, kind="slack", url=SLACK_URL, by=world.admin)
    with connection.cursor() as cursor:
        cursor.execute("SELECT url_encrypted FROM messaging_teamchannel")
        [(stored,)] = cursor.fetchall()
    assert "hooks.slack.com" not in stored and "secretToken" not in stored
    assert services.url_of(TeamChannel.objects.get()) == SLACK_URL
    views = {v.kind: v for v in services.channels_of(world.team)}
    assert views["slack"].masked == "https://hooks.slack.com/…WXYZ"
    assert views["teams"].masked == ""


def test_setting_again_replaces(world: World) -> None:
    services.channel_set(team=world.team, kind="slack", url=SLACK_URL, by=world.admin)
    services.channel_set(team=world.team, kind="slack", url=SLACK_URL + "2", by=world.admin)
    assert services.url_of(TeamChannel.objects.get()) == SLACK_URL + "2"


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://10.1.2.3:9/hook", "private, loopback or link-local"),
        ("http://169.254.169.254/latest", "private, loopback or link-local"),
        ("ftp://example.com/x", "must start with http"),
        ("", "enter the incoming-webhook URL"),
    ],
)
def test_a_refused_url_names_the_field_and_changes_nothing(
    world: World, url: str, said: str
) -> None:
    with pytest.raises(DomainError) as refused:
        services.channel_set(team=world.team, kind="teams", url=url, by=world.admin)
    [(field, message)] = refused.value.problems
    assert field == "teams_url" and message.startswith("Microsoft Teams webhook URL: ")
    assert said in message
    assert not TeamChannel.objects.exists()


def test_only_admins_set_or_remove(world: World) -> None:
    with pytest.raises(DomainError):
        services.channel_set(team=world.team, kind="slack", url=SLACK_URL, by=world.owner)
    services.channel_set(team=world.team, kind="slack", url=SLACK_URL, by=world.admin)
    with pytest.raises(DomainError):
        services.channel_remove(team=world.team, kind="slack", by=world.owner)
    assert services.channel_remove(team=world.team, kind="slack", by=world.admin)
    assert not TeamChannel.objects.exists()


# --- The web -------------------------------------------------------------------------------


def signed_in(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def team_page(client: Client, world: World) -> str:
    response = client.get(f"/teams/{world.team.ref}/")
    assert response.status_code == 200
    return response.content.decode()


def post(client: Client, world: World, kind: str, **data: str) -> Any:
    return client.post(f"/teams/{world.team.ref}/channels/{kind}/", data)


def test_admins_see_the_section_members_do_not(world: World) -> None:
    assert "Slack and Teams" in team_page(signed_in(world.admin), world)
    assert "Slack and Teams" not in team_page(signed_in(world.owner), world)
    response = post(signed_in(world.owner), world, "slack", slack_url=SLACK_URL)
    assert response.status_code == 403
    assert not TeamChannel.objects.exists()


def test_set_then_shown_masked_only(world: World) -> None:
    client = signed_in(world.admin)
    response = post(client, world, "slack", action="save", slack_url=SLACK_URL)
    assert response.status_code == 302 and response["Location"].endswith("#channels")
    page = team_page(client, world)
    assert "https://hooks.slack.com/…WXYZ" in page
    assert "secretToken" not in page
    assert "Saved Platform" in page or "Saved" in page


def test_a_refused_url_shows_the_field_error(world: World) -> None:
    response = post(
        signed_in(world.admin), world, "slack", action="save", slack_url="http://10.0.0.1/x"
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Slack webhook URL: the URL points at a private" in page
    assert 'href="#id_slack_url"' in page and 'aria-invalid="true"' in page
    assert not TeamChannel.objects.exists()


def test_remove(world: World) -> None:
    services.channel_set(team=world.team, kind="slack", url=SLACK_URL, by=world.admin)
    response = post(signed_in(world.admin), world, "slack", action="remove")
    assert response.status_code == 302
    assert not TeamChannel.objects.exists()


def test_send_a_test_message(world: World, http_receiver: HttpReceiver) -> None:
    services.channel_set(team=world.team, kind="teams", url=http_receiver.url, by=world.admin)
    client = signed_in(world.admin)
    response = post(client, world, "teams", action="test")
    assert response.status_code == 302
    [got] = http_receiver.wait_for(1)
    assert got.json()["attachments"][0]["content"]["type"] == "AdaptiveCard"
    assert "Sent a test message" in team_page(client, world)


def test_a_failing_test_message_says_why(world: World, http_receiver: HttpReceiver) -> None:
    services.channel_set(team=world.team, kind="slack", url=http_receiver.url, by=world.admin)
    http_receiver.answers = [404]
    response = post(signed_in(world.admin), world, "slack", action="test")
    assert response.status_code == 422
    assert "the test message was refused (HTTP 404)" in response.content.decode()


def test_an_unknown_kind_or_team_is_a_404(world: World) -> None:
    client = signed_in(world.admin)
    assert post(client, world, "discord", slack_url=SLACK_URL).status_code == 404
    assert client.post("/teams/nope/channels/slack/", {}).status_code == 404
