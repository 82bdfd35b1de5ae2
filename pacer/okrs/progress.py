"""The progress engine: pure functions over plain values, no ORM.

Every number Pacer shows comes from here and follows ../shared/okr-semantics.md (mirrored in
docs/semantics.md). Values are Decimals so that scores round exactly (0.65 -> 0.7).
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

ZERO = Decimal(0)
ONE = Decimal(1)
# Stored progress keeps 12 decimal places; every level of the roll-up reads stored values,
# so a fresh computation reproduces what is stored digit for digit.
PROGRESS_QUANTUM = Decimal("1e-12")
SCORE_QUANTUM = Decimal("0.1")

METRIC = "metric"
BOOLEAN = "boolean"
MILESTONES = "milestones"
STAY_ABOVE = "stay_above"
STAY_BELOW = "stay_below"
RANGE = "range"
LINKED = "linked"
INITIATIVES = "initiatives"
KR_TYPES = (METRIC, BOOLEAN, MILESTONES, STAY_ABOVE, STAY_BELOW, RANGE, LINKED, INITIATIVES)
HEALTH_TYPES = (STAY_ABOVE, STAY_BELOW, RANGE)
# Types whose status follows the gap between expected and actual progress.
PACED_TYPES = (METRIC, MILESTONES, LINKED, INITIATIVES)
# Types whose progress is derived (milestones done, the followed objective, the work under
# it): no check-in value.
DERIVED_TYPES = (MILESTONES, LINKED, INITIATIVES)
# Types that keep a current value from check-ins.
VALUE_TYPES = tuple(t for t in KR_TYPES if t not in DERIVED_TYPES)

DONE = "done"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
STATUSES = (DONE, ON_TRACK, AT_RISK, OFF_TRACK)
CONFIDENCES = (ON_TRACK, AT_RISK, OFF_TRACK)

RED = "red"
YELLOW = "yellow"
GREEN = "green"

COMMITTED = "committed"
ASPIRATIONAL = "aspirational"
OBJECTIVE_KINDS = (COMMITTED, ASPIRATIONAL)

PUBLIC = "public"
PRIVATE = "private"
VISIBILITIES = (PUBLIC, PRIVATE)

# The default status bands (an organization may change them).
DEFAULT_AT_RISK_GAP = Decimal("0.10")
DEFAULT_OFF_TRACK_GAP = Decimal("0.25")


@dataclass(frozen=True)
class Bands:
    """The organization's two band limits for the gap g = expected - progress."""

    at_risk_gap: Decimal = DEFAULT_AT_RISK_GAP
    off_track_gap: Decimal = DEFAULT_OFF_TRACK_GAP


@dataclass(frozen=True)
class Milestone:
    weight: Decimal
    done: bool


@dataclass(frozen=True)
class KeyResultFacts:
    """What a key result's progress depends on. `current` is None before any check-in."""

    type: str
    current: Decimal | None = None
    start: Decimal | None = None
    target: Decimal | None = None
    threshold: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    milestones: tuple[Milestone, ...] = field(default_factory=tuple)
    linked_progress: Decimal | None = None
    initiatives_progress: Decimal | None = None  # type `initiatives`: the mean q


def clamp(value: Decimal, low: Decimal = ZERO, high: Decimal = ONE) -> Decimal:
    return max(low, min(high, value))


def quantize_progress(value: Decimal) -> Decimal:
    return value.quantize(PROGRESS_QUANTUM)


def metric_progress(current: Decimal | None, start: Decimal, target: Decimal) -> Decimal:
    """Share of the way from start to target; decreasing metrics (target < start) work as is."""
    if current is None or start == target:
        return ZERO
    return clamp((current - start) / (target - start))


def milestones_progress(milestones: Iterable[Milestone]) -> Decimal:
    milestones = list(milestones)
    total = sum((m.weight for m in milestones), ZERO)
    if total <= 0:
        return ZERO
    return clamp(sum((m.weight for m in milestones if m.done), ZERO) / total)


def health_satisfied(facts: KeyResultFacts) -> bool | None:
    """Whether a stay_above/stay_below/range KR holds now; None before its first check-in."""
    current = facts.current
    if current is None:
        return None
    if facts.type == STAY_ABOVE:
        return facts.threshold is not None and current >= facts.threshold
    if facts.type == STAY_BELOW:
        return facts.threshold is not None and current <= facts.threshold
    if facts.low is None or facts.high is None:
        return False
    return facts.low <= current <= facts.high


