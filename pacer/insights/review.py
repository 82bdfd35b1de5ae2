"""The quarterly review of one cycle (docs/review.md): scores by team, the committed
met-rate and the aspirational average, the distribution of scores, retrospectives,
carried-over objectives and why key results were missed.

The numbers are pure functions of plain values (`scores_of`, `distribution`,
`reasons_of`); `cycle_review` reads one cycle through `objectives_visible_to(viewer)`, so
an objective the viewer may not see counts nowhere, not even in a count. Archived
objectives are left out (they were withdrawn, not scored).
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from pacer.accounts.models import User
from pacer.insights.calibration import as_decimal
from pacer.okrs import progress as engine
from pacer.okrs import rules
from pacer.okrs.models import Cycle, KeyResult, Objective
from pacer.okrs.selectors import objectives_visible_to
from pacer.okrs.services import next_cycle_of

# Every score an objective can have: 0.0, 0.1, ... 1.0.
SCORE_STEPS = tuple(Decimal(n) / 10 for n in range(11))
ASPIRATIONAL_TARGET = Decimal("0.7")
NOT_GIVEN = ""


@dataclass(frozen=True)
class Scores:
    """The scores of a group of objectives (a team, or everything the viewer sees)."""

    objectives: int
    average: Fraction | None  # mean score of all of them
    committed: int
    committed_met: int  # committed objectives scoring 1.0
    aspirational: int
    aspirational_average: Fraction | None

    @property
    def met_rate(self) -> Fraction | None:
        """The share of committed objectives met (score 1.0); None without any."""
        return Fraction(self.committed_met, self.committed) if self.committed else None

    # For people: two decimals for averages, whole percents for the rate.
    @property
    def average_shown(self) -> Decimal | None:
        return as_decimal(self.average, 2)

    @property
    def met_percent(self) -> Decimal | None:
        rate = self.met_rate
        return None if rate is None else as_decimal(rate * 100, 0)

    @property
    def aspirational_average_shown(self) -> Decimal | None:
        return as_decimal(self.aspirational_average, 2)


def mean(values: Sequence[Decimal]) -> Fraction | None:
    return sum((Fraction(v) for v in values), Fraction(0)) / len(values) if values else None


def scores_of(scored: Iterable[tuple[str, Decimal]]) -> Scores:
    """Scores of (kind, score) pairs."""
    pairs = list(scored)
    committed = [score for kind, score in pairs if kind == engine.COMMITTED]
    aspirational = [score for kind, score in pairs if kind == engine.ASPIRATIONAL]
    return Scores(
        objectives=len(pairs),
        average=mean([score for _, score in pairs]),
        committed=len(committed),
        committed_met=sum(1 for score in committed if engine.succeeded(engine.COMMITTED, score)),
        aspirational=len(aspirational),
        aspirational_average=mean(aspirational),
    )


def distribution(scores: Iterable[Decimal]) -> list[tuple[Decimal, int]]:
    """How many scores fall on each step 0.0 ... 1.0 (a score is always one of them)."""
    counts = Counter(Decimal(score).quantize(engine.SCORE_QUANTUM) for score in scores)
    return [(step, counts[step]) for step in SCORE_STEPS]


@dataclass(frozen=True)
class ReasonCount:
    reason: str  # a KeyResult.MissReason value, or NOT_GIVEN
    label: str
    count: int


def reasons_of(missed_reasons: Iterable[str]) -> list[ReasonCount]:
    """How many missed key results gave each reason, in the list's order, then those that
    gave none. Every reason is listed, with 0 when none gave it."""
    counts = Counter(missed_reasons)
    rows = [ReasonCount(value, str(label), counts[value]) for value, label in MISS_CHOICES]
    rows.append(ReasonCount(NOT_GIVEN, "Not given", counts[NOT_GIVEN]))
    return rows


MISS_CHOICES = tuple(KeyResult.MissReason.choices)


# --- The read ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamScores:
    name: str  # "No team" for objectives without one
    ref: str  # "" for no team
    scores: Scores


@dataclass(frozen=True)
class MissedKeyResult:
    key_result: KeyResult
    objective: Objective


@dataclass(frozen=True)
class Review:
    cycle: Cycle
    final: bool  # the cycle is closed: its scores are frozen
    overall: Scores
    by_team: list[TeamScores]
    distribution: list[tuple[Decimal, int]]
    missed: int  # missed key results
    reasons: list[ReasonCount]
    other_notes: list[MissedKeyResult]  # missed for "other", with their notes
    retrospectives: list[Objective]
    carried_over: list[tuple[Objective, Objective]]  # (this cycle's, its copy)


NO_TEAM = "No team"


def by_team(objectives: Sequence[Objective]) -> list[TeamScores]:
    groups: dict[int | None, list[Objective]] = {}
    for objective in objectives:
        groups.setdefault(objective.team_id, []).append(objective)
    rows = [
        TeamScores(
            name=members[0].team.name if members[0].team else NO_TEAM,
            ref=members[0].team.ref if members[0].team else "",
            scores=scores_of((o.kind, o.score) for o in members),
        )
        for members in groups.values()
    ]
    return sorted(rows, key=lambda row: (row.ref == "", row.name.casefold(), row.ref))


def carried_over(
    viewer: User, cycle: Cycle, objectives: Sequence[Objective]
) -> list[tuple[Objective, Objective]]:
    """This cycle's unfinished objectives with a copy in the next cycle: an objective there
    with the same title and team (Plan next cycle and Copy keep both). Only copies the
    viewer may see count."""
    following = next_cycle_of(cycle)
    if following is None or following.pk is None:
        return []
    copies = {
        (o.title, o.team_id): o
        for o in objectives_visible_to(viewer)
        .filter(cycle=following, archived_at__isnull=True)
        .only("ref", "title", "team_id")
    }
    pairs = []
    for objective in objectives:
        copy = copies.get((objective.title, objective.team_id))
        if copy is not None and objective.unfinished:
            pairs.append((objective, copy))
    return pairs


def cycle_review(viewer: User, cycle: Cycle) -> Review:
    """The review of `cycle` as `viewer` may see it (five queries)."""
    shown = objectives_visible_to(viewer).filter(cycle=cycle, archived_at__isnull=True)
    objectives = list(shown.select_related("team", "owner").order_by("title", "pk"))
    by_pk = {o.pk: o for o in objectives}
    key_results = list(
        KeyResult.objects.filter(objective__in=shown.values("pk")).order_by(
            "objective_id", "position", "pk"
        )
    )
    missed = [kr for kr in key_results if rules.key_result_missed(kr.score)]
    return Review(
        cycle=cycle,
        final=cycle.is_closed,
        overall=scores_of((o.kind, o.score) for o in objectives),
        by_team=by_team(objectives),
        distribution=distribution(o.score for o in objectives),
        missed=len(missed),
        reasons=reasons_of(kr.miss_reason for kr in missed),
        other_notes=[
            MissedKeyResult(kr, by_pk[kr.objective_id])
            for kr in missed
            if kr.miss_reason == KeyResult.MissReason.OTHER
        ],
        retrospectives=[o for o in objectives if o.went_well or o.went_wrong or o.learned],
        carried_over=carried_over(viewer, cycle, objectives),
    )
