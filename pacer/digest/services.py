"""The weekly digest (issue 12, item 5): once a week, Monday 08:00 in each person's time
zone, one notification summarising the last 7 days of what they own and follow.

Everything it names comes from `objectives_visible_to(person)`, so a private objective the
person cannot see (or no longer sees, though they once followed it) never appears. Each
section lists at most LINES lines and says how many more there are. The notification is
keyed `digest:<ISO year>-W<week>`, so any number of runs in a week send one digest.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, TypeVar

from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery

from pacer.accounts.models import User
from pacer.events import kinds as events
from pacer.events.models import Event
from pacer.notifications import kinds
from pacer.notifications.models import Follow, Notification, Preference
from pacer.notifications.services import notify
from pacer.okrs import periods
from pacer.okrs import progress as engine
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Membership, Objective
from pacer.okrs.selectors import objectives_visible_to
from pacer.web.selectors.focus import person_zone

LINES = 5  # lines a section; the rest is "and N more"
WEEKDAY, AT = 0, time(8, 0)  # Monday 08:00, the person's wall time
LATE = timedelta(days=1)  # a worker down on Monday morning still sends it that day
WINDOW = timedelta(days=7)
PERIOD_DAYS = {periods.WEEKLY: 7, periods.BIWEEKLY: 14, periods.MONTHLY: 31}
SLIPPING = (engine.AT_RISK, engine.OFF_TRACK)
M = TypeVar("M", bound=Model)
WORDS = {"on_track": "on track", "at_risk": "at risk", "off_track": "off track"}


@dataclass
class Section:
    heading: str
    lines: list[str]
    total: int


@dataclass
class Digest:
    person: User
    key: str
    sections: list[Section] = field(default_factory=list)

    @property
    def title(self) -> str:
        return "Your weekly OKR digest"

    def body(self) -> str:
        parts = []
        for section in self.sections:
            lines = [f"- {line}" for line in section.lines]
            if section.total > len(section.lines):
                lines.append(f"and {section.total - len(section.lines)} more")
            parts.append(f"{section.heading} ({section.total})\n" + "\n".join(lines))
        return "\n\n".join(parts)


def week_moment(person: User, now: datetime) -> datetime:
    """Monday 08:00 of the person's current week, in their time zone."""
    zone = person_zone(person)
    local = now.astimezone(zone).date()
    monday = local - timedelta(days=(local.weekday() - WEEKDAY) % 7)
    return datetime.combine(monday, AT, tzinfo=zone)


def digest_key(moment: datetime) -> str:
    year, week, _ = moment.date().isocalendar()
    return f"digest:{year}-W{week:02d}"


def is_due(person: User, now: datetime) -> bool:
    moment = week_moment(person, now)
    return moment <= now < moment + LATE


def candidates() -> list[User]:
    """Active people of an organization who have not turned the digest off everywhere (the
    default is on by email); notify() checks the channels again."""
    on_by_default = {c for c in kinds.CHANNELS if (kinds.WEEKLY_DIGEST, c) in kinds.DEFAULTS}
    chosen = Preference.objects.filter(person=OuterRef("pk"), kind=kinds.WEEKLY_DIGEST)
    turned_on = chosen.filter(enabled=True)
    defaults_left = ~Exists(chosen.filter(channel__in=on_by_default, enabled=False))
    people = User.objects.filter(is_active=True, organization__isnull=False)
    wanted = Exists(turned_on) | defaults_left if on_by_default else Exists(turned_on)
    return list(people.filter(wanted).select_related("organization").order_by("pk"))


def scope(person: User) -> QuerySet[Objective]:
    """What the person owns and follows in active cycles, among what they may see: their
    objectives, those holding a key result they own, those they follow, those of the teams
    they follow."""
    follows = Follow.objects.filter(person=person)
    return objectives_visible_to(person).filter(
        Q(owner=person)
        | Q(pk__in=KeyResult.objects.filter(owner=person).values("objective_id"))
        | Q(pk__in=follows.filter(objective__isnull=False).values("objective_id"))
        | Q(team_id__in=follows.filter(team__isnull=False).values("team_id")),
        cycle__state=Cycle.State.ACTIVE,
        archived_at__isnull=True,
    )


def cut(rows: QuerySet[M]) -> tuple[list[M], int]:
    """The first LINES rows and how many there are (two queries)."""
    return list(rows[:LINES]), rows.count()


