"""Confidence calibration over closed cycles (okr-semantics.md, "Confidence calibration";
docs/calibration.md).

Two parts:
* the math, pure (plain values in, exact fractions out): each counted key result is a
  `Forecast` (the confidence of its last check-in before its cycle's end, and its score);
  `calibrate` gives the Brier score, the count it rests on and the reliability bins;
* the read, `calibration_of`: the key results of closed cycles a person answers for (or a
  team's), found through `objectives_visible_to(viewer)` alone, so a private objective the
  viewer may not see never counts, not even in the count.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

from django.db.models import Q

from pacer.accounts.models import User
from pacer.okrs import progress as engine
from pacer.okrs import rules
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Team
from pacer.okrs.selectors import answering, objectives_visible_to

# The probability of success each reported confidence stands for.
PROBABILITY = {
    engine.ON_TRACK: Fraction(9, 10),
    engine.AT_RISK: Fraction(1, 2),
    engine.OFF_TRACK: Fraction(1, 10),
}
# A check-in counts as "before the cycle's end" while the end date lasts somewhere on Earth:
# until 00:00 UTC the next day plus 12 hours (UTC-12, the latest time zone).
LATEST_UTC_OFFSET = timedelta(hours=12)


@dataclass(frozen=True)
class Forecast:
    """One counted key result: what was reported, and what came of it."""

    confidence: str  # one of engine.CONFIDENCES
    score: Decimal

    @property
    def probability(self) -> Fraction:
        return PROBABILITY[self.confidence]

    @property
    def outcome(self) -> int:
        """1 when the key result succeeded (score >= 0.7), else 0 (it was missed)."""
        return 0 if rules.key_result_missed(self.score) else 1


@dataclass(frozen=True)
class Bin:
    """The reliability of one probability: how often its forecasts came true."""

    probability: Fraction
    count: int
    successes: int

    @property
    def observed(self) -> Fraction | None:
        """The share of outcomes 1; None when no forecast used this probability."""
        return Fraction(self.successes, self.count) if self.count else None


@dataclass(frozen=True)
class Calibration:
    count: int
    brier: Fraction | None  # None when nothing counts
    bins: tuple[Bin, ...]  # one per probability, lowest first


def brier(forecasts: Sequence[Forecast]) -> Fraction | None:
    """The mean of (probability - outcome)^2; lower is better; None for no forecasts."""
    if not forecasts:
        return None
    total = sum((f.probability - f.outcome) ** 2 for f in forecasts)
    return Fraction(total) / len(forecasts)


def reliability(forecasts: Sequence[Forecast]) -> tuple[Bin, ...]:
    bins = []
    for probability in sorted(PROBABILITY.values()):
        used = [f for f in forecasts if f.probability == probability]
        bins.append(Bin(probability, len(used), sum(f.outcome for f in used)))
    return tuple(bins)


def calibrate(forecasts: Iterable[Forecast]) -> Calibration:
    listed = list(forecasts)
    return Calibration(count=len(listed), brier=brier(listed), bins=reliability(listed))


def as_decimal(value: Fraction | None, places: int = 3) -> Decimal | None:
    """A fraction for people, rounded half up (0.1235 -> 0.124)."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")


def cycle_cutoff(end: date) -> datetime:
    """The first moment no longer "before the cycle's end" (see LATEST_UTC_OFFSET)."""
    return datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC) + LATEST_UTC_OFFSET


def last_confidence(checkins: Iterable[tuple[datetime, int, str]], cutoff: datetime) -> str:
    """The confidence of the last check-in (latest `at`, then latest written) before the
    cutoff; "" when that check-in carries none, or there is none."""
    before = [c for c in checkins if c[0] < cutoff]
    if not before:
        return ""
    return max(before, key=lambda c: (c[0], c[1]))[2]


# --- The read ---------------------------------------------------------------------------


def of_team(team: Team) -> Q:
    """A team's key results: those of the objectives the team owns (not its sub-teams')."""
    return Q(objective__team=team)


def forecasts(viewer: User, which: Q) -> list[Forecast]:
    """The counted key results among `which`, of closed cycles, under objectives `viewer`
    may see (archived objectives left out). Two queries, whatever the number of cycles."""
    visible = objectives_visible_to(viewer).filter(
        cycle__state=Cycle.State.CLOSED, archived_at__isnull=True
    )
    counted = KeyResult.objects.filter(which, objective__in=visible)
    key_results = list(
        counted.select_related("objective__cycle").only(
            "progress", "final_score", "score_override", "objective__cycle__end"
        )
    )
    checkins: dict[int, list[tuple[datetime, int, str]]] = {kr.pk: [] for kr in key_results}
    rows = CheckIn.objects.filter(key_result__in=counted.values("pk"))
    for kr_id, at, pk, confidence in rows.values_list("key_result_id", "at", "pk", "confidence"):
        checkins[kr_id].append((at, pk, confidence))
    found = []
    for kr in key_results:
        cutoff = cycle_cutoff(kr.objective.cycle.end)
        confidence = last_confidence(checkins[kr.pk], cutoff)
        if confidence in PROBABILITY:
            found.append(Forecast(confidence=confidence, score=kr.score))
    return found


def person_calibration(viewer: User, person: User) -> Calibration:
    return calibrate(forecasts(viewer, answering(person)))


def team_calibration(viewer: User, team: Team) -> Calibration:
    return calibrate(forecasts(viewer, of_team(team)))
