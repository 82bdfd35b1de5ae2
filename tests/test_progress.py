"""Tests of the pure progress engine (pacer/okrs/progress.py) against the contract.

Every expectation below is taken from /work/shared/okr-semantics.md ("the contract"). The
engine is pure Python over Decimals, so nothing here touches the database.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pacer.okrs import progress as engine
from pacer.okrs.progress import (
    ASPIRATIONAL,
    AT_RISK,
    BOOLEAN,
    COMMITTED,
    DONE,
    GREEN,
    HEALTH_TYPES,
    INITIATIVES,
    KR_TYPES,
    LINKED,
    METRIC,
    MILESTONES,
    OFF_TRACK,
    ON_TRACK,
    PACED_TYPES,
    RANGE,
    RED,
    STAY_ABOVE,
    STAY_BELOW,
    YELLOW,
    Bands,
    KeyResultFacts,
    Milestone,
    color,
    expected_progress,
    key_result_progress,
    key_result_status,
    metric_progress,
    objective_progress,
    paced_status,
    score,
    succeeded,
)

D = Decimal
ZERO = D(0)
ONE = D(1)
TINY = D("1e-12")
DEFAULT_BANDS = Bands()
CUSTOM_BANDS = Bands(at_risk_gap=D("0.05"), off_track_gap=D("0.20"))

# A 30-day window: 2027-04-01 .. 2027-05-01. Day n of the window gives e = n / 30 exactly
# for n = 0, 3, 6, 12, 15, 30 (0, 0.1, 0.2, 0.4, 0.5, 1).
W_START = date(2027, 4, 1)
W_END = date(2027, 5, 1)
W_MID = date(2027, 4, 16)  # e = 0.5


def day(n: int) -> date:
    return W_START + timedelta(days=n)


# --- fact builders -------------------------------------------------------------------------


def metric(current, start, target) -> KeyResultFacts:
    return KeyResultFacts(
        type=METRIC,
        current=None if current is None else D(current),
        start=D(start),
        target=D(target),
    )


def boolean(current) -> KeyResultFacts:
    return KeyResultFacts(type=BOOLEAN, current=None if current is None else D(current))


def milestones(*items: tuple[str, bool]) -> KeyResultFacts:
    return KeyResultFacts(
        type=MILESTONES,
        milestones=tuple(Milestone(weight=D(w), done=done) for w, done in items),
    )


def stay_above(current, threshold) -> KeyResultFacts:
    return KeyResultFacts(
        type=STAY_ABOVE,
        current=None if current is None else D(current),
        threshold=D(threshold),
    )


def stay_below(current, threshold) -> KeyResultFacts:
    return KeyResultFacts(
        type=STAY_BELOW,
        current=None if current is None else D(current),
        threshold=D(threshold),
    )


def in_range(current, low, high) -> KeyResultFacts:
    return KeyResultFacts(
        type=RANGE,
        current=None if current is None else D(current),
        low=D(low),
        high=D(high),
    )


def linked(p) -> KeyResultFacts:
    return KeyResultFacts(type=LINKED, linked_progress=None if p is None else D(p))


def work(q) -> KeyResultFacts:
    """A key result of type initiatives whose initiatives' mean progress is q."""
    return KeyResultFacts(type=INITIATIVES, initiatives_progress=None if q is None else D(q))


def status(facts: KeyResultFacts, on: date, bands: Bands = DEFAULT_BANDS) -> str:
    return key_result_status(
        facts,
        key_result_progress(facts),
        on=on,
        window_start=W_START,
        window_end=W_END,
        bands=bands,
    )


# ===========================================================================================
# 1. Worked examples, taken literally from the contract
# ===========================================================================================

