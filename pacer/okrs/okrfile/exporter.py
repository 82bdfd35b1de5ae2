"""`pacer export`: the OKR file (YAML), the same shape with computed fields (JSON), or CSV.

Exports read through `selectors.objectives_for_export`, so a person's export never holds
what that person may not see.
"""

import json
from collections import defaultdict
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import yaml

from pacer import csvcells
from pacer.accounts.models import User
from pacer.initiatives.models import Initiative, Task
from pacer.initiatives.selectors import by_impact, initiatives_visible_to, with_work
from pacer.okrs import progress as engine
from pacer.okrs import selectors
from pacer.okrs.models import (
    Alignment,
    CheckIn,
    Cycle,
    KeyResult,
    Membership,
    Milestone,
    Objective,
    Organization,
    Team,
)

FORMATS = ("yaml", "json", "csv")


def number(value: Decimal | None) -> int | float | None:
    """A Decimal as the plainest JSON/YAML number (90, not 90.000000)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def moment(at: datetime) -> date | str:
    """Midnight UTC reads back as a plain date; anything else as ISO 8601."""
    at = at.astimezone(UTC)
    return at.date() if at.time() == time.min else at.isoformat()


# Keys a file may leave out; the export leaves them out too when they hold these values.
KEY_RESULT_DEFAULTS: dict[str, Any] = {
    "description": "",
    "unit": "",
    "start": None,
    "target": None,
    "threshold": None,
    "low": None,
    "high": None,
    "objective": None,
    "weight": 1,
    "due": None,
    "owner": None,
    "score_override": None,
    "override_reason": "",
    "miss_reason": "",
    "miss_note": "",
}


def _compact(values: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """Leave out keys that hold their default, so files stay short and readable."""
    return {k: v for k, v in values.items() if k not in defaults or defaults[k] != v}


class Exporter:
    def __init__(
        self,
        organization: Organization,
        *,
        viewer: User | None = None,
        cycle: Cycle | None = None,
        as_of: date | None = None,
        computed: bool = False,
    ) -> None:
        self.organization = organization
        self.as_of = as_of or date.today()
        self.computed = computed
        self.viewer = viewer
        self.cycle = cycle
        objectives = selectors.objectives_for_export(organization, viewer=viewer)
        # A viewer's export names only objectives the viewer may see, even as a parent or
        # as the objective a linked key result follows.
        self.visible_ids: set[int] | None = (
            None if viewer is None else set(objectives.values_list("pk", flat=True))
        )
        if cycle is not None:
            objectives = objectives.filter(cycle=cycle)
        self.objectives = list(
            objectives.select_related("cycle", "team", "owner").order_by("cycle__start", "id")
        )

    def may_name(self, objective_id: int | None) -> bool:
        return self.visible_ids is None or objective_id in self.visible_ids

    # --- document ----------------------------------------------------------------------

    def document(self) -> dict[str, Any]:
        organization = self.organization
        document = {
            "organization": organization.name,
            "settings": {
                "at_risk_gap": number(organization.at_risk_gap),
                "off_track_gap": number(organization.off_track_gap),
            },
            "people": self.people(),
            "teams": self.teams(),
            "cycles": self.cycles(),
            "objectives": self.objective_entries(),
        }
        initiatives = self.initiative_entries()
        if initiatives:  # left out when there are none, like other empty lists
            document["initiatives"] = initiatives
        return document

    def people(self) -> list[dict[str, Any]]:
        people = User.objects.filter(organization=self.organization).order_by("email")
        return [
            _compact(
                {
                    "email": p.email,
                    "name": p.name,
                    "admin": p.is_org_admin,
                    "active": p.is_active,
                },
                {"admin": False, "active": True},
            )
            for p in people
        ]

    def teams(self) -> list[dict[str, Any]]:
        memberships = defaultdict(list)
        for m in Membership.objects.filter(team__organization=self.organization).select_related(
            "person"
        ):
            memberships[m.team_id].append(m)
        teams = Team.objects.filter(organization=self.organization).select_related("parent")
        entries = []
        for team in _parents_first(list(teams)):
            members = sorted(memberships[team.pk], key=lambda m: m.person.email)
            entries.append(
                _compact(
                    {
                        "ref": team.ref,
                        "name": team.name,
                        "parent": team.parent.ref if team.parent else None,
                        "members": [m.person.email for m in members],
                        "leads": [m.person.email for m in members if m.is_lead],
                    },
                    {"parent": None, "members": [], "leads": []},
                )
            )
        return entries

    def cycles(self) -> list[dict[str, Any]]:
        cycles = Cycle.objects.filter(organization=self.organization).order_by("start", "-end")
        return [
            {"ref": c.ref, "name": c.name, "start": c.start, "end": c.end, "state": c.state}
            for c in cycles
        ]

    def objective_entries(self) -> list[dict[str, Any]]:
        ids = [o.pk for o in self.objectives]
        parents = defaultdict(list)
        for child_id, parent_id, parent_ref in (
            Alignment.objects.filter(child_id__in=ids)
            .order_by("parent__ref")
            .values_list("child_id", "parent_id", "parent__ref")
        ):
            if self.may_name(parent_id):
                parents[child_id].append(parent_ref)
        key_results = self.key_results_by_objective(ids)
        return [self.objective_entry(o, parents[o.pk], key_results[o.pk]) for o in self.objectives]

    def objective_entry(
        self, objective: Objective, parents: list[str], key_results: list[dict[str, Any]]
    ) -> dict[str, Any]:
        entry = _compact(
            {
                "ref": objective.ref,
                "title": objective.title,
                "description": objective.description,
                "cycle": objective.cycle.ref,
                "team": objective.team.ref if objective.team else None,
                "owner": objective.owner.email,
                "kind": objective.kind,
                "visibility": objective.visibility,
                "parents": parents,
                "archived": objective.archived_at is not None,
                "score_override": number(objective.score_override),
                "override_reason": objective.override_reason,
                "went_well": objective.went_well,
                "went_wrong": objective.went_wrong,
                "learned": objective.learned,
            },
            {
                "description": "",
                "team": None,
                "parents": [],
                "archived": False,
                "score_override": None,
                "override_reason": "",
                "went_well": "",
                "went_wrong": "",
                "learned": "",
            },
        )
        if self.computed:
            pace = selectors.objective_pace(objective, on=self.as_of, bands=self.organization.bands)
            entry.update(pace_fields(pace, final_score=objective.final_score))
            entry.update(objective_forecast_fields(objective))
        entry["key_results"] = key_results
        return entry

    def key_results_by_objective(self, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        key_results = list(
            selectors.with_link_visibility(
                KeyResult.objects.filter(objective_id__in=ids), self.viewer
            )
            .select_related("linked_objective", "owner", "objective__cycle")
            .order_by("objective_id", "position", "id")
        )
        kr_ids = [kr.pk for kr in key_results]
        milestones = defaultdict(list)
        for m in Milestone.objects.filter(key_result_id__in=kr_ids).order_by("position", "id"):
            milestones[m.key_result_id].append(m)
        checkins = defaultdict(list)
        for c in (
            CheckIn.objects.filter(key_result_id__in=kr_ids)
            .select_related("author")
            .order_by("at", "id")
        ):
            checkins[c.key_result_id].append(c)
        result = defaultdict(list)
        for kr in key_results:
            result[kr.objective_id].append(
                self.key_result_entry(kr, milestones[kr.pk], checkins[kr.pk])
            )
        return result

    def key_result_entry(
        self, kr: KeyResult, milestones: list[Milestone], checkins: list[CheckIn]
    ) -> dict[str, Any]:
        entry = _compact(
            {
                "ref": kr.ref,
                "title": kr.title,
                "description": kr.description,
                "type": kr.type,
                "unit": kr.unit,
                "start": number(kr.start),
                "target": number(kr.target),
                "threshold": number(kr.threshold),
                "low": number(kr.low),
                "high": number(kr.high),
                "objective": kr.linked_objective.ref
                if kr.linked_objective and not selectors.follows_hidden(kr)
                else None,
                "weight": number(kr.weight),
                "due": kr.due,
                "owner": kr.owner.email if kr.owner else None,
                "score_override": number(kr.score_override),
                "override_reason": kr.override_reason,
                "miss_reason": kr.miss_reason,
                "miss_note": kr.miss_note,
            },
            KEY_RESULT_DEFAULTS,
        )
        if milestones:
            entry["milestones"] = [
                _compact(
                    {"title": m.title, "weight": number(m.weight), "done": m.done},
                    {"weight": 1, "done": False},
                )
                for m in milestones
            ]
        if self.computed:
            entry.update(self.key_result_numbers(kr))
            entry["confidence"] = kr.confidence or None
        if checkins:
            entry["checkins"] = [_checkin_entry(c) for c in checkins]
        return entry

    def key_result_numbers(self, kr: KeyResult) -> dict[str, Any]:
        """Computed numbers; for a key result that follows an objective the viewer may not
        see, none of those it takes from that objective (only `expected` is left)."""
        pace = selectors.key_result_pace(
            kr, kr.objective.cycle, on=self.as_of, bands=self.organization.bands
        )
        numbers = {
            **pace_fields(pace, final_score=kr.final_score),
            "current": number(kr.current),
            **key_result_forecast_fields(kr),
        }
        if selectors.follows_hidden(kr):
            numbers |= {name: None for name in numbers if name != "expected"}
        return numbers

    def initiative_entries(self) -> list[dict[str, Any]]:
        """The initiatives the viewer may see (initiatives_visible_to), by cycle then ref;
        JSON adds each one's `progress` q and `impact` as the work lists compute them."""
        rows = Initiative.objects.filter(organization=self.organization)
        if self.viewer is not None:
            rows = rows.filter(pk__in=initiatives_visible_to(self.viewer))
        if self.cycle is not None:
            rows = rows.filter(cycle=self.cycle)
        initiatives = list(
            with_work(rows).order_by("cycle__start", "-cycle__end", "cycle__ref", "ref")
        )
        impacts = {}
        if self.computed:
            impacts = {w.initiative.pk: w.impact for w in by_impact(initiatives, self.as_of)}
        return [self.initiative_entry(i, impacts.get(i.pk)) for i in initiatives]

    def initiative_entry(self, initiative: Initiative, impact: Decimal | None) -> dict[str, Any]:
        entry = _compact(
            {
                "ref": initiative.ref,
                "title": initiative.title,
                "description": initiative.description,
                "cycle": initiative.cycle.ref,
                "team": initiative.team.ref if initiative.team else None,
                "owner": initiative.owner.email,
                "status": initiative.status,
                "start": initiative.start,
                "due": initiative.due,
                "link": initiative.link_url,
                "key_results": sorted(kr.ref for kr in initiative.key_results.all()),
            },
            {
                "description": "",
                "team": None,
                "start": None,
                "due": None,
                "link": "",
                "key_results": [],
            },
        )
        if self.computed:
            entry["progress"] = number(initiative.progress)
            entry["impact"] = number(impact)
        tasks = [_task_entry(task) for task in initiative.tasks.all()]
        if tasks:
            entry["tasks"] = tasks
        return entry

    # --- formats -----------------------------------------------------------------------

    def to_yaml(self) -> str:
        return yaml.dump(
            self.document(),
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=False,
            width=100,
        )

    def to_json(self) -> str:
        return json.dumps(self.document(), indent=2, ensure_ascii=False, default=_json_default)

    def to_csv(self, table: str = "key_results") -> str:
        """One table per file (CSV_TABLES): key results (the default), initiatives, tasks."""
        if table == "initiatives":
            initiatives = self.initiative_entries()
            return csvcells.to_csv(INITIATIVE_COLUMNS, map(_initiative_row, initiatives))
        if table == "tasks":
            rows = (
                _task_row(initiative, position, task)
                for initiative in self.initiative_entries()
                for position, task in enumerate(initiative.get("tasks", []))
            )
            return csvcells.to_csv(TASK_COLUMNS, rows)
        objectives = self.document()["objectives"]
        rows = (
            _csv_row(objective, kr) for objective in objectives for kr in objective["key_results"]
        )
        return csvcells.to_csv(CSV_COLUMNS, rows)


