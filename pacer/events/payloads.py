"""What an event tells its receivers: snapshots as JSON (docs/webhooks.md, "Payloads").

Numbers are strings as in the API's exports (exact decimals); links are absolute, from
PACER_BASE_URL, so a mail or a Slack message can point back at Pacer.
"""

from typing import Any

from django.conf import settings
from django.urls import reverse

from pacer.okrs.models import CheckIn, Comment, Cycle, KeyResult, Objective


def link(name: str, *args: Any) -> str:
    return settings.PACER_BASE_URL + reverse(name, args=args)


def number(value: Any) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def objective_data(objective: Objective, *, status: str = "") -> dict[str, Any]:
    data = {
        "ref": objective.ref,
        "title": objective.title,
        "url": link("objective_detail", objective.ref),
        "cycle": objective.cycle.ref,
        "owner": objective.owner.email if objective.owner_id else None,
        "team": objective.team.ref if objective.team_id and objective.team else None,
        "visibility": objective.visibility,
        "progress": number(objective.progress),
    }
    if status:
        data["status"] = status
    return data


def key_result_data(kr: KeyResult, *, status: str = "") -> dict[str, Any]:
    data = {
        "ref": kr.ref,
        "title": kr.title,
        "type": kr.type,
        "owner": kr.owner.email if kr.owner_id and kr.owner else None,
        "progress": number(kr.progress),
    }
    if status:
        data["status"] = status
    return data


def checkin_data(checkin: CheckIn) -> dict[str, Any]:
    return {
        "id": checkin.pk,
        "value": number(checkin.value),
        "confidence": checkin.confidence or None,
        "note": checkin.note,
        "at": checkin.at.isoformat(),
        "author": checkin.author.email if checkin.author_id and checkin.author else None,
    }


def cycle_data(cycle: Cycle) -> dict[str, Any]:
    return {
        "ref": cycle.ref,
        "name": cycle.name,
        "start": cycle.start.isoformat(),
        "end": cycle.end.isoformat(),
        "url": link("cycle_overview", cycle.ref),
    }


def comment_data(comment: Comment, mentions: list[str]) -> dict[str, Any]:
    """A comment as comment.created tells it; `mentions`: the emails it mentions (passed in,
    so the snapshot costs no query)."""
    return {
        "id": comment.pk,
        "body": comment.body,
        "author": comment.author.email,
        "mentions": mentions,
        "created_at": comment.created_at.isoformat(),
    }