PROGRESS_EXAMPLES = [
    # metric, increasing (tool adoption 0 -> 90 %)
    pytest.param(metric("45", "0", "90"), D("0.5"), id="metric-inc-halfway"),
    pytest.param(metric("0", "0", "90"), ZERO, id="metric-inc-at-start"),
    pytest.param(metric("90", "0", "90"), ONE, id="metric-inc-at-target"),
    pytest.param(metric("22.5", "0", "90"), D("0.25"), id="metric-inc-quarter"),
    pytest.param(metric("85", "80", "90"), D("0.5"), id="metric-inc-nonzero-start"),
    pytest.param(metric("1", "0", "2"), D("0.5"), id="metric-count-1-of-2-programmes"),
    pytest.param(metric("0", "-10", "10"), D("0.5"), id="metric-inc-negative-start"),
    # metric, clamped
    pytest.param(metric("120", "0", "90"), ONE, id="metric-inc-above-target-clamped"),
    pytest.param(metric("5", "10", "90"), ZERO, id="metric-inc-below-start-clamped"),
    pytest.param(metric("-50", "0", "90"), ZERO, id="metric-inc-negative-clamped"),
    # metric, decreasing (delivery time 20 -> 17 days)
    pytest.param(metric("18.5", "20", "17"), D("0.5"), id="metric-dec-delivery-18.5"),
    pytest.param(metric("20", "20", "17"), ZERO, id="metric-dec-at-start"),
    pytest.param(metric("17", "20", "17"), ONE, id="metric-dec-at-target"),
    pytest.param(metric("19.25", "20", "17"), D("0.25"), id="metric-dec-quarter"),
    pytest.param(metric("15", "20", "17"), ONE, id="metric-dec-beyond-target-clamped"),
    pytest.param(metric("22", "20", "17"), ZERO, id="metric-dec-worse-than-start-clamped"),
    # metric before any check-in: current is start, p = 0
    pytest.param(metric(None, "0", "90"), ZERO, id="metric-inc-no-checkin"),
    pytest.param(metric(None, "20", "17"), ZERO, id="metric-dec-no-checkin"),
    # boolean: p = current
    pytest.param(boolean("0"), ZERO, id="boolean-0"),
    pytest.param(boolean("1"), ONE, id="boolean-1"),
    pytest.param(boolean("1.0"), ONE, id="boolean-1.0"),
    pytest.param(boolean(None), ZERO, id="boolean-no-checkin"),
    # milestones: sum of done weights / sum of all weights
    pytest.param(milestones(("1", True), ("2", False)), ONE / D(3), id="ms-A1-done-B2-open"),
    pytest.param(milestones(("1", False), ("2", True)), D(2) / D(3), id="ms-A1-open-B2-done"),
    pytest.param(milestones(("1", True), ("1", True)), ONE, id="ms-all-done"),
    pytest.param(milestones(("1", False), ("1", False)), ZERO, id="ms-none-done"),
    pytest.param(
        milestones(*([("1", True)] * 3 + [("1", False)] * 9)),
        D("0.25"),
        id="ms-3-of-12-monthly-sessions",
    ),
    pytest.param(milestones(("0", True), ("1", False)), ZERO, id="ms-zero-weight-done"),
    pytest.param(milestones(("0", True), ("0", False)), ZERO, id="ms-total-weight-0"),
    pytest.param(milestones(("0", True)), ZERO, id="ms-single-zero-weight-done"),
    pytest.param(milestones(), ZERO, id="ms-empty"),
    pytest.param(milestones(("0.5", True), ("1.5", False)), D("0.25"), id="ms-fractional"),
    # stay_above: 1 if current >= threshold
    pytest.param(stay_above("95", "90"), ONE, id="above-above"),
    pytest.param(stay_above("90", "90"), ONE, id="above-equal"),
    pytest.param(stay_above("89.99", "90"), ZERO, id="above-below"),
    pytest.param(stay_above(None, "90"), ZERO, id="above-no-checkin"),
    # stay_below: 1 if current <= threshold
    pytest.param(stay_below("4", "5"), ONE, id="below-below"),
    pytest.param(stay_below("5", "5"), ONE, id="below-equal"),
    pytest.param(stay_below("5.01", "5"), ZERO, id="below-above"),
    pytest.param(stay_below(None, "5"), ZERO, id="below-no-checkin"),
    # range: 1 if low <= current <= high (inclusive)
    pytest.param(in_range("5", "3", "7"), ONE, id="range-inside"),
    pytest.param(in_range("3", "3", "7"), ONE, id="range-at-low"),
    pytest.param(in_range("7", "3", "7"), ONE, id="range-at-high"),
    pytest.param(in_range("2.99", "3", "7"), ZERO, id="range-below-low"),
    pytest.param(in_range("7.01", "3", "7"), ZERO, id="range-above-high"),
    pytest.param(in_range(None, "3", "7"), ZERO, id="range-no-checkin"),
    # linked: that objective's progress
    pytest.param(linked("0.42"), D("0.42"), id="linked-passthrough"),
    pytest.param(linked("0"), ZERO, id="linked-0"),
    pytest.param(linked("1"), ONE, id="linked-1"),
    pytest.param(linked(ONE / D(3)), ONE / D(3), id="linked-third"),
    pytest.param(linked(None), ZERO, id="linked-no-progress"),
    # initiatives: the mean progress of its initiatives (computed by mean_initiative_progress)
    pytest.param(work("0.42"), D("0.42"), id="initiatives-passthrough"),
    pytest.param(work("0"), ZERO, id="initiatives-0"),
    pytest.param(work("1"), ONE, id="initiatives-1"),
    pytest.param(work(ONE / D(3)), ONE / D(3), id="initiatives-third"),
    pytest.param(work(None), ZERO, id="initiatives-no-work"),
    pytest.param(
        KeyResultFacts(type=INITIATIVES, linked_progress=ONE), ZERO, id="initiatives-not-linked"
    ),
]


@pytest.mark.parametrize(("facts", "expected"), PROGRESS_EXAMPLES)
def test_key_result_progress_examples(facts, expected):
    assert key_result_progress(facts) == expected


@pytest.mark.parametrize(
    ("current", "start", "target", "expected"),
    [
        pytest.param(D("18.5"), D(20), D(17), D("0.5"), id="delivery-time"),
        pytest.param(None, D(0), D(90), ZERO, id="no-checkin"),
        pytest.param(D(200), D(0), D(90), ONE, id="clamp-high"),
        pytest.param(D(-1), D(0), D(90), ZERO, id="clamp-low"),
    ],
)
def test_metric_progress_function(current, start, target, expected):
    assert metric_progress(current, start, target) == expected


