"""What a report holds: one cycle's objectives and key results as plain rows, streamed.

The numbers come from the functions the JSON export uses (`selectors.objective_pace`,
`selectors.key_result_pace`, `exporter.pace_fields`, `exporter.number`), so a report and
`pacer export --format json` agree to the last digit. Who sees what is decided once, by
`selectors.objectives_for_export` (`objectives_visible_to` for a person; everything for the
operator), and a key result that follows a hidden objective shows none of the numbers it
takes from it, as in the export.

The querysets are lean (only the columns a row shows) and read with `.iterator()`, so a
report of a large organization's cycle holds one chunk of rows in memory at a time.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from pacer.accounts.models import User
from pacer.okrs import selectors
from pacer.okrs.models import Cycle, KeyResult, Objective, Organization, Team
from pacer.okrs.okrfile.exporter import number, pace_fields

CHUNK = 2000  # rows fetched at a time


@dataclass(frozen=True)
class Scope:
    """One report's question: which cycle (and team), as seen by whom, on which date.

    `viewer` None is the operator (the CLI without `--as`): the organization admin's view,
    every objective of the cycle, private ones included.
    """

    organization: Organization
    cycle: Cycle
    team: Team | None = None
    viewer: User | None = None
    as_of: date | None = None

    @property
    def on(self) -> date:
        return self.as_of or date.today()


def objectives(scope: Scope) -> QuerySet[Objective]:
    """The report's objectives: visible to the viewer, in the cycle (and team), not
    archived; by team name (objectives without a team last), then ref."""
    found = selectors.objectives_for_export(scope.organization, viewer=scope.viewer).filter(
        cycle=scope.cycle, archived_at__isnull=True
    )
    if scope.team is not None:
        found = found.filter(team=scope.team)
    return found


def count(scope: Scope) -> tuple[int, int]:
    """How many objectives and key results the report holds (its progress' total)."""
    ids = objectives(scope).values("pk")
    return objectives(scope).count(), KeyResult.objects.filter(objective_id__in=ids).count()


OBJECTIVE_COLUMNS = (
    "ref",
    "title",
    "team",
    "owner",
    "kind",
    "visibility",
    "key_results",
    "progress",
    "expected",
    "status",
    "score",
    "color",
    "final_score",
    "succeeded",
)

KEY_RESULT_COLUMNS = (
    "objective_ref",
    "objective",
    "team",
    "ref",
    "title",
    "type",
    "unit",
    "start",
    "target",
    "threshold",
    "low",
    "high",
    "weight",
    "due",
    "owner",
    "current",
    "confidence",
    "progress",
    "expected",
    "status",
    "score",
    "color",
    "final_score",
    "last_checkin_at",
)


def objective_rows(scope: Scope) -> Iterator[dict[str, Any]]:
    """One dict per objective (OBJECTIVE_COLUMNS), in the report's order."""
    bands = scope.organization.bands
    key_results = (
        KeyResult.objects.filter(objective=OuterRef("pk"))
        .values("objective")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        objectives(scope)
        .select_related("team", "owner")
        .only(
            "ref",
            "title",
            "kind",
            "visibility",
            "progress",
            "final_score",
            "score_override",
            "cycle_id",
            "team__name",
            "owner__name",
            "owner__email",
        )
        .annotate(key_result_count=Coalesce(Subquery(key_results), 0))
        .order_by(F("team__name").asc(nulls_last=True), "ref")
    )
    for objective in rows.iterator(chunk_size=CHUNK):
        objective.cycle = scope.cycle  # the one cycle: no join, no query per row
        pace = selectors.objective_pace(objective, on=scope.on, bands=bands)
        yield {
            "ref": objective.ref,
            "title": objective.title,
            "team": objective.team.name if objective.team else "",
            "owner": objective.owner.name or objective.owner.email,
            "kind": objective.kind,
            "visibility": objective.visibility,
            "key_results": objective.key_result_count,
            **pace_fields(pace, final_score=objective.final_score),
            "final_score": number(objective.final_score),
            "succeeded": pace.succeeded,
        }


def key_result_rows(scope: Scope) -> Iterator[dict[str, Any]]:
    """One dict per key result (KEY_RESULT_COLUMNS), objectives in the report's order, then
    each objective's key results in their own order. A key result that follows an objective
    the viewer may not see shows neither that objective nor the numbers it takes from it
    (only `expected`), like the export."""
    bands = scope.organization.bands
    rows = (
        selectors.with_link_visibility(
            KeyResult.objects.filter(objective_id__in=objectives(scope).values("pk")),
            scope.viewer,
        )
        .only(
            "ref",
            "title",
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
            "final_score",
            "score_override",
            "last_checkin_at",
            "linked_objective_id",
        )
        # Plain columns rather than related models: one instance a row, not four.
        .annotate(
            objective_ref=F("objective__ref"),
            objective_title=F("objective__title"),
            team_name=F("objective__team__name"),
            owner_name=F("owner__name"),
            owner_email=F("owner__email"),
        )
        .order_by(
            F("objective__team__name").asc(nulls_last=True),
            "objective__ref",
            "position",
            "id",
        )
    )
    for kr in rows.iterator(chunk_size=CHUNK):
        pace = selectors.key_result_pace(kr, scope.cycle, on=scope.on, bands=bands)
        numbers = {
            **pace_fields(pace, final_score=kr.final_score),
            "final_score": number(kr.final_score),
            "current": number(kr.current),
        }
        if selectors.follows_hidden(kr):
            numbers |= {name: None for name in numbers if name != "expected"}
        yield {
            "objective_ref": kr.objective_ref,
            "objective": kr.objective_title,
            "team": kr.team_name or "",
            "ref": kr.ref,
            "title": kr.title,
            "type": kr.type,
            "unit": kr.unit,
            "start": number(kr.start),
            "target": number(kr.target),
            "threshold": number(kr.threshold),
            "low": number(kr.low),
            "high": number(kr.high),
            "weight": number(kr.weight),
            "due": kr.due,
            "owner": kr.owner_name or kr.owner_email or "",
            **numbers,
            "confidence": kr.confidence or None,
            "last_checkin_at": kr.last_checkin_at,
        }
