"""Who is due a check-in reminder, and sending it (docs/reminders.md).

A person is due when at least one key result awaits their check-in (THE rule,
`key_results_awaiting_checkin`) and the reminder moment of that key result's period (the
organization's reminder weekday and time, in the person's time zone) has passed. The
reminder is a notification keyed `reminder:<period start>`, so a second run in the same
period finds it and sends nothing; a nudge is keyed `nudge:<date>`, once a day.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q

from pacer.accounts.models import User
from pacer.notifications import kinds
from pacer.notifications.models import Notification
from pacer.notifications.services import notify
from pacer.okrs import periods, permissions
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Cycle, KeyResult
from pacer.reminders.links import link_path
from pacer.web.selectors.cycles import active_cycles
from pacer.web.selectors.focus import key_results_awaiting_checkin, person_zone

LISTED = 10  # titles in one message; the rest is "and N more"
PREFIX = "reminder:"  # a reminder's key: PREFIX and its period's first day


@dataclass
class Reminder:
    person: User
    key: str
    start: datetime  # the period's start, in the person's time zone
    end: datetime  # when it ends: the link expires then
    titles: list[str]
    total: int


def candidates() -> list[User]:
    """Active people who answer for a key result of an active cycle (as its owner, or as
    its objective's owner when it has none): everyone else has nothing to await."""
    live = Q(objective__cycle__state=Cycle.State.ACTIVE, objective__archived_at__isnull=True)
    owners = KeyResult.objects.filter(live, owner__isnull=False).values("owner_id")
    objective_owners = KeyResult.objects.filter(live, owner__isnull=True).values(
        "objective__owner_id"
    )
    return list(
        User.objects.filter(is_active=True, organization__isnull=False)
        .filter(Q(pk__in=owners) | Q(pk__in=objective_owners))
        .select_related("organization")
        .order_by("pk")
    )


def period_of(kr: KeyResult, person: User, now: datetime) -> tuple[str, datetime]:
    """The cadence and the start of the key result's current period for `person`."""
    organization = person.organization
    assert organization is not None
    team = kr.objective.team
    cadence = (team.checkin_cadence if team else "") or organization.checkin_cadence
    start = periods.checkin_period_start(
        now, person_zone(person), cadence, kr.objective.cycle.start
    )
    return cadence, start


CycleCache = dict[tuple[int | None, date], list[Cycle]]


def awaiting(person: User, now: datetime, cycles: CycleCache | None = None) -> list[KeyResult]:
    """What awaits `person` (THE rule), in the active cycles running on their today;
    `cycles` keeps those per organization and day over a run (a query less a person)."""
    local_today = now.astimezone(person_zone(person)).date()
    cache = {} if cycles is None else cycles
    key = (person.organization_id, local_today)
    if key not in cache:
        cache[key] = active_cycles(person, on=local_today)
    return list(key_results_awaiting_checkin(person, cache[key], now=now))


def reminder_for(person: User, now: datetime, cycles: CycleCache | None = None) -> Reminder | None:
    """The reminder due to `person` at `now`, or None: the awaiting key results whose
    period's reminder moment has passed, keyed by the latest such period (with several
    cadences, the shortest period), so one message goes out per period."""
    organization = person.organization
    assert organization is not None
    due: list[KeyResult] = []
    latest: tuple[datetime, str] | None = None
    for kr in awaiting(person, now, cycles):
        cadence, start = period_of(kr, person, now)
        moment = periods.reminder_moment(
            start, organization.reminder_weekday, organization.reminder_time
        )
        if now >= moment:
            due.append(kr)
            if latest is None or start > latest[0]:
                latest = (start, cadence)
    if latest is None:
        return None
    start, cadence = latest
    return Reminder(
        person=person,
        key=f"{PREFIX}{start.date().isoformat()}",
        start=start,
        end=periods.checkin_period_end(start, cadence),
        titles=[kr.title for kr in due[:LISTED]],
        total=len(due),
    )


def body_of(titles: list[str], total: int) -> str:
    lines = [f"- {title}" for title in titles]
    if total > len(titles):
        lines.append(f"and {total - len(titles)} more")
    return "\n".join(lines)


def deliver(reminder: Reminder, *, kind_key: str, title: str) -> Notification | None:
    """The notification of `reminder` under `kind_key` (None if it exists already)."""
    return notify(
        person=reminder.person,
        kind=kinds.REMINDER,
        key=kind_key,
        title=title,
        body=body_of(reminder.titles, reminder.total),
        url=link_path(reminder.person, reminder.end),  # messaging links it in mail and chat
    )


def count_awaiting(total: int) -> str:
    """The count in words: 1 key result awaits you, 3 key results await you."""
    return f"{total} key result awaits you" if total == 1 else f"{total} key results await you"


def headline(total: int) -> str:
    return f"Time to check in: {count_awaiting(total)}"


def reminded_on(now: datetime) -> dict[int, date]:
    """The start of each person's latest reminder period (from the keys) among the last
    two months' (a period is a month at most), one query."""
    latest: dict[int, date] = {}
    since = f"{PREFIX}{(now - timedelta(days=62)).date().isoformat()}"
    keys = Notification.objects.filter(
        kind=kinds.REMINDER, key__startswith=PREFIX, key__gte=since
    ).values_list("person_id", "key")
    for person_id, key in keys:
        try:
            day = date.fromisoformat(key.removeprefix(PREFIX))
        except ValueError:
            continue
        latest[person_id] = max(day, latest.get(person_id, day))
    return latest


def reminded_this_period(person: User, now: datetime, latest: dict[int, date]) -> bool:
    """Whether the person's latest reminder is of a period starting no earlier than any
    period running now (a weekly or monthly one; a biweekly one never starts later than the
    week): then nothing new can be due, and the run skips the person without building the
    awaiting query (the periodic task runs every few minutes)."""
    if person.pk not in latest:
        return False
    zone = person_zone(person)
    newest = max(
        periods.checkin_period_start(now, zone, cadence).date()
        for cadence in (periods.WEEKLY, periods.MONTHLY)
    )
    return latest[person.pk] >= newest


def send_reminders(*, now: datetime, dry_run: bool = False) -> list[Reminder]:
    """Send every reminder due at `now`; the ones sent (with `dry_run`, the ones that would
    be, and nothing is written)."""
    sent: list[Reminder] = []
    cycles: CycleCache = {}
    people = candidates()
    latest = reminded_on(now)
    for person in people:
        if reminded_this_period(person, now, latest):
            continue
        reminder = reminder_for(person, now, cycles)
        if reminder is None:
            continue
        if dry_run:
            already = Notification.objects.filter(person=person, key=reminder.key).exists()
            if not already:
                sent.append(reminder)
        elif deliver(reminder, kind_key=reminder.key, title=headline(reminder.total)):
            sent.append(reminder)
    return sent


def nudge(*, actor: User, person: User, now: datetime) -> Notification:
    """Remind `person` now, on behalf of `actor` (an admin or a lead of one of their teams),
    once a day (in the person's time zone): the same message as the reminder, listing what
    awaits them, with the one-click link. DomainError if not allowed or nudged today."""
    if not permissions.can_nudge(actor, person):
        raise DomainError("Only admins and the leads of their teams may nudge them.", "person")
    organization = person.organization
    assert organization is not None
    keys = awaiting(person, now)
    start = periods.checkin_period_start(now, person_zone(person), organization.checkin_cadence)
    reminder = Reminder(
        person=person,
        key=f"nudge:{now.astimezone(person_zone(person)).date().isoformat()}",
        start=start,
        end=periods.checkin_period_end(start, organization.checkin_cadence),
        titles=[kr.title for kr in keys[:LISTED]],
        total=len(keys),
    )
    if Notification.objects.filter(person=person, key=reminder.key).exists():
        raise DomainError(f"{person} was already nudged today.", "person")
    title = f"{actor} asks you to check in" + (
        f": {count_awaiting(reminder.total)}" if reminder.total else ""
    )
    created = deliver(reminder, kind_key=reminder.key, title=title)
    if created is None:
        # Raced with another nudge, or the person wants no reminders at all.
        raise DomainError(f"{person} was already nudged today or takes no reminders.", "person")
    return created