CSV_COLUMNS = [
    "cycle",
    "objective_ref",
    "objective",
    "team",
    "owner",
    "kind",
    "visibility",
    "objective_progress",
    "objective_status",
    "objective_score",
    "key_result_ref",
    "key_result",
    "type",
    "unit",
    "start",
    "target",
    "threshold",
    "low",
    "high",
    "weight",
    "due",
    "current",
    "confidence",
    "progress",
    "expected",
    "status",
    "score",
    "color",
    "last_checkin_at",
]


def _csv_row(objective: dict[str, Any], kr: dict[str, Any]) -> list[Any]:
    last = kr.get("checkins", [{}])[-1].get("at", "")
    values = {
        "cycle": objective["cycle"],
        "objective_ref": objective["ref"],
        "objective": objective["title"],
        "team": objective.get("team", ""),
        "owner": objective["owner"],
        "kind": objective["kind"],
        "visibility": objective["visibility"],
        "objective_progress": objective["progress"],
        "objective_status": objective["status"],
        "objective_score": objective["score"],
        "key_result_ref": kr["ref"],
        "key_result": kr["title"],
        "last_checkin_at": last,
        **{k: {**KEY_RESULT_DEFAULTS, **kr}.get(k, "") for k in CSV_COLUMNS[12:28]},
    }
    return [values[column] for column in CSV_COLUMNS]


