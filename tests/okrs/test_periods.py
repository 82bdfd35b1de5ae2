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


def test_biweekly_periods_count_every_other_monday_from_the_cycles_start() -> None:
    from datetime import UTC, datetime

    anchor = date(2026, 7, 1)  # a Wednesday: its week's Monday is 29 June
    for day, start in [
        (date(2026, 6, 29), date(2026, 6, 29)),
        (date(2026, 7, 12), date(2026, 6, 29)),
        (date(2026, 7, 13), date(2026, 7, 13)),
        (date(2026, 7, 26), date(2026, 7, 13)),
        (date(2026, 6, 28), date(2026, 6, 15)),  # before the anchor, still every other week
    ]:
        now = datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=12)
        got = periods.checkin_period_start(now, UTC, periods.BIWEEKLY, anchor)
        assert got.date() == start, day
        assert periods.checkin_period_due(got, periods.BIWEEKLY) == start + timedelta(days=13)


def test_monthly_periods_start_on_the_first_in_the_persons_time_zone() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    new_year_eve_utc = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)  # 1 Jan 10:00 at UTC+14
    start = periods.checkin_period_start(new_year_eve_utc, UTC, periods.MONTHLY)
    assert start.date() == date(2026, 12, 1)
    assert periods.checkin_period_due(start, periods.MONTHLY) == date(2026, 12, 31)
    kiritimati = ZoneInfo("Pacific/Kiritimati")
    local = periods.checkin_period_start(new_year_eve_utc, kiritimati, periods.MONTHLY)
    assert local.date() == date(2027, 1, 1)
    assert periods.checkin_period_end(local, periods.MONTHLY).date() == date(2027, 2, 1)


def test_the_reminder_moment_is_the_periods_first_reminder_weekday_at_the_time() -> None:
    from datetime import UTC, datetime, time
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    week = datetime(2026, 10, 19, tzinfo=berlin)  # a Monday
    assert periods.reminder_moment(week, 0, time(9)) == datetime(2026, 10, 19, 7, tzinfo=UTC)
    assert periods.reminder_moment(week, 4, time(16, 30)) == datetime(
        2026, 10, 23, 14, 30, tzinfo=UTC
    )
    # Monthly: the first Monday of November 2026 is the 2nd, after the clocks went back.
    month = datetime(2026, 11, 1, tzinfo=berlin)
    assert periods.reminder_moment(month, 0, time(9)) == datetime(2026, 11, 2, 8, tzinfo=UTC)
