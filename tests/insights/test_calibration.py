"""Confidence calibration (okr-semantics.md, "Confidence calibration"): the pure math and
the read, each against an independent computation from the contract on generated data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacer.insights import calibration
from pacer.insights.calibration import Forecast
from pacer.okrs.models import CheckIn, KeyResult
from tests.factories import World, make_cycle, make_objective, make_person

CONTRACT_PROBABILITY = {"on_track": "0.9", "at_risk": "0.5", "off_track": "0.1"}
scores = st.integers(0, 10).map(lambda n: Decimal(n) / 10)
forecast_lists = st.lists(
    st.builds(Forecast, confidence=st.sampled_from(list(CONTRACT_PROBABILITY)), score=scores),
    max_size=30,
)


def contract(pairs: list[tuple[str, Decimal]]) -> tuple[int, Fraction | None, dict]:
    """The contract, written out again: probability by confidence, outcome 1 at >= 0.7."""
    rows = [(Fraction(CONTRACT_PROBABILITY[c]), 1 if s >= Decimal("0.7") else 0) for c, s in pairs]
    if not rows:
        return 0, None, {}
    mean = sum(((p - o) ** 2 for p, o in rows), Fraction(0)) / len(rows)
    shares = {}
    for probability in {p for p, _ in rows}:
        outcomes = [o for p, o in rows if p == probability]
        shares[probability] = (len(outcomes), Fraction(sum(outcomes), len(outcomes)))
    return len(rows), mean, shares


@settings(max_examples=200, deadline=None)
@given(forecast_lists)
def test_brier_and_reliability_follow_the_contract(forecasts: list[Forecast]) -> None:
    count, brier, shares = contract([(f.confidence, f.score) for f in forecasts])
    result = calibration.calibrate(forecasts)
    assert (result.count, result.brier) == (count, brier)
    assert [b.probability for b in result.bins] == [
        Fraction(1, 10),
        Fraction(1, 2),
        Fraction(9, 10),
    ]
    for bin in result.bins:
        if bin.probability in shares:
            assert (bin.count, bin.observed) == shares[bin.probability]
        else:
            assert (bin.count, bin.observed) == (0, None)


def test_a_few_numbers_by_hand() -> None:
    # on track and met: 0.01; at risk and missed: 0.25; off track and met: 0.81.
    result = calibration.calibrate(
        [
            Forecast("on_track", Decimal("0.7")),
            Forecast("at_risk", Decimal("0.6")),
            Forecast("off_track", Decimal("1.0")),
        ]
    )
    assert result.brier == Fraction(107, 300)
    assert calibration.as_decimal(result.brier) == Decimal("0.357")
    assert calibration.calibrate([]).brier is None


def test_the_last_checkin_before_the_end_decides() -> None:
    end = date(2026, 6, 30)
    cutoff = calibration.cycle_cutoff(end)
    assert cutoff == datetime(2026, 7, 1, 12, tzinfo=UTC)
    early = (datetime(2026, 6, 1, tzinfo=UTC), 1, "on_track")
    last = (datetime(2026, 6, 30, 20, tzinfo=UTC), 2, "")
    after = (cutoff, 3, "off_track")
    assert calibration.last_confidence([early, last, after], cutoff) == ""
    assert calibration.last_confidence([early, after], cutoff) == "on_track"
    # Same moment: the later written one.
    twin = (early[0], 4, "at_risk")
    assert calibration.last_confidence([twin, early], cutoff) == "at_risk"


# --- The read, on generated data ---------------------------------------------------------


class Rollback(Exception):
    """Ends one generated example, undoing its rows."""


@dataclass
class KrSpec:
    cycle: int  # 0, 1: closed; 2: active
    answerer: (
        str  # "person": owns the KR; "objective": no KR owner, person owns the objective; "other"
    )
    visibility: str
    archived: bool
    score: Decimal
    override: Decimal | None
    checkins: list[tuple[int, str]]  # (hours from the end date's midnight UTC, confidence)


kr_specs = st.builds(
    KrSpec,
    cycle=st.integers(0, 2),
    answerer=st.sampled_from(["person", "objective", "other"]),
    visibility=st.sampled_from(["public", "private"]),
    archived=st.booleans(),
    score=scores,
    override=st.none() | scores,
    checkins=st.lists(
        st.tuples(st.integers(-100, 50), st.sampled_from(["on_track", "at_risk", "off_track", ""])),
        max_size=4,
    ),
)

ENDS = (date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30))


def build(world: World, specs: list[KrSpec]) -> Any:
    cycles = [
        make_cycle(world.org, f"c{i}", end.replace(day=1) - timedelta(days=60), end, state=state)
        for i, (end, state) in enumerate(zip(ENDS, ["closed", "closed", "active"], strict=True))
    ]
    person, other = world.teammate, make_person(world.org, "other@acme.test")
    for index, spec in enumerate(specs):
        objective = make_objective(
            cycles[spec.cycle],
            f"o{index}",
            person if spec.answerer == "objective" else other,
            visibility=spec.visibility,
            archived_at=datetime(2026, 1, 1, tzinfo=UTC) if spec.archived else None,
        )
        kr = KeyResult.objects.create(
            organization=world.org,
            objective=objective,
            ref=f"k{index}",
            title=f"K{index}",
            owner={"person": person, "objective": None, "other": other}[spec.answerer],
            final_score=spec.score if spec.cycle < 2 else None,
            score_override=spec.override,
            override_reason="Because" if spec.override is not None else "",
            progress=spec.score,
        )
        base = datetime.combine(ENDS[spec.cycle], time.min, tzinfo=UTC)
        for hours, confidence in spec.checkins:
            CheckIn.objects.create(
                key_result=kr, value=1, confidence=confidence, at=base + timedelta(hours=hours)
            )
    return person


def expected(specs: list[KrSpec], viewer_sees_private: bool) -> list[tuple[str, Decimal]]:
    pairs = []
    for spec in specs:
        if spec.cycle == 2 or spec.archived or spec.answerer == "other":
            continue
        if spec.visibility == "private" and not viewer_sees_private:
            continue
        # The end date lasts until 36 hours after its midnight UTC (UTC-12).
        before = [(h, i, c) for i, (h, c) in enumerate(spec.checkins) if h < 36]
        if not before:
            continue
        confidence = max(before)[2]
        if confidence:
            pairs.append((confidence, spec.override if spec.override is not None else spec.score))
    return pairs


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(kr_specs, max_size=8))
def test_a_persons_calibration_follows_the_contract(world: World, specs: list[KrSpec]) -> None:
    """As the admin sees it (every objective) and as the outsider does (no private one: a
    private objective never counts, not even in the count)."""
    try:
        with transaction.atomic():
            person = build(world, specs)
            for viewer, sees_private in ((world.admin, True), (world.outsider, False)):
                result = calibration.person_calibration(viewer, person)
                count, brier, _ = contract(expected(specs, sees_private))
                assert (result.count, result.brier) == (count, brier)
            raise Rollback
    except Rollback:
        pass