CSV_TABLES = ("key_results", "initiatives", "tasks")
INITIATIVE_COLUMNS = [
    "cycle",
    "initiative_ref",
    "initiative",
    "team",
    "owner",
    "status",
    "start",
    "due",
    "link",
    "key_results",
    "tasks",
    "tasks_done",
    "progress",
    "impact",
]
TASK_COLUMNS = [
    "cycle",
    "initiative_ref",
    "initiative",
    "position",
    "task",
    "done",
    "assignee",
    "due",
]


def _initiative_row(initiative: dict[str, Any]) -> list[Any]:
    tasks = initiative.get("tasks", [])
    values = {
        **initiative,
        "initiative_ref": initiative["ref"],
        "initiative": initiative["title"],
        "key_results": " ".join(initiative.get("key_results", [])),
        "tasks": len(tasks),
        "tasks_done": sum(1 for task in tasks if task.get("done")),
    }
    return [values.get(column) for column in INITIATIVE_COLUMNS]


def _task_row(initiative: dict[str, Any], position: int, task: dict[str, Any]) -> list[Any]:
    values = {
        **task,
        "cycle": initiative["cycle"],
        "initiative_ref": initiative["ref"],
        "initiative": initiative["title"],
        "position": position,
        "task": task["title"],
        "done": "true" if task.get("done") else "false",
    }
    return [values.get(column) for column in TASK_COLUMNS]