def number(value: Any, unit: str = "") -> str:
    if value is None:
        return "none"
    text = f"{value:f}" if hasattr(value, "as_tuple") else str(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")  # 45.500000 -> 45.5, and never 30 -> 3
    return f"{text} {unit}".rstrip() if unit and unit != "%" else f"{text}{unit}"


def progress_section(objectives: QuerySet[Objective], since: datetime) -> Section:
    """Key results checked in during the window: value and confidence before and now."""
    before = CheckIn.objects.filter(key_result=OuterRef("pk"), at__lt=since).order_by("-at", "-id")
    checked = KeyResult.objects.filter(
        Exists(CheckIn.objects.filter(key_result=OuterRef("pk"), at__gte=since)),
        objective__in=objectives,
    ).annotate(
        value_before=Subquery(before.values("value")[:1]),
        confidence_before=Subquery(before.values("confidence")[:1]),
    )
    found, total = cut(checked.select_related("objective").order_by("-last_checkin_at", "id"))
    lines = []
    for kr in found:
        annotated: Any = kr  # value_before, confidence_before: the subqueries above
        was = annotated.value_before if annotated.value_before is not None else kr.start
        line = (
            f"{kr.title} ({kr.objective.title}): {number(was, kr.unit)}"
            f" → {number(kr.current, kr.unit)}, {round(kr.progress * 100)}% done"
        )
        if kr.confidence and kr.confidence != (annotated.confidence_before or ""):
            was = WORDS.get(annotated.confidence_before or "", "no confidence")
            line += f"; confidence {was} → {WORDS.get(kr.confidence, kr.confidence)}"
        lines.append(line)
    return Section("Progress and confidence this week", lines, total)


def slipping_section(objectives: QuerySet[Objective], since: datetime) -> Section:
    """Status changes to at risk or off track recorded in the window (the outbox's
    snapshots: what it became then)."""
    changes = Event.objects.filter(
        kind__in=(events.KEY_RESULT_STATUS_CHANGED, events.OBJECTIVE_STATUS_CHANGED),
        created_at__gte=since,
        objective__in=objectives,
        payload__to__in=SLIPPING,
    ).order_by("-created_at", "-id")
    found, total = cut(changes)
    lines = []
    for event in found:
        data = event.payload.get("key_result") or event.payload.get("objective") or {}
        to = WORDS.get(event.payload.get("to", ""), event.payload.get("to", ""))
        lines.append(f"{data.get('title', '')}: became {to}")
    return Section("Became at risk or off track", lines, total)


def stale_section(objectives: QuerySet[Objective], now: datetime) -> Section:
    """Key results not done with no check-in for two periods of their cadence (the team's,
    else the organization's)."""
    done = Q(progress__gte=engine.ONE) & ~Q(type__in=engine.HEALTH_TYPES)
    stale = Q(pk__in=[])
    for cadence, days in PERIOD_DAYS.items():
        cutoff = now - timedelta(days=2 * days)
        team_cadence = Q(objective__team__checkin_cadence=cadence)
        org_cadence = Q(objective__team__checkin_cadence="") | Q(objective__team__isnull=True)
        org_cadence &= Q(organization__checkin_cadence=cadence)
        quiet = Q(last_checkin_at__lt=cutoff) | Q(
            last_checkin_at__isnull=True, objective__cycle__start__lt=cutoff.date()
        )
        stale |= (team_cadence | org_cadence) & quiet
    krs = (
        KeyResult.objects.filter(objective__in=objectives)
        .exclude(done)
        .filter(stale)
        .select_related("objective")
        .order_by("last_checkin_at", "id")
    )
    found, total = cut(krs)
    lines = [f"{kr.title} ({kr.objective.title}): {last_checkin(kr)}" for kr in found]
    return Section("Stale key results (no check-in for two periods)", lines, total)


def last_checkin(kr: KeyResult) -> str:
    if kr.last_checkin_at is None:
        return "no check-in yet"
    return f"last check-in {kr.last_checkin_at:%Y-%m-%d}"


def empty_section(objectives: QuerySet[Objective]) -> Section:
    without = objectives.filter(~Exists(KeyResult.objects.filter(objective=OuterRef("pk"))))
    found, total = cut(without.order_by("title", "id"))
    return Section("Objectives without key results", [o.title for o in found], total)


def people_section(person: User) -> Section:
    """Members of the person's teams who own no objective or key result they can see in an
    active cycle (a private objective they cannot see is not counted, nor named)."""
    visible = objectives_visible_to(person).filter(
        cycle__state=Cycle.State.ACTIVE, archived_at__isnull=True
    )
    my_teams = Membership.objects.filter(person=person).values("team_id")
    has_okrs = Q(pk__in=visible.values("owner_id")) | Q(
        # Without the NULL owners: NOT IN a list holding NULL is never true.
        pk__in=KeyResult.objects.filter(objective__in=visible, owner__isnull=False).values(
            "owner_id"
        )
    )
    people = (
        User.objects.filter(
            is_active=True,
            organization=person.organization,
            memberships__team_id__in=my_teams,
        )
        .exclude(pk=person.pk)
        .exclude(has_okrs)
        .distinct()
        .order_by("name", "email")
    )
    found, total = cut(people)
    return Section(
        "People in your teams without OKRs this cycle", [p.name or p.email for p in found], total
    )


def digest_for(person: User, now: datetime) -> Digest | None:
    """The digest due to `person` at `now`, or None if it is not due or says nothing."""
    if not is_due(person, now):
        return None
    since = now - WINDOW
    objectives = scope(person)
    sections = [
        progress_section(objectives, since),
        slipping_section(objectives, since),
        stale_section(objectives, now),
        empty_section(objectives),
        people_section(person),
    ]
    said = [section for section in sections if section.total]
    if not said:
        return None
    return Digest(person=person, key=digest_key(week_moment(person, now)), sections=said)


def send_digests(*, now: datetime, dry_run: bool = False) -> list[Digest]:
    """Send every digest due at `now` (once a week each); those sent, or with `dry_run`
    those that would be (nothing is written)."""
    sent = []
    for person in candidates():
        if not is_due(person, now):
            continue
        key = digest_key(week_moment(person, now))
        if Notification.objects.filter(person=person, key=key).exists():
            continue
        digest = digest_for(person, now)
        if digest is None:
            continue
        if dry_run or notify(
            person=person,
            kind=kinds.WEEKLY_DIGEST,
            key=digest.key,
            title=digest.title,
            body=digest.body(),
            url="/",
        ):
            sent.append(digest)
    return sent