OBJECTIVE_EXAMPLES = [
    pytest.param([(ONE, D("0.5"))], D("0.5"), id="single-kr"),
    pytest.param([(ONE, ONE), (ONE, ZERO)], D("0.5"), id="equal-weights"),
    pytest.param([(D(2), ONE), (ONE, ZERO)], D(2) / D(3), id="weight-2-done-1-open"),
    pytest.param([(ONE, ONE), (D(2), ZERO)], ONE / D(3), id="weight-1-done-2-open"),
    pytest.param(
        [(ONE, D("0.5")), (ONE, D("0.5")), (D(2), D("0.25"))],
        D("0.375"),
        id="three-krs-weighted",
    ),
    pytest.param([(ONE, D("0.6")), (ZERO, ZERO)], D("0.6"), id="weight-0-kr-at-0-ignored"),
    pytest.param([(ONE, D("0.6")), (ZERO, ONE)], D("0.6"), id="weight-0-kr-at-1-ignored"),
    pytest.param([], ZERO, id="no-krs"),
    pytest.param([(ZERO, ONE), (ZERO, D("0.5"))], ZERO, id="all-weights-0"),
    pytest.param([(D("0.5"), ONE), (D("1.5"), ZERO)], D("0.25"), id="fractional-weights"),
]


@pytest.mark.parametrize(("pairs", "expected"), OBJECTIVE_EXAMPLES)
def test_objective_progress_examples(pairs, expected):
    assert objective_progress(pairs) == expected


def test_objective_progress_accepts_a_generator():
    assert objective_progress((w, p) for w, p in [(ONE, ONE), (ONE, ZERO)]) == D("0.5")


EXPECTED_EXAMPLES = [
    pytest.param(W_START, W_START, W_END, ZERO, id="at-start"),
    pytest.param(day(3), W_START, W_END, D("0.1"), id="day-3-of-30"),
    pytest.param(day(12), W_START, W_END, D("0.4"), id="day-12-of-30"),
    pytest.param(W_MID, W_START, W_END, D("0.5"), id="middle"),
    pytest.param(day(29), W_START, W_END, D(29) / D(30), id="last-day-before-end"),
    pytest.param(W_END, W_START, W_END, ONE, id="at-end"),
    pytest.param(date(2027, 3, 15), W_START, W_END, ZERO, id="before-window-clamped"),
    pytest.param(date(2027, 6, 1), W_START, W_END, ONE, id="after-window-clamped"),
    pytest.param(date(2026, 4, 1), W_START, W_END, ZERO, id="year-before-clamped"),
    # A window whose start and end are the same day (due == cycle start).
    pytest.param(W_START, W_START, W_START, ONE, id="same-day-window-on-the-day"),
    pytest.param(day(-1), W_START, W_START, ZERO, id="same-day-window-day-before"),
    pytest.param(day(1), W_START, W_START, ONE, id="same-day-window-day-after"),
    # A window one day long (end = start + 1).
    pytest.param(W_START, W_START, day(1), ZERO, id="one-day-long-window-start"),
    pytest.param(day(1), W_START, day(1), ONE, id="one-day-long-window-end"),
    pytest.param(day(-1), W_START, day(1), ZERO, id="one-day-long-window-before"),
    pytest.param(day(5), W_START, day(1), ONE, id="one-day-long-window-after"),
    # A quarter: 2027-01-01 .. 2027-03-31 is 89 days.
    pytest.param(
        date(2027, 2, 15), date(2027, 1, 1), date(2027, 3, 31), D(45) / D(89), id="quarter"
    ),
]


@pytest.mark.parametrize(("on", "start", "end", "expected"), EXPECTED_EXAMPLES)
def test_expected_progress_examples(on, start, end, expected):
    assert expected_progress(on, start, end) == expected