def pace_fields(pace: selectors.Pace, *, final_score: Decimal | None) -> dict[str, Any]:
    """Computed numbers; in a closed cycle also the score frozen at close (`final_score`),
    which an override (`score_override`, then shown as `score`) never replaces."""
    fields = {
        "progress": number(pace.progress),
        "expected": number(pace.expected),
        "status": pace.status,
        "score": number(pace.score),
        "color": pace.color,
    }
    if final_score is not None:
        fields["final_score"] = number(final_score)
    return fields


def key_result_forecast_fields(kr: KeyResult) -> dict[str, Any]:
    """The stored forecast (docs/forecast.md): the value at the window's end (metric key
    results with a forecast), its progress and its label (none for a metric without one)."""
    label = engine.key_result_forecast_label(kr.type, kr.forecast, kr.forecast_progress)
    return {
        "forecast": number(kr.forecast),
        "forecast_progress": number(kr.forecast_progress),
        "forecast_label": label,
    }


def objective_forecast_fields(objective: Objective) -> dict[str, Any]:
    return {
        "forecast_progress": number(objective.forecast_progress),
        "forecast_label": engine.forecast_label(objective.forecast_progress),
    }


def _task_entry(task: Task) -> dict[str, Any]:
    return _compact(
        {
            "title": task.title,
            "done": task.done,
            "assignee": task.assignee.email if task.assignee else None,
            "due": task.due,
        },
        {"done": False, "assignee": None, "due": None},
    )


def _checkin_entry(checkin: CheckIn) -> dict[str, Any]:
    return _compact(
        {
            "at": moment(checkin.at),
            "value": number(checkin.value),
            "confidence": checkin.confidence or None,
            "note": checkin.note,
            "by": checkin.author.email if checkin.author else None,
        },
        {"value": None, "confidence": None, "note": "", "by": None},
    )


def _parents_first(teams: list[Team]) -> list[Team]:
    """Order teams so that each parent precedes its children, then by ref."""
    by_parent: dict[int | None, list[Team]] = defaultdict(list)
    for team in teams:
        by_parent[team.parent_id].append(team)
    ordered: list[Team] = []
    pending = sorted(by_parent[None], key=lambda t: t.ref, reverse=True)
    while pending:
        team = pending.pop()
        ordered.append(team)
        pending.extend(sorted(by_parent[team.pk], key=lambda t: t.ref, reverse=True))
    return ordered


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return number(value)
    raise TypeError(f"cannot export {type(value).__name__}")


class _Dumper(yaml.SafeDumper):
    """Flow style for short flat mappings (check-ins, milestones), block style elsewhere."""


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    flat = all(not isinstance(v, dict | list) for v in data.values())
    short = len(str(data)) < 100
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flat and short)


_Dumper.add_representer(dict, _represent_dict)
