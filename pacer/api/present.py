"""Rows to output dicts (validated by the schemas), with the computed numbers at a date."""

from datetime import date
from typing import Any

from pacer.accounts.models import User
from pacer.okrs import selectors
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Milestone, Objective, Organization, Team
from pacer.okrs.okrfile.exporter import (
    key_result_forecast_fields,
    number,
    objective_forecast_fields,
)
from pacer.okrs.okrfile.exporter import pace_fields as export_pace_fields


def pace_fields(pace: selectors.Pace, final_score: Any) -> dict[str, Any]:
    """The export's computed fields; the API's schema always carries `final_score`."""
    return {**export_pace_fields(pace, final_score=final_score), "final_score": number(final_score)}


def objective_out(objective: Objective, *, on: date) -> dict[str, Any]:
    bands = objective.organization.bands
    pace = selectors.objective_pace(objective, on=on, bands=bands)
    links = getattr(objective, "visible_parent_links", None)
    if links is None:  # not fetched through queries.objectives
        links = list(objective.parent_links.select_related("parent"))
    return {
        **pace_fields(pace, objective.final_score),
        **objective_forecast_fields(objective),
        "ref": objective.ref,
        "title": objective.title,
        "description": objective.description,
        "cycle": objective.cycle.ref,
        "team": objective.team.ref if objective.team else None,
        "owner": objective.owner.email,
        "kind": objective.kind,
        "visibility": objective.visibility,
        "parents": sorted(link.parent.ref for link in links),
        "key_results": [kr.ref for kr in objective.key_results.all()],
        "archived_at": objective.archived_at,
        "score_override": number(objective.score_override),
        "override_reason": objective.override_reason,
        "went_well": objective.went_well,
        "went_wrong": objective.went_wrong,
        "learned": objective.learned,
        "version": selectors.version_of(objective, [link.parent_id for link in links]),
        "as_of": on,
        "created_at": objective.created_at,
        "updated_at": objective.updated_at,
    }


def milestone_out(milestone: Milestone) -> dict[str, Any]:
    return {
        "id": milestone.pk,
        "title": milestone.title,
        "weight": number(milestone.weight),
        "done": milestone.done,
        "position": milestone.position,
        "updated_at": milestone.updated_at,
    }


# What a linked key result takes from the objective it follows (null for a caller who may
# not see that objective; `expected` depends on the date alone).
FOLLOWED: tuple[str, ...] = ("progress", "status", "score", "color", "final_score", "current")
FOLLOWED += ("forecast", "forecast_progress", "forecast_label")


def key_result_out(kr: KeyResult, *, on: date) -> dict[str, Any]:
    """Needs `selectors.with_link_visibility` on the query (queries.key_results has it)."""
    objective = kr.objective
    pace = selectors.key_result_pace(kr, objective.cycle, on=on, bands=objective.organization.bands)
    hidden = selectors.follows_hidden(kr)
    linked = None if hidden else kr.linked_objective
    out = {
        **pace_fields(pace, kr.final_score),
        **key_result_forecast_fields(kr),
        "ref": kr.ref,
        "objective": objective.ref,
        "title": kr.title,
        "description": kr.description,
        "type": kr.type,
        "unit": kr.unit,
        **{
            name: number(getattr(kr, name))
            for name in ("start", "target", "threshold", "low", "high")
        },
        "linked_objective": linked.ref if linked else None,
        "weight": number(kr.weight),
        "due": kr.due,
        "owner": kr.owner.email if kr.owner else None,
        "position": kr.position,
        "current": number(kr.current),
        "confidence": kr.confidence or None,
        "last_checkin_at": kr.last_checkin_at,
        "score_override": number(kr.score_override),
        "override_reason": kr.override_reason,
        "miss_reason": kr.miss_reason or None,
        "miss_note": kr.miss_note,
        "milestones": [milestone_out(m) for m in kr.milestones.all()],
        "as_of": on,
        "created_at": kr.created_at,
        "updated_at": kr.updated_at,
    }
    return (out | dict.fromkeys(FOLLOWED)) if hidden else out


def checkin_out(checkin: CheckIn) -> dict[str, Any]:
    return {
        "id": checkin.pk,
        "key_result": checkin.key_result.ref,
        "value": number(checkin.value),
        "confidence": checkin.confidence or None,
        "note": checkin.note,
        "author": checkin.author.email if checkin.author else None,
        "at": checkin.at,
        "created_at": checkin.created_at,
    }


def cycle_out(cycle: Cycle) -> dict[str, Any]:
    fields = ("ref", "name", "start", "end", "state", "closed_at", "updated_at")
    return {name: getattr(cycle, name) for name in fields}


def team_out(team: Team) -> dict[str, Any]:
    members = [
        {"email": m.person.email, "name": m.person.name, "is_lead": m.is_lead}
        for m in team.memberships.all()
    ]
    parent = team.parent.ref if team.parent else None
    return {
        "ref": team.ref,
        "name": team.name,
        "parent": parent,
        "checkin_cadence": team.checkin_cadence,
        "members": members,
        "updated_at": team.updated_at,
    }


def person_out(person: User) -> dict[str, Any]:
    return {
        "email": person.email,
        "name": person.name,
        "role": person.role,
        "active": person.is_active,
        "teams": sorted(m.team.ref for m in person.memberships.all()),
    }


def organization_out(organization: Organization) -> dict[str, Any]:
    return {
        "name": organization.name,
        "at_risk_gap": number(organization.at_risk_gap),
        "off_track_gap": number(organization.off_track_gap),
        "checkin_cadence": organization.checkin_cadence,
        "reminder_weekday": organization.reminder_weekday,
        "reminder_time": organization.reminder_time.strftime("%H:%M"),
        "updated_at": organization.updated_at,
    }
