"""A team's Slack and Teams channels in the API (admins): read masked, set, remove.

GET /teams/{ref}/channels/{kind} answers whether it is set and the URL masked (never in
full); PUT sets or replaces it (checked like every outgoing URL: a private or loopback
address is a 422 naming body.url); DELETE removes it (204, also when there was none).
"""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from pacer.api import queries
from pacer.api.auth import caller
from pacer.api.endpoints.common import NO_CONTENT, ok, require_admin
from pacer.api.schemas import Ref
from pacer.messaging import services
from pacer.messaging.models import TeamChannel
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Team

router = Router(tags=["organization"])
Kind = Literal["slack", "teams"]


class ChannelOut(Schema):
    kind: Kind
    set: bool
    url_masked: str | None = Field(examples=["https://hooks.slack.com/…x9Zq"])
    updated_at: datetime | None


class ChannelIn(Schema):
    url: str = Field(max_length=2000, examples=["https://hooks.slack.com/services/T000/B000/XXXX"])


def admin_team(request: HttpRequest, ref: str) -> tuple[Any, Team]:
    user = caller(request)
    team = queries.team(user, ref)  # a 404 for a team of another organization
    require_admin(user)
    return user, team


def channel_out(team: Team, kind: str) -> dict[str, Any]:
    found = TeamChannel.objects.filter(team=team, kind=kind).first()
    view = services.view_of(found, kind)
    return {
        "kind": kind,
        "set": found is not None,
        "url_masked": view.masked or None,
        "updated_at": found.updated_at if found else None,
    }


def as_body_url(error: DomainError) -> DomainError:
    """The service names the web form's field (slack_url); the API's is body.url."""
    return DomainError([("url", message) for _, message in error.problems])


@router.get(
    "/teams/{ref}/channels/{kind}",
    response=ok(ChannelOut),
    summary="Read a team's Slack or Teams channel, masked (admins)",
)
def get_channel(request: HttpRequest, ref: Path[Ref], kind: Path[Kind]) -> dict[str, Any]:
    _, team = admin_team(request, ref)
    return channel_out(team, kind)


@router.put(
    "/teams/{ref}/channels/{kind}",
    response=ok(ChannelOut),
    summary="Set or replace a team's Slack or Teams incoming-webhook URL (admins)",
)
def put_channel(
    request: HttpRequest, ref: Path[Ref], kind: Path[Kind], payload: ChannelIn
) -> dict[str, Any]:
    user, team = admin_team(request, ref)
    try:
        services.channel_set(team=team, kind=kind, url=payload.url, by=user)
    except DomainError as error:
        raise as_body_url(error) from error
    return channel_out(team, kind)


@router.delete(
    "/teams/{ref}/channels/{kind}",
    response=NO_CONTENT,
    summary="Remove a team's Slack or Teams channel (admins)",
)
def delete_channel(request: HttpRequest, ref: Path[Ref], kind: Path[Kind]) -> Status[None]:
    user, team = admin_team(request, ref)
    services.channel_remove(team=team, kind=kind, by=user)
    return Status(204, None)
