"""Rows shown on the pages: reads for the pages (pacer.web.selectors)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import (
    OuterRef,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from pacer.accounts.models import User
from pacer.okrs import progress as engine
from pacer.okrs.models import (
    KeyResult,
    Objective,
)
from pacer.okrs.selectors import (
    Pace,
    follows_hidden,
    key_result_pace,
    objective_pace,
    objectives_visible_to,
)
from pacer.web.selectors.constants import CONFIDENCE_RANK, KINDS


@dataclass(frozen=True)
class ObjectiveRow:
    """An objective with its pace at the page's date; `confidence` is the worst of its KRs."""

    objective: Objective
    pace: Pace

    @property
    def confidence(self) -> str:
        return getattr(self.objective, "worst_confidence", None) or ""


@dataclass(frozen=True)
class KeyResultRow:
    key_result: KeyResult
    pace: Pace

    @property
    def follows_hidden(self) -> bool:
        """It follows an objective the reader may not see: its pace is not shown."""
        return follows_hidden(self.key_result)


@dataclass(frozen=True)
class ObjectiveFilters:
    """What the person filters by; empty strings mean "any"."""

    team: str = ""
    owner: str = ""
    status: str = ""
    kind: str = ""
    q: str = ""
    forecast: str = ""  # FORECAST_MISS: forecast to miss (docs/forecast.md)

    @property
    def active(self) -> bool:
        return any((self.team, self.owner, self.status, self.kind, self.q, self.forecast))


# "Forecast to miss": objectives whose forecast is labelled unlikely (forecast_progress
# below 0.7; docs/forecast.md).
FORECAST_MISS = "miss"


def parse_filters(params: Mapping[str, str]) -> ObjectiveFilters:
    """Filters from GET parameters; unknown status or kind values are ignored.

    NUL characters are dropped: PostgreSQL refuses them in a query parameter (a 500 otherwise).
    """

    def get(name: str, default: str = "") -> str:
        return str(params.get(name, default)).replace("\x00", "")

    status = get("status", "").strip()
    kind = get("kind", "").strip()
    return ObjectiveFilters(
        team=get("team", "").strip(),
        owner=get("owner", "").strip().lower(),
        status=status if status in engine.STATUSES else "",
        kind=kind if kind in KINDS else "",
        q=get("q", "").strip()[:200],
        forecast=FORECAST_MISS if get("forecast", "").strip() == FORECAST_MISS else "",
    )


def today() -> date:
    return timezone.localdate()


def live_objectives(person: User) -> QuerySet[Objective]:
    """Visible, not archived, with what a row shows loaded and the confidence rolled up."""
    worst = (
        KeyResult.objects.filter(objective=OuterRef("pk"))
        .exclude(confidence="")
        .annotate(rank=CONFIDENCE_RANK)
        .order_by("-rank")
        .values("confidence")[:1]
    )
    return (
        objectives_visible_to(person)
        .filter(archived_at__isnull=True)
        .select_related("cycle", "owner", "team")
        .annotate(worst_confidence=Subquery(worst))
    )


def objective_rows(
    objectives: Iterable[Objective], *, on: date, bands: engine.Bands
) -> list[ObjectiveRow]:
    return [ObjectiveRow(o, objective_pace(o, on=on, bands=bands)) for o in objectives]


def key_result_rows(
    key_results: Iterable[KeyResult], *, on: date, bands: engine.Bands
) -> list[KeyResultRow]:
    """Needs `objective__cycle` loaded on each key result."""
    return [
        KeyResultRow(kr, key_result_pace(kr, kr.objective.cycle, on=on, bands=bands))
        for kr in key_results
    ]