def key_result_progress(facts: KeyResultFacts) -> Decimal:
    """p within 0..1, exact (not yet quantized for storage)."""
    if facts.type == METRIC:
        if facts.start is None or facts.target is None:
            return ZERO
        return metric_progress(facts.current, facts.start, facts.target)
    if facts.type == BOOLEAN:
        return ONE if facts.current == ONE else ZERO
    if facts.type == MILESTONES:
        return milestones_progress(facts.milestones)
    if facts.type in HEALTH_TYPES:
        return ONE if health_satisfied(facts) else ZERO
    if facts.type == LINKED:
        return clamp(facts.linked_progress or ZERO)
    if facts.type == INITIATIVES:
        return clamp(facts.initiatives_progress or ZERO)
    raise ValueError(f"unknown key result type {facts.type!r}")


def objective_progress(weighted: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """P = sum(weight * p) / sum(weight) over (weight, p) pairs; 0 without weight."""
    pairs = list(weighted)
    total = sum((weight for weight, _ in pairs), ZERO)
    if total <= 0:
        return ZERO
    return sum((weight * p for weight, p in pairs), ZERO) / total


def expected_progress(on: date, window_start: date, window_end: date) -> Decimal:
    """Linear pace: the share of the window elapsed at `on`, within 0..1.

    A one-day window (start == end) is fully expected from its start on.
    """
    length = (window_end - window_start).days
    if length <= 0:
        return ONE if on >= window_start else ZERO
    return clamp(Decimal((on - window_start).days) / Decimal(length))


def paced_status(progress: Decimal, expected: Decimal, bands: Bands) -> str:
    """Status of objectives and metric/milestones/linked KRs from the gap g = e - p."""
    if progress >= ONE:
        return DONE
    gap = expected - progress
    if gap <= bands.at_risk_gap:
        return ON_TRACK
    if gap <= bands.off_track_gap:
        return AT_RISK
    return OFF_TRACK


def key_result_status(
    facts: KeyResultFacts,
    progress: Decimal,
    *,
    on: date,
    window_start: date,
    window_end: date,
    bands: Bands,
) -> str:
    if facts.type == BOOLEAN:
        if progress >= ONE:
            return DONE
        # The window is over once `on` reaches its end date (expected progress is 1 there).
        return ON_TRACK if on < window_end else OFF_TRACK
    if facts.type in HEALTH_TYPES:
        return OFF_TRACK if health_satisfied(facts) is False else ON_TRACK
    expected = expected_progress(on, window_start, window_end)
    return paced_status(progress, expected, bands)


# How computed status and reported confidence can disagree (None: they agree).
AHEAD_OF_CONFIDENCE = "ahead_of_confidence"  # on pace, yet someone reported low confidence
BEHIND_CONFIDENCE = "behind_confidence"  # behind pace, yet someone reported on track


def confidence_disagreement(status: str, confidence: str) -> str | None:
    """Whether the computed status and the last reported confidence tell different stories.

    They disagree when one says "on track" and the other "at risk" or "off track": status
    on track with confidence at risk or off track is AHEAD_OF_CONFIDENCE; status at risk or
    off track with confidence on track is BEHIND_CONFIDENCE. At risk against off track is
    the same story told more or less sharply; a done result or no confidence reported
    disagrees with nothing.
    """
    worried = (AT_RISK, OFF_TRACK)
    if status == ON_TRACK and confidence in worried:
        return AHEAD_OF_CONFIDENCE
    if status in worried and confidence == ON_TRACK:
        return BEHIND_CONFIDENCE
    return None


def score(progress: Decimal) -> Decimal:
    """Google's 0.0-1.0 grade: progress rounded half up to one decimal (0.65 -> 0.7)."""
    return clamp(progress).quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP)


def color(grade: Decimal) -> str:
    """red for 0.0-0.3, yellow for 0.4-0.6, green for 0.7-1.0."""
    if grade < Decimal("0.35"):
        return RED
    if grade < Decimal("0.65"):
        return YELLOW
    return GREEN


def succeeded(kind: str, grade: Decimal) -> bool:
    """A committed objective is met at 1.0, an aspirational one at 0.7 or more."""
    if kind == COMMITTED:
        return grade >= ONE
    return grade >= Decimal("0.7")


# --- Initiatives (okr-semantics.md, "Initiatives") -------------------------------------

PLANNED = "planned"
IN_PROGRESS = "in_progress"
BLOCKED = "blocked"
CANCELLED = "cancelled"
INITIATIVE_STATUSES = (PLANNED, IN_PROGRESS, BLOCKED, DONE, CANCELLED)
# Finished work moves no goal any more: it has no impact.
CLOSED_INITIATIVE_STATUSES = (DONE, CANCELLED)


@dataclass(frozen=True)
class InitiativeFacts:
    """What an initiative's progress q depends on. `synced` holds (open, closed) from the
    last successful sync of its external link, None before any (or without a link)."""

    status: str
    tasks_done: int = 0
    tasks_total: int = 0
    has_link: bool = False
    synced: tuple[int, int] | None = None


