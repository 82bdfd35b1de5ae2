"""The forecast (okr-semantics.md, "Forecast"; docs/forecast.md): the engine against an
independent least-squares computation on generated data, and the stored numbers kept by
every write that moves them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pacer.okrs import progress as engine
from pacer.okrs import rollup, services
from pacer.okrs.models import Cycle, KeyResult
from tests.factories import (
    D,
    check_in,
    export_json,
    export_text,
    fresh,
    key_results_by_ref,
    make_cycle,
    make_key_result,
    make_objective,
    make_organization,
    make_person,
    objectives_by_ref,
    run_command,
)

# --- The contract, computed independently ----------------------------------------------


def contract_forecast(
    start: Decimal, readings: list[tuple[Fraction, Decimal]], horizon: Fraction
) -> Fraction | None:
    """OLS by the normal equations [n Σt; Σt Σt²]·[a b] = [Σy Σty] (Cramer's rule), over
    (0, start) and the readings inside the window (0 <= t < horizon: the window ends as the
    day after its last begins), evaluated at the horizon."""
    points = [(Fraction(0), Fraction(start))]
    points += [(t, Fraction(v)) for t, v in readings if Fraction(0) <= t < horizon]
    if len({t for t, _ in points}) < 2:
        return None
    n = len(points)
    st_ = sum(t for t, _ in points)
    stt = sum(t * t for t, _ in points)
    sy = sum(y for _, y in points)
    sty = sum(t * y for t, y in points)
    determinant = n * stt - st_ * st_
    a = (sy * stt - st_ * sty) / determinant
    b = (n * sty - st_ * sy) / determinant
    return a + b * horizon


def to_places(value: Fraction, places: int) -> Decimal:
    """Exact rounding half to even, by hand (floor and the remainder)."""
    whole, rest = divmod(value * 10**places, 1)
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and whole % 2 == 1):
        whole += 1
    return Decimal(int(whole)).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def contract_progress(value: Fraction, start: Decimal, target: Decimal) -> Decimal:
    share = (value - Fraction(start)) / (Fraction(target) - Fraction(start))
    return to_places(min(max(share, Fraction(0)), Fraction(1)), 12)


values = st.decimals(min_value=-10_000, max_value=10_000, places=3, allow_nan=False)
# Times in microseconds from the window's start; some before it and after its end.
HORIZON_DAYS = 91
moments = st.integers(min_value=-5 * 86_400_000_000, max_value=96 * 86_400_000_000)


@settings(max_examples=200)
@given(
    start=values,
    target=values,
    readings=st.lists(st.tuples(moments, values), max_size=12),
)
def test_the_forecast_is_the_least_squares_line_at_the_windows_end(start, target, readings):
    if start == target:
        target = start + 1
    horizon = Fraction(HORIZON_DAYS)
    at = [(Fraction(us, 86_400_000_000), v) for us, v in readings]
    exact = engine.metric_forecast(start, at, horizon)
    expected = contract_forecast(start, at, horizon)
    assert exact == expected
    stored = engine.key_result_forecast(
        engine.METRIC, progress=D("0.25"), forecast=exact, start=start, target=target
    )
    if expected is None:
        assert stored == engine.Forecast(value=None, progress=D("0.25"))
        assert engine.key_result_forecast_label(engine.METRIC, None, stored.progress) is None
    else:
        assert stored.value == to_places(expected, 6)
        assert stored.progress == contract_progress(expected, start, target)
        assert D(0) <= stored.progress <= D(1)


@settings(max_examples=200)
@given(
    start=values,
    readings=st.lists(
        st.tuples(
            st.integers(min_value=-5 * 86_400, max_value=40 * 86_400),
            values | st.decimals(min_value=-1, max_value=1, places=6, allow_nan=False),
        ),
        max_size=12,
    ),
    horizon_seconds=st.integers(min_value=1, max_value=35 * 86_400),
)
def test_the_forecast_from_whole_seconds_is_the_same_line(start, readings, horizon_seconds):
    """The roll-up's integer path (times in seconds) against the Fraction one, exactly,
    with readings before, inside and after a window that may end inside a day."""
    horizon = Fraction(horizon_seconds, 86_400)
    in_days = [(Fraction(s, 86_400), v) for s, v in readings]
    assert engine.metric_forecast_by_seconds(start, readings, horizon) == (
        engine.metric_forecast(start, in_days, horizon)
    )


@settings(max_examples=100)
@given(
    start=values,
    target=values,
    offsets=st.lists(st.integers(min_value=0, max_value=40 * 86_400), max_size=8),
    due_in=st.none() | st.integers(min_value=0, max_value=30),
)
def test_the_roll_up_reads_times_in_days_from_the_windows_first_midnight(
    start, target, offsets, due_in
):
    """rollup.metric_forecast: t in fractional days since 00:00 of the cycle's first day
    (TIME_ZONE is UTC in the tests), the window ending at the end of its last day."""
    if start == target:
        target = start + 1
    cycle = (date(2026, 1, 1), date(2026, 1, 31))
    kr = KeyResult(type=engine.METRIC, start=start, target=target)
    kr.due = None if due_in is None else cycle[0] + timedelta(days=due_in)
    origin = datetime(2026, 1, 1, tzinfo=UTC)
    checkins = [(origin + timedelta(seconds=s), start + s % 97) for s in offsets]
    last_day = kr.due or cycle[1]
    horizon = Fraction((last_day - cycle[0]).days + 1)
    # Inside the window: the check-in's day lies between the window's first and last days.
    readings = [
        (Fraction((at - origin).total_seconds()) / 86_400, v)
        for at, v in checkins
        if cycle[0] <= at.date() <= last_day
    ]
    assert rollup.metric_forecast(kr, cycle, checkins) == contract_forecast(
        start, readings, horizon
    )


@pytest.mark.parametrize(
    ("progress", "label"),
    [
        (None, None),
        (D("1"), "likely"),
        (D("0.7"), "possible"),
        (D("0.999999999999"), "possible"),
        (D("0.699999999999"), "unlikely"),
        (D("0"), "unlikely"),
    ],
)
def test_labels_likely_from_1_possible_from_07(progress, label):
    assert engine.forecast_label(progress) == label


def test_a_metric_without_a_forecast_has_no_label_every_other_type_has_its_progress():
    assert engine.key_result_forecast_label(engine.METRIC, None, D("0.4")) is None
    assert engine.key_result_forecast_label(engine.METRIC, D("5"), D("0.4")) == "unlikely"
    boolean = engine.key_result_forecast(engine.BOOLEAN, progress=D(1), forecast=None)
    assert boolean == engine.Forecast(value=None, progress=D(1))
    assert engine.key_result_forecast_label(engine.BOOLEAN, None, boolean.progress) == "likely"


def test_an_extrapolation_beyond_the_column_is_held_at_its_limit():
    huge = Fraction(10**30, 3)
    held = engine.key_result_forecast(
        engine.METRIC, progress=D(0), forecast=huge, start=D(0), target=D(100)
    )
    assert held == engine.Forecast(value=engine.FORECAST_LIMIT, progress=D(1))
    low = engine.key_result_forecast(
        engine.METRIC, progress=D(0), forecast=-huge, start=D(0), target=D(100)
    )
    assert low == engine.Forecast(value=-engine.FORECAST_LIMIT, progress=D(0))


@settings(max_examples=100)
@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=0, max_value=5, places=3),
            st.decimals(min_value=0, max_value=1, places=12),
        ),
        max_size=8,
    )
)
def test_an_objectives_forecast_is_the_weighted_mean_like_progress(pairs):
    total = sum((w for w, _ in pairs), D(0))
    expected = D(0) if total == 0 else sum((w * f for w, f in pairs), D(0)) / total
    assert engine.objective_forecast_progress(pairs) == expected.quantize(D("1e-12"))


# --- Stored numbers ----------------------------------------------------------------------


@pytest.fixture
def past(db):
    """An objective in a quarter in the past (check-ins may not lie in the future)."""
    organization = make_organization()
    owner = make_person(organization, "owner@example.com")
    cycle = make_cycle(organization, "q1", date(2026, 1, 1), date(2026, 3, 31))
    objective = make_objective(cycle, "grow", owner)
    return objective


def stored(kr: KeyResult) -> tuple[Decimal | None, Decimal | None]:
    kr = fresh(kr)
    return kr.forecast, kr.forecast_progress


def expected_from(kr: KeyResult, days_values: list[tuple[Fraction, Decimal]]) -> engine.Forecast:
    cycle = kr.objective.cycle
    horizon = Fraction(((kr.due or cycle.end) - cycle.start).days + 1)
    assert kr.start is not None and kr.target is not None
    value = contract_forecast(kr.start, days_values, horizon)
    assert value is not None
    return engine.Forecast(to_places(value, 6), contract_progress(value, kr.start, kr.target))


def test_check_ins_keep_the_stored_forecast_and_the_objectives(past):
    sales = make_key_result(past, "sales")  # 0 -> 100
    launch = make_key_result(past, "launch", type="boolean", weight=D(3))
    assert stored(sales) == (None, D(0))  # no check-in: no forecast, no label
    check_in(sales, 10, date(2026, 1, 11))
    expected = expected_from(sales, [(Fraction(10), D(10))])
    assert stored(sales) == (
        expected.value,
        expected.progress,
    )  # 1 a day: 90 at the end of 31 March
    assert expected.value == D("90.000000")
    late = check_in(sales, 5, datetime(2026, 1, 21, 12, tzinfo=UTC))
    points = [(Fraction(10), D(10)), (Fraction(41, 2), D(5))]
    expected = expected_from(sales, points)
    assert stored(sales) == (expected.value, expected.progress)
    # An objective's forecast: the weighted mean, the boolean at its progress (0).
    assert fresh(past).forecast_progress == (expected.progress / 4).quantize(D("1e-12"))
    check_in(launch, 1, date(2026, 1, 5))
    assert fresh(past).forecast_progress == ((expected.progress + 3) / 4).quantize(D("1e-12"))
    # A back-dated check-in counts by its time, not by when it was written.
    check_in(sales, 2, date(2026, 1, 3))
    points.append((Fraction(2), D(2)))
    expected = expected_from(sales, points)
    assert stored(sales) == (expected.value, expected.progress)
    services.checkin_delete(checkin=late)
    expected = expected_from(sales, [(Fraction(10), D(10)), (Fraction(2), D(2))])
    assert stored(sales) == (expected.value, expected.progress)
    assert run_command("recompute", "--check").strip() == "all stored values are up to date"


def edit(kr: KeyResult, **changes: object) -> None:
    kr = fresh(kr)
    services.key_result_update(key_result=kr, spec=services.key_result_spec(kr, **changes))


def test_editing_target_due_or_type_and_moving_the_cycle_refresh_the_forecast(past):
    kr = make_key_result(past, "sales")
    check_in(kr, 30, date(2026, 1, 31))
    edit(kr, target=D(50))
    expected = expected_from(fresh(kr), [(Fraction(30), D(30))])
    assert stored(kr) == (expected.value, expected.progress)
    edit(kr, due=date(2026, 2, 28))
    expected = expected_from(fresh(kr), [(Fraction(30), D(30))])
    assert stored(kr) == (expected.value, expected.progress)
    assert expected.value == D("59.000000")  # 1 a day for 59 days (the end of 28 February)
    services.cycle_update(cycle=past.cycle, end=date(2026, 4, 30))
    edit(kr, due=None)
    expected = expected_from(fresh(kr), [(Fraction(30), D(30))])
    assert stored(kr) == (expected.value, expected.progress)  # to 30 April: 120 days
    services.cycle_update(cycle=Cycle.objects.get(pk=past.cycle_id), start=date(2025, 12, 31))
    expected = expected_from(fresh(kr), [(Fraction(31), D(30))])
    assert stored(kr) == (expected.value, expected.progress)
    assert fresh(past).forecast_progress == expected.progress
    edit(kr, type="stay_above", start=None, target=None, threshold=D(10))
    assert stored(kr) == (None, D(1))  # another type: its progress
    assert run_command("recompute", "--check").strip() == "all stored values are up to date"


def test_check_ins_outside_the_window_do_not_count(past):
    kr = make_key_result(past, "sales", due=date(2026, 1, 31))
    check_in(kr, 10, date(2026, 1, 11))
    check_in(kr, 99, datetime(2026, 1, 31, 23, 59, tzinfo=UTC))  # the due day counts
    last_minute = Fraction(31) - Fraction(1, 1440)
    inside = expected_from(fresh(kr), [(Fraction(10), D(10)), (last_minute, D(99))])
    assert stored(kr) == (inside.value, inside.progress)
    check_in(kr, 0, date(2026, 2, 1))  # after the due day: no part of the forecast
    assert stored(kr) == (inside.value, inside.progress)


def test_recompute_fills_and_check_names_a_forecast_stored_before_forecasts(past):
    kr = make_key_result(past, "sales")
    check_in(kr, 10, date(2026, 1, 11))
    KeyResult.objects.filter(pk=kr.pk).update(forecast=None, forecast_progress=None)
    past.__class__.objects.filter(pk=past.pk).update(forecast_progress=None)
    with pytest.raises(Exception, match="stored value"):
        run_command("recompute", "--check")
    run_command("recompute")
    assert stored(kr)[0] == D("90.000000")
    assert fresh(past).forecast_progress == D("0.9")
    assert run_command("recompute", "--check").strip() == "all stored values are up to date"


def test_the_json_export_adds_the_forecast_and_yaml_stays_as_it_was(past):
    kr = make_key_result(past, "sales")
    make_key_result(past, "launch", type="boolean")
    check_in(kr, 10, date(2026, 1, 11))
    document = export_json()
    sales = key_results_by_ref(document)["sales"]
    assert (sales["forecast"], sales["forecast_progress"], sales["forecast_label"]) == (
        90,
        0.9,
        "possible",
    )
    launch = key_results_by_ref(document)["launch"]
    assert (launch["forecast"], launch["forecast_progress"], launch["forecast_label"]) == (
        None,
        0,
        "unlikely",
    )
    grow = objectives_by_ref(document)["grow"]
    assert (grow["forecast_progress"], grow["forecast_label"]) == (0.45, "unlikely")
    assert "forecast" not in export_text("yaml")