# Statuses from the gap g = e - p, checked in order done, on_track, at_risk, off_track.
PACED_STATUS_EXAMPLES = [
    # default bands (0.10, 0.25)
    pytest.param(D("0.5"), D("0.5"), DEFAULT_BANDS, ON_TRACK, id="default-g0"),
    pytest.param(D("0.9"), D("0.1"), DEFAULT_BANDS, ON_TRACK, id="default-ahead"),
    pytest.param(D("0.45"), D("0.5"), DEFAULT_BANDS, ON_TRACK, id="default-g0.05"),
    pytest.param(D("0.4"), D("0.5"), DEFAULT_BANDS, ON_TRACK, id="default-g0.10-edge"),
    pytest.param(D("0.4") - TINY, D("0.5"), DEFAULT_BANDS, AT_RISK, id="default-g0.10+eps"),
    pytest.param(D("0.3"), D("0.5"), DEFAULT_BANDS, AT_RISK, id="default-g0.20"),
    pytest.param(D("0.25"), D("0.5"), DEFAULT_BANDS, AT_RISK, id="default-g0.25-edge"),
    pytest.param(D("0.25") - TINY, D("0.5"), DEFAULT_BANDS, OFF_TRACK, id="default-g0.25+eps"),
    pytest.param(ZERO, ONE, DEFAULT_BANDS, OFF_TRACK, id="default-g1"),
    pytest.param(ZERO, D("0.1"), DEFAULT_BANDS, ON_TRACK, id="default-p0-e0.10-edge"),
    pytest.param(ZERO, D("0.25"), DEFAULT_BANDS, AT_RISK, id="default-p0-e0.25-edge"),
    pytest.param(ZERO, ZERO, DEFAULT_BANDS, ON_TRACK, id="default-p0-e0"),
    pytest.param(ONE - TINY, ONE, DEFAULT_BANDS, ON_TRACK, id="default-almost-done"),
    # done when p >= 1, whatever the gap
    pytest.param(ONE, ONE, DEFAULT_BANDS, DONE, id="done-e1"),
    pytest.param(ONE, ZERO, DEFAULT_BANDS, DONE, id="done-e0"),
    pytest.param(ONE, D("0.5"), CUSTOM_BANDS, DONE, id="done-custom-bands"),
    pytest.param(D("1.5"), ONE, DEFAULT_BANDS, DONE, id="done-above-1"),
    # custom bands (0.05, 0.20)
    pytest.param(D("0.5"), D("0.5"), CUSTOM_BANDS, ON_TRACK, id="custom-g0"),
    pytest.param(D("0.45"), D("0.5"), CUSTOM_BANDS, ON_TRACK, id="custom-g0.05-edge"),
    pytest.param(D("0.45") - TINY, D("0.5"), CUSTOM_BANDS, AT_RISK, id="custom-g0.05+eps"),
    pytest.param(D("0.4"), D("0.5"), CUSTOM_BANDS, AT_RISK, id="custom-g0.10-is-at-risk"),
    pytest.param(D("0.3"), D("0.5"), CUSTOM_BANDS, AT_RISK, id="custom-g0.20-edge"),
    pytest.param(D("0.3") - TINY, D("0.5"), CUSTOM_BANDS, OFF_TRACK, id="custom-g0.20+eps"),
    pytest.param(D("0.25"), D("0.5"), CUSTOM_BANDS, OFF_TRACK, id="custom-g0.25-off"),
    # degenerate custom bands: any positive gap is off track
    pytest.param(D("0.5"), D("0.5"), Bands(ZERO, ZERO), ON_TRACK, id="zero-bands-g0"),
    pytest.param(D("0.5") - TINY, D("0.5"), Bands(ZERO, ZERO), OFF_TRACK, id="zero-bands-eps"),
]


@pytest.mark.parametrize(("p", "e", "bands", "expected"), PACED_STATUS_EXAMPLES)
def test_paced_status_examples(p, e, bands, expected):
    assert paced_status(p, e, bands) == expected


def paced_facts(kr_type: str, p: Decimal) -> KeyResultFacts:
    """A KR of a paced type whose progress is exactly p (p is a multiple of 0.01)."""
    if kr_type == METRIC:
        return metric(p * 100, "0", "100")
    if kr_type == MILESTONES:
        done = int(p * 100)
        return milestones(*([("1", True)] * done + [("1", False)] * (100 - done)))
    if kr_type == INITIATIVES:
        return work(p)
    assert kr_type == LINKED
    return linked(p)


KR_STATUS_EDGES = [
    # (on, p, bands, expected) with e read from the 30-day window
    pytest.param(W_MID, D("0.40"), DEFAULT_BANDS, ON_TRACK, id="e0.5-g0.10"),
    pytest.param(W_MID, D("0.39"), DEFAULT_BANDS, AT_RISK, id="e0.5-g0.11"),
    pytest.param(W_MID, D("0.25"), DEFAULT_BANDS, AT_RISK, id="e0.5-g0.25"),
    pytest.param(W_MID, D("0.24"), DEFAULT_BANDS, OFF_TRACK, id="e0.5-g0.26"),
    pytest.param(day(12), D("0.30"), DEFAULT_BANDS, ON_TRACK, id="e0.4-g0.10"),
    pytest.param(day(12), D("0.15"), DEFAULT_BANDS, AT_RISK, id="e0.4-g0.25"),
    pytest.param(W_START, ZERO, DEFAULT_BANDS, ON_TRACK, id="window-start-p0"),
    pytest.param(day(-10), ZERO, DEFAULT_BANDS, ON_TRACK, id="before-window-p0"),
    pytest.param(W_END, D("0.90"), DEFAULT_BANDS, ON_TRACK, id="end-g0.10"),
    pytest.param(W_END, D("0.75"), DEFAULT_BANDS, AT_RISK, id="end-g0.25"),
    pytest.param(W_END, D("0.74"), DEFAULT_BANDS, OFF_TRACK, id="end-g0.26"),
    pytest.param(date(2027, 7, 1), D("0.74"), DEFAULT_BANDS, OFF_TRACK, id="after-end"),
    pytest.param(W_END, ONE, DEFAULT_BANDS, DONE, id="done-at-end"),
    pytest.param(W_START, ONE, DEFAULT_BANDS, DONE, id="done-at-start"),
    pytest.param(W_MID, D("0.45"), CUSTOM_BANDS, ON_TRACK, id="custom-g0.05"),
    pytest.param(W_MID, D("0.40"), CUSTOM_BANDS, AT_RISK, id="custom-g0.10"),
    pytest.param(W_MID, D("0.30"), CUSTOM_BANDS, AT_RISK, id="custom-g0.20"),
    pytest.param(W_MID, D("0.29"), CUSTOM_BANDS, OFF_TRACK, id="custom-g0.21"),
]