def initiative_progress(facts: InitiativeFacts) -> Decimal:
    """q: the share of tasks done; else of linked issues closed; else 1 when done."""
    if facts.tasks_total > 0:
        return Decimal(facts.tasks_done) / Decimal(facts.tasks_total)
    if facts.has_link:
        if facts.synced is None:
            return ZERO
        open_, closed = facts.synced
        return Decimal(closed) / Decimal(open_ + closed) if open_ + closed > 0 else ZERO
    return ONE if facts.status == DONE else ZERO


def mean_initiative_progress(initiatives: Iterable[tuple[str, Decimal]]) -> Decimal:
    """p of a key result of type `initiatives` from its initiatives' (status, q): the mean
    q of those not cancelled, 0 when there are none."""
    counted = [q for status, q in initiatives if status != CANCELLED]
    if not counted:
        return ZERO
    return sum(counted, ZERO) / Decimal(len(counted))


@dataclass(frozen=True)
class Supported:
    """A key result k an initiative supports: its weight w_k, the sum W_k of the weights
    of k's objective's key results, and its progress p_k."""

    weight: Decimal
    objective_weight: Decimal
    progress: Decimal


def impact(status: str, supported: Iterable[Supported]) -> Decimal:
    """How much of its goals an open initiative can still move: the sum over the key results
    it supports of (w_k / W_k) * (1 - p_k); 0 for done or cancelled work."""
    if status in CLOSED_INITIATIVE_STATUSES:
        return ZERO
    return sum(
        (
            k.weight / k.objective_weight * (ONE - clamp(k.progress))
            for k in supported
            if k.objective_weight > 0
        ),
        ZERO,
    )


# Impacts are compared rounded to this many places: the database sorts the Work page by
# impact computed in floating point on SQLite, and two impacts equal in exact arithmetic
# (0.1 + 0.2 and 0.3) must tie there as here so that due and title decide between them.
IMPACT_ORDER_PLACES = 9
IMPACT_ORDER_QUANTUM = Decimal(1).scaleb(-IMPACT_ORDER_PLACES)


def impact_rank(impact_value: Decimal) -> Decimal:
    """An impact as lists order by it (and as initiatives store it): to IMPACT_ORDER_PLACES."""
    return impact_value.quantize(IMPACT_ORDER_QUANTUM, rounding=ROUND_HALF_UP)


def work_order(
    impact_value: Decimal, due: date | None, title: str
) -> tuple[Decimal, int, date, str]:
    """Sort key for lists of work: impact (to IMPACT_ORDER_PLACES), highest first; then due,
    earliest first and none last; then title."""
    return (-impact_rank(impact_value), due is None, due or date.min, title.casefold())


# --- Forecast (okr-semantics.md, "Forecast") --------------------------------------------

LIKELY = "likely"
POSSIBLE = "possible"
UNLIKELY = "unlikely"
FORECAST_LABELS = (LIKELY, POSSIBLE, UNLIKELY)
POSSIBLE_FROM = Decimal("0.7")
# A stored forecast keeps 6 decimal places within 18 integer digits (DecimalField 24, 6):
# a line extrapolated from two close check-ins can run far beyond any stored value, so the
# forecast is held at the largest value the column takes (its progress is clamped anyway).
FORECAST_PLACES = 6
FORECAST_LIMIT = Decimal(10) ** 18 - Decimal(1).scaleb(-FORECAST_PLACES)
PROGRESS_PLACES = 12
SECONDS_A_DAY = 86_400


@dataclass(frozen=True)
class Forecast:
    """A key result's forecast as stored: `value` the metric's value at the window's end (6
    places; None for other types and for a metric without two distinct times), `progress`
    its progress (12 places; a KR without a forecast value: its current progress)."""

    value: Decimal | None
    progress: Decimal


def days_since(origin: datetime, moment: datetime) -> Fraction:
    """The time from `origin` to `moment` in days, exact to the whole second: a JSON backup
    keeps times to the millisecond, and a forecast extrapolated from two close check-ins moved
    with the dropped microseconds (its restore failed `recompute --check`)."""
    return Fraction(seconds_since(origin, moment), SECONDS_A_DAY)


def seconds_since(origin: datetime, moment: datetime) -> int:
    """The time from `origin` to `moment` in whole seconds (rounded down, as `days_since`)."""
    return (moment - origin) // timedelta(seconds=1)


