"""The caller's notifications: list (all or unread), mark read, and their preferences."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from pacer.api.auth import caller
from pacer.api.endpoints.common import ok
from pacer.api.pagination import paged
from pacer.api.schemas import Id, PageQuery, Strict
from pacer.notifications import kinds, preferences, selectors
from pacer.notifications.models import Notification
from pacer.notifications.services import preference_set

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str = Field(description=f"one of {', '.join(kinds.KINDS)}")
    title: str
    body: str
    url: str = Field(description="a path in Pacer's web app")
    objective: str | None = Field(description="the ref of the objective it concerns")
    created_at: datetime
    read_at: datetime | None


class NotificationList(Schema):
    items: list[NotificationOut]
    next_cursor: str | None


class NotificationQuery(PageQuery):
    unread: bool = Field(False, description="only those not read yet")


class ReadIn(Strict):
    ids: list[Id] | None = Field(None, max_length=500, description="these notifications")
    all: bool = Field(False, description="every unread notification")


class ReadOut(Schema):
    marked: int


Grid = dict[str, dict[str, bool]]


class PreferencesOut(Schema):
    preferences: Grid = Field(description="kind -> channel -> on (kinds.md: docs/notifications.md)")


class PreferencesIn(Strict):
    preferences: Grid = Field(description="the choices to change; others stay as they are")


def notification_out(n: Notification) -> dict[str, Any]:
    return {
        "id": n.pk,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "url": n.url,
        "objective": n.objective.ref if n.objective else None,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@router.get("/notifications", response=ok(NotificationList), summary="List my notifications")
def list_notifications(request: HttpRequest, query: Query[NotificationQuery]) -> dict[str, Any]:
    """Your in-app notifications, oldest first by id (cursor-paginated); those about an
    objective you may no longer see are left out."""
    rows = selectors.inbox(caller(request)).select_related("objective")
    if query.unread:
        rows = rows.filter(read_at=None)
    return paged(
        rows,
        cursor=query.cursor,
        limit=query.limit,
        present=lambda page: [notification_out(n) for n in page],
    )


@router.post("/notifications/read", response=ok(ReadOut), summary="Mark notifications read")
def mark_read(request: HttpRequest, payload: ReadIn) -> dict[str, Any]:
    """`ids` (yours; an unknown id is an error naming it) or `all`; nothing is marked if
    anything is wrong."""
    if payload.all == (payload.ids is not None):
        raise ValidationError([{"loc": ("body", "ids"), "msg": "give either ids or all: true"}])
    mine = selectors.inbox(caller(request))
    if payload.ids is not None:
        found = set(mine.filter(pk__in=payload.ids).values_list("pk", flat=True))
        missing = [
            {"loc": ("body", "ids", i), "msg": "no notification of yours with this id"}
            for i, pk in enumerate(payload.ids)
            if pk not in found
        ]
        if missing:
            raise ValidationError(missing)
        mine = mine.filter(pk__in=found)
    return {"marked": mine.filter(read_at=None).update(read_at=timezone.now())}


def grid_of(request: HttpRequest) -> dict[str, Any]:
    grid: Grid = {kind: {} for kind in kinds.KINDS}
    for (kind, channel), on in preferences.chosen(caller(request)).items():
        grid[kind][channel] = on
    return {"preferences": grid}


@router.get(
    "/notifications/preferences",
    response=ok(PreferencesOut),
    summary="My notification preferences",
)
def get_preferences(request: HttpRequest) -> dict[str, Any]:
    """Every kind by every channel (in_app, email, slack, teams): on or off."""
    return grid_of(request)


@router.put(
    "/notifications/preferences",
    response=ok(PreferencesOut),
    summary="Change my notification preferences",
)
def put_preferences(request: HttpRequest, payload: PreferencesIn) -> dict[str, Any]:
    """Only the kinds and channels given change; an unknown one is an error naming it and
    nothing changes. Slack and Teams post to your teams' channels."""
    problems = [
        {
            "loc": ("body", "preferences", kind, *([channel] if kind in kinds.KINDS else [])),
            "msg": "unknown kind" if kind not in kinds.KINDS else "unknown channel",
        }
        for kind, channels in payload.preferences.items()
        for channel in channels
        if kind not in kinds.KINDS or channel not in kinds.CHANNELS
    ]
    if problems:
        raise ValidationError(problems)
    user = caller(request)
    for kind, channels in payload.preferences.items():
        for channel, on in channels.items():
            preference_set(person=user, kind=kind, channel=channel, enabled=on)
    return grid_of(request)