@pytest.mark.parametrize("kr_type", PACED_TYPES)
@pytest.mark.parametrize(("on", "p", "bands", "expected"), KR_STATUS_EDGES)
def test_paced_key_result_status_at_band_edges(kr_type, on, p, bands, expected):
    facts = paced_facts(kr_type, p)
    assert key_result_progress(facts) == p
    assert status(facts, on, bands) == expected


def test_metric_status_before_any_checkin_follows_the_pace():
    facts = metric(None, "0", "90")
    assert status(facts, W_START) == ON_TRACK
    assert status(facts, day(3)) == ON_TRACK  # e = 0.1
    assert status(facts, day(6)) == AT_RISK  # e = 0.2
    assert status(facts, W_MID) == OFF_TRACK  # e = 0.5


def test_decreasing_metric_status():
    # delivery time 20 -> 17 days, 18.5 at mid-window: p = 0.5 = e
    assert status(metric("18.5", "20", "17"), W_MID) == ON_TRACK
    assert status(metric("17", "20", "17"), W_MID) == DONE
    assert status(metric("16", "20", "17"), W_START) == DONE
    assert status(metric("20", "20", "17"), W_END) == OFF_TRACK


BOOLEAN_STATUS_EXAMPLES = [
    pytest.param("1", W_START, DONE, id="done-at-start"),
    pytest.param("1", W_MID, DONE, id="done-mid"),
    pytest.param("1", W_END, DONE, id="done-at-end"),
    pytest.param("1", date(2027, 7, 1), DONE, id="done-after-end"),
    pytest.param("1", day(-5), DONE, id="done-before-window"),
    pytest.param("0", day(-5), ON_TRACK, id="0-before-window"),
    pytest.param("0", W_START, ON_TRACK, id="0-at-start"),
    pytest.param("0", W_MID, ON_TRACK, id="0-mid"),
    pytest.param("0", day(29), ON_TRACK, id="0-day-before-end"),
    # documented decision: the window is over on its end date
    pytest.param("0", W_END, OFF_TRACK, id="0-on-end-date"),
    pytest.param("0", day(31), OFF_TRACK, id="0-day-after-end"),
    pytest.param("0", date(2028, 1, 1), OFF_TRACK, id="0-long-after-end"),
    pytest.param(None, W_MID, ON_TRACK, id="no-checkin-mid"),
    pytest.param(None, W_END, OFF_TRACK, id="no-checkin-on-end-date"),
    pytest.param(None, day(40), OFF_TRACK, id="no-checkin-after-end"),
]


@pytest.mark.parametrize(("current", "on", "expected"), BOOLEAN_STATUS_EXAMPLES)
def test_boolean_status(current, on, expected):
    assert status(boolean(current), on) == expected


def test_boolean_status_ignores_bands():
    # a boolean has no gap bands: mid-window with p = 0 is on track even with tight bands
    assert status(boolean("0"), W_MID, Bands(ZERO, ZERO)) == ON_TRACK


HEALTH_STATUS_EXAMPLES = [
    pytest.param(stay_above(None, "90"), ON_TRACK, id="above-no-checkin"),
    pytest.param(stay_above("95", "90"), ON_TRACK, id="above-satisfied"),
    pytest.param(stay_above("90", "90"), ON_TRACK, id="above-equal-satisfied"),
    pytest.param(stay_above("89.9", "90"), OFF_TRACK, id="above-not-satisfied"),
    pytest.param(stay_below(None, "5"), ON_TRACK, id="below-no-checkin"),
    pytest.param(stay_below("4", "5"), ON_TRACK, id="below-satisfied"),
    pytest.param(stay_below("5", "5"), ON_TRACK, id="below-equal-satisfied"),
    pytest.param(stay_below("5.1", "5"), OFF_TRACK, id="below-not-satisfied"),
    pytest.param(in_range(None, "3", "7"), ON_TRACK, id="range-no-checkin"),
    pytest.param(in_range("5", "3", "7"), ON_TRACK, id="range-inside"),
    pytest.param(in_range("3", "3", "7"), ON_TRACK, id="range-at-low"),
    pytest.param(in_range("7", "3", "7"), ON_TRACK, id="range-at-high"),
    pytest.param(in_range("2", "3", "7"), OFF_TRACK, id="range-below"),
    pytest.param(in_range("8", "3", "7"), OFF_TRACK, id="range-above"),
]

STATUS_DATES = [
    pytest.param(day(-5), id="before"),
    pytest.param(W_START, id="start"),
    pytest.param(W_MID, id="mid"),
    pytest.param(W_END, id="end"),
    pytest.param(day(60), id="after"),
]


