"""pacer.okrs.periods: the cycle after a cycle, and the names of calendar periods."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pacer.okrs import periods


@pytest.mark.parametrize(
    ("start", "end", "following"),
    [
        # Quarters stay quarters, whatever the length of their months.
        (date(2026, 1, 1), date(2026, 3, 31), (date(2026, 4, 1), date(2026, 6, 30))),
        (date(2026, 4, 1), date(2026, 6, 30), (date(2026, 7, 1), date(2026, 9, 30))),
        (date(2026, 10, 1), date(2026, 12, 31), (date(2027, 1, 1), date(2027, 3, 31))),
        (date(2027, 11, 1), date(2028, 1, 31), (date(2028, 2, 1), date(2028, 4, 30))),
        # A year, a half, a month, a leap February.
        (date(2026, 1, 1), date(2026, 12, 31), (date(2027, 1, 1), date(2027, 12, 31))),
        (date(2026, 7, 1), date(2026, 12, 31), (date(2027, 1, 1), date(2027, 6, 30))),
        (date(2028, 1, 1), date(2028, 1, 31), (date(2028, 2, 1), date(2028, 2, 29))),
        # Not whole months: as many days.
        (date(2026, 1, 5), date(2026, 3, 29), (date(2026, 3, 30), date(2026, 6, 21))),
        (date(2026, 1, 1), date(2026, 1, 14), (date(2026, 1, 15), date(2026, 1, 28))),
        (date(2026, 5, 1), date(2026, 5, 1), (date(2026, 5, 2), date(2026, 5, 2))),
    ],
)
def test_next_cycle_dates(start: date, end: date, following: tuple[date, date]) -> None:
    assert periods.next_cycle_dates(start, end) == following


def test_no_cycle_follows_the_end_of_the_calendar() -> None:
    assert periods.next_cycle_dates(date(9999, 10, 1), date.max) is None
    assert periods.next_cycle_dates(date(9999, 1, 1), date(9999, 9, 30)) is None


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    days=st.integers(min_value=0, max_value=800),
)
def test_the_next_cycle_starts_the_day_after_and_is_as_long(start: date, days: int) -> None:
    end = start + timedelta(days=days)
    following = periods.next_cycle_dates(start, end)
    assert following is not None
    first, last = following
    assert first == end + timedelta(days=1)
    months = periods.whole_months(start, end)
    if months:
        assert periods.whole_months(first, last) == months
    else:
        assert last - first == end - start


@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_the_quarter_after_a_quarter_is_the_next_quarter(day: date) -> None:
    start, end = periods.quarter_of(day)
    assert start <= day <= end
    assert periods.next_cycle_dates(start, end) == periods.quarter_of(end + timedelta(days=1))


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (date(2026, 7, 1), date(2026, 9, 30), ("2026-q3", "2026 Q3")),
        (date(2027, 1, 1), date(2027, 6, 30), ("2027-h1", "2027 H1")),
        (date(2027, 1, 1), date(2027, 12, 31), ("2027", "2027")),
        (date(2026, 7, 1), date(2026, 7, 31), ("2026-07", "July 2026")),
        # Three whole months that are not a calendar quarter.
        (date(2026, 2, 1), date(2026, 4, 30), ("2026-02-01", "1 Feb 2026 to 30 Apr 2026")),
        (date(2026, 3, 30), date(2026, 6, 22), ("2026-03-30", "30 Mar 2026 to 22 Jun 2026")),
    ],
)
def test_cycle_label(start: date, end: date, label: tuple[str, str]) -> None:
    assert periods.cycle_label(start, end) == label


def test_the_checkin_period_starts_on_monday_in_the_persons_time_zone() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    sunday_night_utc = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)  # Monday 10:00 at UTC+14
    utc_start = periods.checkin_period_start(sunday_night_utc, UTC)
    assert utc_start == datetime(2026, 11, 30, tzinfo=UTC)
    kiritimati = ZoneInfo("Pacific/Kiritimati")
    assert periods.checkin_period_start(sunday_night_utc, kiritimati) == datetime(
        2026, 12, 7, tzinfo=kiritimati
    )
    assert periods.checkin_period_due(utc_start) == date(2026, 12, 6)
