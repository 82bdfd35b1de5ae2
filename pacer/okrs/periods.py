"""Calendar periods, pure: the cycle after a cycle, a quarter's name, the check-in period.

A cycle of whole calendar months (a quarter, a half, a year, a month) is followed by as many
whole months, so that quarters stay quarters whatever the length of their months (2026 Q1,
90 days, is followed by 2026 Q2, 91 days). Any other cycle is followed by one as many days
long. Plain dates in, plain dates and strings out, no ORM.
"""

from datetime import UTC, date, datetime, time, timedelta, tzinfo

# The check-in rhythm's cadences (docs/semantics.md, "Check-in rhythm"): set for the
# organization, overridable per team.
WEEKLY, BIWEEKLY, MONTHLY = "weekly", "biweekly", "monthly"
CADENCES = (WEEKLY, BIWEEKLY, MONTHLY)


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    following = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def whole_months(start: date, end: date) -> int:
    """How many calendar months `start`..`end` spans if it is whole months, else 0."""
    if start.day != 1 or end != month_end(end.year, end.month) or end < start:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def add_months(day: date, months: int) -> tuple[int, int]:
    """The (year, month) `months` after the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def next_cycle_dates(start: date, end: date) -> tuple[date, date] | None:
    """The dates of the cycle after `start`..`end`: it starts the day after and is as long
    (as many whole months, for a cycle of whole months). None past the calendar's end."""
    try:
        first = date.fromordinal(end.toordinal() + 1)
        months = whole_months(start, end)
        if months:
            year, month = add_months(first, months - 1)
            return first, month_end(year, month)
        return first, date.fromordinal(first.toordinal() + (end - start).days)
    except (OverflowError, ValueError):
        return None


def quarter_of(day: date) -> tuple[date, date]:
    """The calendar quarter `day` lies in."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    return date(day.year, first_month, 1), month_end(day.year, first_month + 2)


def cycle_label(start: date, end: date) -> tuple[str, str]:
    """A ref and a name for a cycle from `start` to `end`: 2026-q3 and 2026 Q3 for a quarter,
    2026-h2 / 2026 H2 for a half, 2027 for a year, 2026-07 / July 2026 for a month, and the
    dates otherwise."""
    months, year = whole_months(start, end), start.year
    if months == 3 and start.month % 3 == 1:
        quarter = (start.month - 1) // 3 + 1
        return f"{year}-q{quarter}", f"{year} Q{quarter}"
    if months == 6 and start.month in (1, 7):
        half = 1 if start.month == 1 else 2
        return f"{year}-h{half}", f"{year} H{half}"
    if months == 12 and start.month == 1:
        return str(year), str(year)
    if months == 1:
        return f"{start:%Y-%m}", f"{start:%B %Y}"
    return f"{start:%Y-%m-%d}", f"{start.day} {start:%b %Y} to {end.day} {end:%b %Y}"


def checkin_period_start(
    now: datetime, zone: tzinfo, cadence: str = WEEKLY, anchor: date | None = None
) -> datetime:
    """The start of the check-in period holding `now` (docs/semantics.md, "Check-in
    rhythm"), in `zone`, the person's time zone: Monday 00:00 of its week (weekly), of every
    other week counted from the Monday of `anchor`'s week (biweekly; `anchor` is the cycle's
    start, today's week when unknown), or the 1st of its month 00:00 (monthly)."""
    local = now.astimezone(zone).date()
    if cadence == MONTHLY:
        first = local.replace(day=1)
    else:
        first = local - timedelta(days=local.weekday())
        if cadence == BIWEEKLY and anchor is not None:
            anchor_monday = anchor - timedelta(days=anchor.weekday())
            weeks = (first - anchor_monday).days // 7
            first -= timedelta(weeks=weeks % 2)  # floor: also before the anchor
    return datetime.combine(first, time.min, tzinfo=zone)


def checkin_period_end(start: datetime, cadence: str = WEEKLY) -> datetime:
    """When the period starting at `start` ends (the next one's start, exclusive), as a wall
    time in the same zone (so a daylight-saving change inside it does not shift it)."""
    if cadence == MONTHLY:
        year, month = add_months(start.date(), 1)
        return datetime.combine(date(year, month, 1), time.min, tzinfo=start.tzinfo)
    days = 14 if cadence == BIWEEKLY else 7
    return datetime.combine(start.date() + timedelta(days=days), time.min, tzinfo=start.tzinfo)


def checkin_period_due(start: datetime, cadence: str = WEEKLY) -> date:
    """The last day of the check-in period starting at `start` (a week: its Sunday)."""
    return checkin_period_end(start, cadence).date() - timedelta(days=1)


def reminder_moment(start: datetime, weekday: int, at: time) -> datetime:
    """When the reminder of the period starting at `start` is due: the first `weekday`
    (0 Monday) of the period at `at`, wall time in the period's zone. In UTC, so that it
    compares with any other moment (aware datetimes sharing a tzinfo compare as wall
    times, which is wrong across a daylight-saving change)."""
    day = start.date() + timedelta(days=(weekday - start.weekday()) % 7)
    return datetime.combine(day, at, tzinfo=start.tzinfo).astimezone(UTC)