@pytest.mark.parametrize("on", STATUS_DATES)
@pytest.mark.parametrize(("facts", "expected"), HEALTH_STATUS_EXAMPLES)
def test_health_status(facts, expected, on):
    """Health KRs are on track while satisfied (or unchecked), whatever the date."""
    assert status(facts, on) == expected
    assert status(facts, on, Bands(ZERO, ZERO)) == expected


SCORE_EXAMPLES = [
    pytest.param(D("0.65"), "0.7", id="0.65"),
    pytest.param(D("0.64"), "0.6", id="0.64"),
    pytest.param(D("0.05"), "0.1", id="0.05"),
    pytest.param(D("0.95"), "1.0", id="0.95"),
    pytest.param(ZERO, "0.0", id="0"),
    pytest.param(ONE, "1.0", id="1"),
    pytest.param(D("0.000000000000"), "0.0", id="0-stored"),
    pytest.param(D("1.000000000000"), "1.0", id="1-stored"),
    pytest.param(D("0.649999999999"), "0.6", id="just-below-0.65"),
    pytest.param(D("0.650000000000"), "0.7", id="0.65-stored"),
    # half up, not half even
    pytest.param(D("0.25"), "0.3", id="0.25-half-up"),
    pytest.param(D("0.45"), "0.5", id="0.45-half-up"),
    pytest.param(D("0.85"), "0.9", id="0.85-half-up"),
    pytest.param(D("0.15"), "0.2", id="0.15"),
    pytest.param(D("0.04"), "0.0", id="0.04"),
    pytest.param(D("0.949999999999"), "0.9", id="just-below-0.95"),
    pytest.param(ONE / D(3), "0.3", id="one-third"),
    pytest.param(D(2) / D(3), "0.7", id="two-thirds"),
    pytest.param(D("0.5"), "0.5", id="0.5"),
]


@pytest.mark.parametrize(("p", "expected"), SCORE_EXAMPLES)
def test_score_rounds_half_up_to_one_decimal(p, expected):
    result = score(p)
    assert str(result) == expected
    assert result == D(expected)


COLOUR_EXAMPLES = [
    pytest.param("0.0", RED, id="0.0"),
    pytest.param("0.1", RED, id="0.1"),
    pytest.param("0.2", RED, id="0.2"),
    pytest.param("0.3", RED, id="0.3"),
    pytest.param("0.4", YELLOW, id="0.4"),
    pytest.param("0.5", YELLOW, id="0.5"),
    pytest.param("0.6", YELLOW, id="0.6"),
    pytest.param("0.7", GREEN, id="0.7"),
    pytest.param("0.8", GREEN, id="0.8"),
    pytest.param("0.9", GREEN, id="0.9"),
    pytest.param("1.0", GREEN, id="1.0"),
]


@pytest.mark.parametrize(("grade", "expected"), COLOUR_EXAMPLES)
def test_colour_of_each_grade(grade, expected):
    assert color(D(grade)) == expected


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        pytest.param("0.349", RED, id="0.349-scores-0.3"),
        pytest.param("0.35", YELLOW, id="0.35-scores-0.4"),
        pytest.param("0.649", YELLOW, id="0.649-scores-0.6"),
        pytest.param("0.65", GREEN, id="0.65-scores-0.7"),
        pytest.param("0.04", RED, id="0.04-scores-0.0"),
        pytest.param("0.96", GREEN, id="0.96-scores-1.0"),
    ],
)
def test_colour_of_a_progress_goes_through_the_score(p, expected):
    assert color(score(D(p))) == expected


SUCCESS_EXAMPLES = [
    pytest.param(COMMITTED, "1.0", True, id="committed-1.0"),
    pytest.param(COMMITTED, "0.9", False, id="committed-0.9"),
    pytest.param(COMMITTED, "0.7", False, id="committed-0.7"),
    pytest.param(COMMITTED, "0.0", False, id="committed-0.0"),
    pytest.param(ASPIRATIONAL, "1.0", True, id="aspirational-1.0"),
    pytest.param(ASPIRATIONAL, "0.8", True, id="aspirational-0.8"),
    pytest.param(ASPIRATIONAL, "0.7", True, id="aspirational-0.7"),
    pytest.param(ASPIRATIONAL, "0.6", False, id="aspirational-0.6"),
    pytest.param(ASPIRATIONAL, "0.0", False, id="aspirational-0.0"),
]


@pytest.mark.parametrize(("kind", "grade", "expected"), SUCCESS_EXAMPLES)
def test_success_at_close(kind, grade, expected):
    assert succeeded(kind, D(grade)) is expected


@pytest.mark.parametrize(
    ("kind", "p", "expected"),
    [
        # success is judged on the score, so progress rounds first
        pytest.param(ASPIRATIONAL, "0.65", True, id="aspirational-0.65-scores-0.7"),
        pytest.param(ASPIRATIONAL, "0.649999999999", False, id="aspirational-just-below"),
        pytest.param(COMMITTED, "0.95", True, id="committed-0.95-scores-1.0"),
        pytest.param(COMMITTED, "0.949999999999", False, id="committed-just-below"),
    ],
)
def test_success_from_progress_uses_the_score(kind, p, expected):
    assert succeeded(kind, score(D(p))) is expected


# ===========================================================================================
# 2. Properties
# ===========================================================================================