def least_squares_at(points: Sequence[tuple[Fraction, Fraction]], t: Fraction) -> Fraction | None:
    """Ordinary least squares `value = a + b·t` through `points`, evaluated at `t`, exactly;
    None with fewer than two distinct times (no line is determined).

    The sums run over integers (each coordinate scaled by the common denominator of its
    kind): a key result's every check-in is read on each write, and Fraction arithmetic per
    point made 8,000 check-ins on a few key results quadratic in Fractions (minutes)."""
    if not points:
        return None
    x_scale = math.lcm(*(x.denominator for x, _ in points))
    y_scale = math.lcm(*(y.denominator for _, y in points))
    xs = [x.numerator * (x_scale // x.denominator) for x, _ in points]
    ys = [y.numerator * (y_scale // y.denominator) for _, y in points]
    return scaled_line_at(xs, x_scale, ys, y_scale, t)


def scaled_line_at(
    xs: Sequence[int], x_scale: int, ys: Sequence[int], y_scale: int, t: Fraction
) -> Fraction | None:
    """`least_squares_at` over points given as integers: (xs[i] / x_scale, ys[i] / y_scale)."""
    n, sum_x, sum_y = len(xs), sum(xs), sum(ys)
    spread = n * sum(x * x for x in xs) - sum_x * sum_x
    if spread == 0:
        return None
    covariance = n * sum(x * y for x, y in zip(xs, ys, strict=True)) - sum_x * sum_y
    slope = Fraction(covariance * x_scale, spread * y_scale)
    mean_x, mean_y = Fraction(sum_x, n * x_scale), Fraction(sum_y, n * y_scale)
    return mean_y + slope * (t - mean_x)


def metric_forecast(
    start: Decimal, readings: Iterable[tuple[Fraction, Decimal]], horizon: Fraction
) -> Fraction | None:
    """The contract's forecast of a metric: the least-squares line through (0, start) and
    every reading (t days after the window's start, value) inside the window, 0 <= t <
    horizon (the window ends `horizon` days after its start, as the next day begins),
    evaluated at the window's end; None without two distinct times."""
    points = [(Fraction(0), Fraction(start))]
    points += [(t, Fraction(value)) for t, value in readings if 0 <= t < horizon]
    return least_squares_at(points, horizon)


def metric_forecast_by_seconds(
    start: Decimal, readings: Iterable[tuple[int, Decimal]], horizon: Fraction
) -> Fraction | None:
    """`metric_forecast` with each reading's time in whole seconds after the window's start
    (`seconds_since`): the same exact line, built from integers without a Fraction per
    reading. A key result's every check-in is read on each of its writes, inside the write
    lock: for 4,000 check-ins the Fractions took 22 ms a write."""
    ends_at = horizon * SECONDS_A_DAY  # in seconds; a reading counts while 0 <= s < ends_at
    kept = [(s, v) for s, v in readings if s >= 0 and s * ends_at.denominator < ends_at.numerator]
    ratios = [start.as_integer_ratio(), *(value.as_integer_ratio() for _, value in kept)]
    y_scale = math.lcm(*(denominator for _, denominator in ratios))
    ys = [numerator * (y_scale // denominator) for numerator, denominator in ratios]
    xs = [0, *(s for s, _ in kept)]
    return scaled_line_at(xs, SECONDS_A_DAY, ys, y_scale, horizon)


def key_result_forecast(
    type: str,
    *,
    progress: Decimal,
    forecast: Fraction | None,
    start: Decimal | None = None,
    target: Decimal | None = None,
) -> Forecast:
    """What a key result stores: a metric with a forecast value gets that value and its
    metric progress (clamped to 0..1); every other key result (and a metric without a
    forecast) has `forecast_progress` = its current `progress`."""
    if type != METRIC or forecast is None or start is None or target is None:
        return Forecast(value=None, progress=progress)
    share = Fraction(0)
    if start != target:
        share = (forecast - Fraction(start)) / Fraction(target - start)
        share = min(max(share, Fraction(0)), Fraction(1))
    limit = Fraction(FORECAST_LIMIT)
    value = _rounded(min(max(forecast, -limit), limit), FORECAST_PLACES)
    return Forecast(value=value, progress=_rounded(share, PROGRESS_PLACES))


def objective_forecast_progress(weighted: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """The weighted mean of the key results' forecast_progress over (weight, forecast
    progress) pairs, with the weights of progress (0 without weight), stored to 12 places."""
    return quantize_progress(objective_progress(weighted))


def forecast_label(forecast_progress: Decimal | None) -> str | None:
    """likely at 1, possible from 0.7, unlikely below; None without a forecast."""
    if forecast_progress is None:
        return None
    if forecast_progress >= ONE:
        return LIKELY
    if forecast_progress >= POSSIBLE_FROM:
        return POSSIBLE
    return UNLIKELY


def key_result_forecast_label(
    type: str, forecast: Decimal | None, forecast_progress: Decimal | None
) -> str | None:
    """A key result's label; none for a metric without a forecast value (fewer than two
    distinct times: its forecast_progress is only its current progress)."""
    if type == METRIC and forecast is None:
        return None
    return forecast_label(forecast_progress)


def _rounded(value: Fraction, places: int) -> Decimal:
    """`value` to `places` decimal places, half to even (as Decimal.quantize rounds)."""
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(round(value * 10**places)) * quantum).quantize(quantum)