BIG = 10**6


def decimals(low=-BIG, high=BIG, places=4):
    return st.decimals(
        min_value=low, max_value=high, allow_nan=False, allow_infinity=False, places=places
    )


values = decimals()
maybe_values = st.none() | values
unit_interval = decimals(0, 1, places=6)
weights = decimals(0, 1000, places=3)
positive_factors = decimals(D("0.001"), 1000, places=3)
any_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@st.composite
def windows(draw):
    start = draw(any_dates)
    end = start + timedelta(days=draw(st.integers(0, 800)))
    return start, end


@st.composite
def milestone_lists(draw):
    return tuple(
        Milestone(weight=w, done=d)
        for w, d in draw(st.lists(st.tuples(weights, st.booleans()), max_size=15))
    )


@st.composite
def facts_of(draw, kr_type):
    return KeyResultFacts(
        type=kr_type,
        current=draw(maybe_values),
        start=draw(values),
        target=draw(values),
        threshold=draw(values),
        low=draw(values),
        high=draw(values),
        milestones=draw(milestone_lists()),
        linked_progress=draw(st.none() | values),
        initiatives_progress=draw(st.none() | unit_interval),
    )


any_facts = st.sampled_from(KR_TYPES).flatmap(facts_of)
paced_facts_strategy = st.sampled_from(PACED_TYPES).flatmap(facts_of)


@st.composite
def bands(draw):
    a = draw(unit_interval)
    b = draw(decimals(a, 1, places=6))
    return Bands(at_risk_gap=a, off_track_gap=b)


@given(any_facts)
def test_progress_always_within_unit_interval(facts):
    p = key_result_progress(facts)
    assert ZERO <= p <= ONE


@given(maybe_values, values, values)
def test_metric_progress_within_unit_interval(current, start, target):
    assert ZERO <= metric_progress(current, start, target) <= ONE


@given(values, values, values, values)
def test_metric_progress_monotonic_in_current(start, target, c1, c2):
    if start == target:
        target = start + 1
    lo, hi = sorted((c1, c2))
    p_lo = metric_progress(lo, start, target)
    p_hi = metric_progress(hi, start, target)
    if target > start:
        assert p_lo <= p_hi
    else:
        assert p_lo >= p_hi


@given(values, values, values)
def test_decreasing_metric_equals_mirrored_increasing_metric(current, a, b):
    if a == b:
        b = a + 1
    start, target = max(a, b), min(a, b)  # decreasing: target < start
    p = metric_progress(current, start, target)
    # mirrored by negation
    assert p == metric_progress(-current, -start, -target)
    # mirrored about the start
    assert p == metric_progress(2 * start - current, start, 2 * start - target)


@given(values, values)
def test_metric_at_start_is_0_and_at_target_is_1(start, target):
    if start == target:
        target = start + 1
    assert metric_progress(start, start, target) == ZERO
    assert metric_progress(target, start, target) == ONE
    assert metric_progress(None, start, target) == ZERO


@given(milestone_lists())
def test_milestones_progress_is_done_weight_share(ms):
    facts = KeyResultFacts(type=MILESTONES, milestones=ms)
    total = sum((m.weight for m in ms), ZERO)
    p = key_result_progress(facts)
    assert ZERO <= p <= ONE
    if total == 0:
        assert p == ZERO
    else:
        assert p == sum((m.weight for m in ms if m.done), ZERO) / total


@given(facts_of(INITIATIVES))
def test_initiatives_progress_is_the_mean_of_its_work(facts):
    q = facts.initiatives_progress
    assert key_result_progress(facts) == (ZERO if q is None else min(ONE, max(ZERO, q)))


@given(st.none() | values)
def test_initiatives_progress_is_clamped_to_the_unit_interval(q):
    p = key_result_progress(KeyResultFacts(type=INITIATIVES, initiatives_progress=q))
    assert p == (ZERO if q is None else min(ONE, max(ZERO, q)))


@given(st.sampled_from(HEALTH_TYPES).flatmap(facts_of))
def test_health_progress_is_0_or_1(facts):
    assert key_result_progress(facts) in (ZERO, ONE)


kr_pairs = st.lists(st.tuples(weights, unit_interval), min_size=1, max_size=12)


@given(kr_pairs)
def test_objective_progress_between_min_and_max_kr_progress(pairs):
    weighted = [p for w, p in pairs if w > 0]
    result = objective_progress(pairs)
    if not weighted:
        assert result == ZERO
    else:
        assert min(weighted) <= result <= max(weighted)
        assert min(p for _, p in pairs) <= result <= max(p for _, p in pairs)


@given(st.lists(st.tuples(weights, unit_interval), max_size=12))
def test_objective_progress_within_unit_interval(pairs):
    assert ZERO <= objective_progress(pairs) <= ONE


@given(kr_pairs, positive_factors)
def test_scaling_weights_leaves_objective_progress_unchanged(pairs, factor):
    scaled = [(w * factor, p) for w, p in pairs]
    assert objective_progress(scaled) == objective_progress(pairs)


@given(st.lists(st.tuples(weights, unit_interval), max_size=12), unit_interval, st.data())
def test_zero_weight_kr_never_changes_objective_progress(pairs, p, data):
    position = data.draw(st.integers(0, len(pairs)))
    with_zero = [*pairs[:position], (ZERO, p), *pairs[position:]]
    assert objective_progress(with_zero) == objective_progress(pairs)


@given(unit_interval, st.integers(1, 12))
def test_objective_of_equal_progresses_is_that_progress(p, n):
    assert objective_progress([(ONE, p)] * n) == p


@given(windows(), any_dates, any_dates)
def test_expected_progress_monotonic_in_date(window, d1, d2):
    start, end = window
    d1, d2 = sorted((d1, d2))
    e1 = expected_progress(d1, start, end)
    e2 = expected_progress(d2, start, end)
    assert ZERO <= e1 <= e2 <= ONE


@given(windows(), any_dates)
def test_expected_progress_is_0_up_to_start_and_1_from_end(window, on):
    start, end = window
    e = expected_progress(on, start, end)
    if on >= end:
        assert e == ONE
    elif on <= start:
        assert e == ZERO
    else:
        assert e == D((on - start).days) / D((end - start).days)


@given(decimals(0, 1, places=12))
def test_score_within_unit_interval_with_one_decimal(p):
    s = score(p)
    assert ZERO <= s <= ONE
    assert s.as_tuple().exponent == -1
    assert abs(s - p) <= D("0.05")
    assert score(s) == s


@given(decimals(0, 1, places=12))
def test_colour_is_defined_for_every_score(p):
    s = score(p)
    expected = RED if s <= D("0.3") else YELLOW if s <= D("0.6") else GREEN
    assert color(s) == expected


@given(paced_facts_strategy, windows(), any_dates, bands())
def test_paced_status_done_iff_progress_is_1(facts, window, on, b):
    start, end = window
    p = key_result_progress(facts)
    result = key_result_status(facts, p, on=on, window_start=start, window_end=end, bands=b)
    assert (result == DONE) == (p >= ONE)
    assert result in (DONE, ON_TRACK, AT_RISK, OFF_TRACK)


@given(unit_interval, unit_interval, bands())
def test_paced_status_follows_the_gap(p, e, b):
    result = paced_status(p, e, b)
    gap = e - p
    if p >= ONE:
        assert result == DONE
    elif gap <= b.at_risk_gap:
        assert result == ON_TRACK
    elif gap <= b.off_track_gap:
        assert result == AT_RISK
    else:
        assert result == OFF_TRACK


@given(st.sampled_from(HEALTH_TYPES).flatmap(facts_of), windows(), any_dates, bands())
def test_health_status_is_on_or_off_track(facts, window, on, b):
    start, end = window
    p = key_result_progress(facts)
    result = key_result_status(facts, p, on=on, window_start=start, window_end=end, bands=b)
    if facts.current is None:
        assert result == ON_TRACK
    else:
        assert result == (ON_TRACK if p == ONE else OFF_TRACK)


@given(st.sampled_from([None, ZERO, ONE]), windows(), any_dates, bands())
def test_boolean_status_rule(current, window, on, b):
    start, end = window
    facts = KeyResultFacts(type=BOOLEAN, current=current)
    p = key_result_progress(facts)
    result = key_result_status(facts, p, on=on, window_start=start, window_end=end, bands=b)
    if current == ONE:
        assert result == DONE
    elif on < end:
        assert result == ON_TRACK
    else:
        assert result == OFF_TRACK


# --- Computed status against reported confidence ---------------------------------------


@pytest.mark.parametrize(
    ("status", "confidence", "expected"),
    [
        (engine.ON_TRACK, engine.OFF_TRACK, engine.AHEAD_OF_CONFIDENCE),
        (engine.ON_TRACK, engine.AT_RISK, engine.AHEAD_OF_CONFIDENCE),
        (engine.OFF_TRACK, engine.ON_TRACK, engine.BEHIND_CONFIDENCE),
        (engine.AT_RISK, engine.ON_TRACK, engine.BEHIND_CONFIDENCE),
        (engine.ON_TRACK, engine.ON_TRACK, None),
        (engine.AT_RISK, engine.OFF_TRACK, None),  # the same story, more or less sharply
        (engine.OFF_TRACK, engine.AT_RISK, None),
        (engine.OFF_TRACK, engine.OFF_TRACK, None),
        (engine.DONE, engine.OFF_TRACK, None),  # done: confidence no longer matters
        (engine.DONE, engine.ON_TRACK, None),
        (engine.ON_TRACK, "", None),  # nothing reported yet
        (engine.OFF_TRACK, "", None),
    ],
)
def test_status_and_confidence_disagree_only_when_one_is_on_track_and_the_other_not(
    status: str, confidence: str, expected: str | None
) -> None:
    assert engine.confidence_disagreement(status, confidence) == expected


def test_every_status_and_confidence_pair_has_an_answer() -> None:
    for status in engine.STATUSES:
        for confidence in (*engine.CONFIDENCES, ""):
            found = engine.confidence_disagreement(status, confidence)
            assert found in (None, engine.AHEAD_OF_CONFIDENCE, engine.BEHIND_CONFIDENCE)
