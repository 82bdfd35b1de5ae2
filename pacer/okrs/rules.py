"""Domain rules shared by forms, the API, the YAML importer and the CLI.

Each rule returns a list of (field, message) problems; an empty list means valid. Keeping
them here, free of the ORM, is what lets every entry point reject the same input the same way.
"""

import re
import zoneinfo
from collections.abc import Callable, Hashable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Protocol, TypeVar

from pacer.okrs import periods
from pacer.okrs import progress as engine

Problem = tuple[str, str]
Node = TypeVar("Node", bound=Hashable)
# Stored values keep 24 digits, 6 of them after the point (see models.py). SQLite keeps a
# decimal as a number Django reads back with 15 significant digits (a double's DBL_DIG), and
# files carry numbers with decimals as floats: 15 significant digits survive both exactly.
MAX_INTEGER_DIGITS = 15
MAX_SIGNIFICANT_DIGITS = 15
DECIMAL_PLACES = 6
# Weights keep 8 digits, 3 of them after the point (see models.py).
MAX_WEIGHT, WEIGHT_PLACES = Decimal(100_000), 3
MAX_VALUE = Decimal(10) ** MAX_INTEGER_DIGITS
# Cycles lie in these years: a year-1 or year-9999 date is a typo, and breaks date arithmetic.
FIRST_CYCLE_YEAR, LAST_CYCLE_YEAR = 2000, 2100
# A check-in may be dated from the cycle's first day as it begins in the earliest time zone
# (UTC+14): 00:00 UTC on the start date minus 14 hours, so that any local time on that day,
# anywhere, is accepted whatever the server's TIME_ZONE.
EARLIEST_UTC_OFFSET = timedelta(hours=14)
# The work one request may cause: check-ins per bulk request, and links in a chain of
# objectives following one another (a check-in at the bottom refreshes every level above).
MAX_BULK_CHECKINS = 100
MAX_LINK_DEPTH = 10
# A check-in's value lies "far" outside its key result's range when it is beyond either end
# by more than FAR_OUT_SPANS times the span (metric: start..target; range: low..high). It is
# allowed (a metric may overshoot), but the web form asks to confirm it: such a value is
# usually a typo (1e9 on a 0 → 80 % key result). See far_outside_range.
FAR_OUT_SPANS = 10


def cycle_problems(*, start: date, end: date) -> list[Problem]:
    problems = [
        (name, f"must lie in the years {FIRST_CYCLE_YEAR} to {LAST_CYCLE_YEAR}, not {day}")
        for name, day in (("start", start), ("end", end))
        if not FIRST_CYCLE_YEAR <= day.year <= LAST_CYCLE_YEAR
    ]
    if problems:
        return problems
    if end < start:
        return [("end", f"the cycle ends ({end}) before it starts ({start})")]
    return []


def bands_problems(*, at_risk_gap: Decimal, off_track_gap: Decimal) -> list[Problem]:
    problems = []
    for name, value in (("at_risk_gap", at_risk_gap), ("off_track_gap", off_track_gap)):
        if not 0 <= value <= 1:
            problems.append((name, f"must lie between 0 and 1, not {value}"))
    if not problems and at_risk_gap > off_track_gap:
        problems.append(("off_track_gap", "must not be smaller than at_risk_gap"))
    return problems


def key_result_problems(
    *,
    type: str,
    start: Decimal | None = None,
    target: Decimal | None = None,
    threshold: Decimal | None = None,
    low: Decimal | None = None,
    high: Decimal | None = None,
    weight: Decimal = Decimal(1),
    due: date | None = None,
    cycle_start: date | None = None,
    cycle_end: date | None = None,
    has_linked_objective: bool = False,
) -> list[Problem]:
    problems: list[Problem] = []
    if type not in engine.KR_TYPES:
        return [("type", f"must be one of {', '.join(engine.KR_TYPES)}, not {type!r}")]
    numbers = {"start": start, "target": target, "threshold": threshold, "low": low, "high": high}
    for name, number in numbers.items():
        problems += number_problems(name, number) if number is not None else []
    problems += weight_problems(weight)
    if type == engine.METRIC:
        problems += _required(start=start, target=target)
        if start is not None and target is not None and start == target:
            problems.append(("target", f"must differ from start ({start})"))
    elif type in (engine.STAY_ABOVE, engine.STAY_BELOW):
        problems += _required(threshold=threshold)
    elif type == engine.RANGE:
        problems += _required(low=low, high=high)
        if low is not None and high is not None and low >= high:
            problems.append(("high", f"must be greater than low ({low}), not {high}"))
    elif type == engine.LINKED and not has_linked_objective:
        problems.append(("objective", "a linked key result needs the objective it follows"))
    in_cycle = (
        cycle_start is None or cycle_end is None or cycle_start <= (due or cycle_start) <= cycle_end
    )
    if due is not None and not in_cycle:
        problems.append(("due", f"{due} lies outside the cycle ({cycle_start} to {cycle_end})"))
    return problems


def _required(**values: object) -> list[Problem]:
    return [(name, "is required for this type") for name, value in values.items() if value is None]


def checkin_problems(
    *,
    type: str,
    value: Decimal | None,
    confidence: str | None,
    at: datetime,
    now: datetime,
    cycle_start: date | None,
) -> list[Problem]:
    """A check-in's value suits its key result's type; `at` lies in its cycle's window, from
    the cycle's first day (`checkin_earliest`) to now. `cycle_start` None: no lower bound
    (stored check-ins judged for a type change)."""
    problems: list[Problem] = []
    derived = type in engine.DERIVED_TYPES
    if value is None and not derived:
        problems.append(("value", "is required"))
    if value is not None and derived:
        problems.append(("value", f"a {type} key result takes no value (its progress is derived)"))
    elif value is not None and (wrong := number_problems("value", value)):
        problems += wrong
    elif type == engine.BOOLEAN and value is not None and value not in (0, 1):
        problems.append(("value", f"a yes/no key result takes 0 or 1, not {value}"))
    if confidence and confidence not in engine.CONFIDENCES:
        allowed = ", ".join(engine.CONFIDENCES)
        problems.append(("confidence", f"must be one of {allowed}, not {confidence!r}"))
    if at > now:
        problems.append(("at", f"{at.isoformat()} is in the future"))
    elif cycle_start is not None and at < checkin_earliest(cycle_start):
        problems.append(
            ("at", f"{at.isoformat()} lies before its cycle, which starts on {cycle_start}")
        )
    return problems


def number_problems(field: str, value: Decimal) -> list[Problem]:
    """A number that is stored and exported exactly (see MAX_SIGNIFICANT_DIGITS)."""
    if not value.is_finite():
        return [(field, f"must be a number, not {value}")]
    if abs(value) >= MAX_VALUE:
        return [(field, f"is too large (at most {MAX_INTEGER_DIGITS} digits before the point)")]
    _, digits, exponent = value.normalize().as_tuple()
    if int(exponent) < -DECIMAL_PLACES:
        return [(field, f"has more than {DECIMAL_PLACES} decimal places")]
    if len(digits) > MAX_SIGNIFICANT_DIGITS:
        return [(field, f"has more than {MAX_SIGNIFICANT_DIGITS} significant digits")]
    return []


def weight_problems(weight: Decimal | int) -> list[Problem]:
    weight = Decimal(weight)
    if not weight.is_finite() or not 0 <= weight < MAX_WEIGHT:
        return [("weight", f"must be 0 or more and less than {MAX_WEIGHT:,}, not {weight}")]
    if int(weight.normalize().as_tuple().exponent) < -WEIGHT_PLACES:
        return [("weight", f"has more than {WEIGHT_PLACES} decimal places")]
    return []


def far_outside_range(
    value: Decimal | None,
    *,
    type: str,
    start: Decimal | None = None,
    target: Decimal | None = None,
    low: Decimal | None = None,
    high: Decimal | None = None,
) -> bool:
    """Whether `value` lies more than FAR_OUT_SPANS spans beyond either end of its key
    result's range (metric, range); other types have no range to be far from."""
    ends = (start, target) if type == engine.METRIC else (low, high)
    if value is None or type not in (engine.METRIC, engine.RANGE) or None in ends:
        return False
    lowest, highest = min(e for e in ends if e is not None), max(e for e in ends if e is not None)
    reach = FAR_OUT_SPANS * (highest - lowest)
    return value < lowest - reach or value > highest + reach


def checkin_moment_problems(at: datetime, taken: bool) -> list[Problem]:
    """A key result has one check-in at a moment: the history is ordered by `at`."""
    return [("at", f"a second check-in at {at.isoformat()}")] if taken else []


def earliest_checkin_problems(
    field: str, earliest: datetime | None, cycle_start: date
) -> list[Problem]:
    """Check-ins stay in their cycle's window when a cycle's start or a key result's cycle
    changes (`earliest`: the first of the check-ins concerned, None if there are none)."""
    if earliest is None or earliest >= checkin_earliest(cycle_start):
        return []
    day = earliest.date().isoformat()
    return [(field, f"a check-in on {day} would lie before the cycle, starting {cycle_start}")]


def checkin_earliest(cycle_start: date) -> datetime:
    """The earliest moment a check-in of a cycle starting on `cycle_start` may carry."""
    return datetime.combine(cycle_start, time.min, tzinfo=UTC) - EARLIEST_UTC_OFFSET


def bulk_size_problems(count: int) -> list[Problem]:
    """One bulk request writes at most MAX_BULK_CHECKINS check-ins (one transaction)."""
    if count > MAX_BULK_CHECKINS:
        return [("items", f"at most {MAX_BULK_CHECKINS} check-ins at once, not {count}")]
    return []


def type_change_problems(
    *, new_type: str, stored: Iterable[tuple[datetime, Decimal | None]], now: datetime
) -> list[Problem]:
    """A key result may change type only if its stored check-ins (at, value) suit the new one."""
    for at, value in stored:
        problems = checkin_problems(
            type=new_type, value=value, confidence=None, at=at, now=now, cycle_start=None
        )
        if problems:
            return [
                (
                    "type",
                    f"cannot become {new_type}: its check-in of {at:%Y-%m-%d} ({problems[0][1]})",
                )
            ]
    return []


def closes_loop(edges: Callable[[Node], Iterable[Node]], source: Node, target: Node) -> bool:
    """Whether adding the edge source -> target would close a loop in a directed graph.

    `edges(node)` gives the nodes `node` already points to. A loop appears when `source`
    is reachable from `target` (or they are the same node).
    """
    seen: set[Node] = set()
    stack = [target]
    while stack:
        node = stack.pop()
        if node == source:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(edges(node))
    return False


def chain_length(
    step: Callable[[frozenset[Node]], Iterable[Node]], start: Node, *, limit: int
) -> int:
    """How many links the longest path from `start` has, counting no further than `limit + 1`.

    `step(nodes)` gives every node the given ones point to, one level at a time (one query
    per level for stored links). In a graph without loops, the path is as long as the
    number of levels reached.
    """
    level: frozenset[Node] = frozenset([start])
    length = 0
    while length <= limit:
        level = frozenset(step(level))
        if not level:
            return length
        length += 1
    return length


def link_depth_problems(*, linked_ref: str, above: int, below: int) -> list[Problem]:
    """A chain of objectives following one another has at most MAX_LINK_DEPTH links.

    The new link joins `above` links (objectives following the one that gets the linked key
    result, and so on up) to `below` links (what `linked_ref` follows, and so on down).
    """
    length = above + 1 + below
    if length <= MAX_LINK_DEPTH:
        return []
    return [
        (
            "linked_objective",
            f"following {linked_ref!r} would make a chain of {length} links of objectives "
            f"following one another (at most {MAX_LINK_DEPTH})",
        )
    ]


def cycle_encloses(
    *, parent_start: date, parent_end: date, child_start: date, child_end: date
) -> bool:
    """Alignment goes to the same cycle or an enclosing one (2027 encloses 2027-Q1)."""
    return parent_start <= child_start and child_end <= parent_end


# --- The read-only rule ----------------------------------------------------------------


def read_only_problems(
    *, cycle_name: str, cycle_closed: bool, archived: bool = False
) -> list[Problem]:
    """Closed cycles freeze their numbers; archived objectives change only once restored."""
    if cycle_closed:
        return [("cycle", f"the cycle {cycle_name} is closed; its numbers are frozen")]
    if archived:
        return [("archived", "the objective is archived: restore it to change it")]
    return []


# --- Objectives, alignments, links, close-out --------------------------------------------


def text_required(field: str, value: str) -> list[Problem]:
    return [] if value.strip() else [(field, "is required")]


# Control characters but tab, line feed and carriage return (C0, DEL, C1); lone surrogates.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problems(field: str, value: str) -> list[Problem]:
    """Text that can be stored and shown: no NUL (databases refuse it), no lone surrogate
    (not encodable) and no other control character than tab and line breaks (an ANSI escape
    would drive the terminal that prints it)."""
    found = _UNPRINTABLE.search(value)
    if found is None:
        return []
    if "\x00" in value:
        return [(field, "must not contain NUL characters")]
    if "\ud800" <= found.group() <= "\udfff":
        return [(field, "must be valid Unicode text")]
    return [(field, f"must not contain control characters (U+{ord(found.group()):04X})")]


def texts_problems(**texts: str | None) -> list[Problem]:
    """`text_problems` for each named text (None: not given)."""
    return [p for field, text in texts.items() if text for p in text_problems(field, text)]


class InOrganization(Protocol):
    @property
    def organization_id(self) -> int | None: ...


def organization_problems(
    organization_id: int | None, **related: InOrganization | None
) -> list[Problem]:
    """Everything an objective names (owner, team, cycle) is of the objective's organization."""
    return [
        (name, "belongs to another organization")
        for name, value in related.items()
        if value is not None and value.organization_id != organization_id
    ]


class Person(InOrganization, Protocol):
    @property
    def is_active(self) -> bool: ...


def owner_problems(organization_id: int | None, owner: Person | None) -> list[Problem]:
    """An owner (of an objective or a key result) is an active person of the organization."""
    if owner is None:
        return []
    if owner.organization_id != organization_id:
        return [("owner", "belongs to another organization")]
    if not owner.is_active:
        return [("owner", "is deactivated: choose an active person")]
    return []


def target_from_change(start: Decimal, percent: Decimal, *, increase: bool) -> Decimal:
    """A metric's target as a change of `percent` % from its start: 1,200 increased by
    50 % is 1,800; decreased by 25 % it is 900. Rounded to the 6 places a value keeps."""
    factor = 1 + (percent if increase else -percent) / 100
    return (start * factor).quantize(Decimal("0.000001"))


def objective_problems(*, title: str, kind: str, visibility: str) -> list[Problem]:
    problems = text_required("title", title)
    if kind not in engine.OBJECTIVE_KINDS:
        problems.append(("kind", f"must be committed or aspirational, not {kind!r}"))
    if visibility not in engine.VISIBILITIES:
        problems.append(("visibility", f"must be public or private, not {visibility!r}"))
    return problems


def alignment_problems(
    *,
    child_ref: str,
    parent_ref: str,
    child_cycle_ref: str,
    parent_cycle_ref: str,
    parent_cycle_encloses: bool,
    closes_a_loop: bool,
) -> list[Problem]:
    """Why `child_ref` may not support `parent_ref` (the field is `parents`)."""
    if closes_a_loop:
        return [("parents", f"aligning {child_ref!r} to {parent_ref!r} would make a loop")]
    if not parent_cycle_encloses:
        return [
            (
                "parents",
                f"{parent_ref!r} is in cycle {parent_cycle_ref!r}, which does not contain "
                f"{child_cycle_ref!r}",
            )
        ]
    return []


def link_problems(
    *, type: str, objective_ref: str, linked_ref: str | None, closes_a_loop: bool
) -> list[Problem]:
    """A linked key result follows another objective, never its own, never in a loop."""
    if linked_ref is None:
        return []
    if type != engine.LINKED:
        return [("linked_objective", "only a linked key result follows an objective")]
    if linked_ref == objective_ref:
        return [("linked_objective", "a key result cannot follow its own objective")]
    if closes_a_loop:
        return [
            (
                "linked_objective",
                f"following {linked_ref!r} would make a loop of linked key results",
            )
        ]
    return []


def override_problems(*, score_override: Decimal | None, reason: str) -> list[Problem]:
    """A final score other than the computed one lies in 0..1 and needs a written reason.

    It may be set while the cycle is open (preparing the close) and after it is closed.
    """
    if score_override is None:
        return []
    problems: list[Problem] = []
    if not 0 <= score_override <= 1:
        problems.append(("score_override", f"must lie between 0.0 and 1.0, not {score_override}"))
    if not reason.strip():
        problems.append(("override_reason", "an overridden score needs a written reason"))
    return problems


# A key result is missed when its score (the override, else the frozen or live one) is
# below the aspirational bar; calibration counts the same key results as outcome 0.
MISSED_BELOW = Decimal("0.7")
MISS_OTHER = "other"


def key_result_missed(score: Decimal) -> bool:
    return score < MISSED_BELOW


def miss_reason_problems(
    *, reason: str, note: str, score: Decimal | None, reasons: Iterable[str]
) -> list[Problem]:
    """Why a key result was missed, set at close: one of `reasons` (the model's choices),
    a note required for "other", only for a missed key result (`score` None: not known
    here, as in a file before its cycle closes). An empty reason clears it (and its note).
    """
    allowed = tuple(reasons)
    problems = texts_problems(miss_note=note)
    if not reason:
        if note.strip():
            problems.append(("miss_note", "a note needs a reason: choose one first"))
        return problems
    if reason not in allowed:
        problems.append(("miss_reason", f"must be one of {', '.join(allowed)}, not {reason!r}"))
        return problems
    if score is not None and not key_result_missed(score):
        problems.append(
            (
                "miss_reason",
                f"only a missed key result (score below {MISSED_BELOW}) takes a reason; "
                f"this one scored {score}",
            )
        )
    if reason == MISS_OTHER and not note.strip():
        problems.append(("miss_note", "say in a note why, when the reason is “other”"))
    return problems


def has_milestones_problems(key_result_type: str) -> list[Problem]:
    if key_result_type != engine.MILESTONES:
        return [("milestones", "only a milestones key result has milestones")]
    return []


def milestone_problems(*, key_result_type: str, title: str, weight: Decimal | int) -> list[Problem]:
    problems = has_milestones_problems(key_result_type) + text_required("title", title)
    problems += weight_problems(weight)
    return problems


def milestone_move_problems(*, place: int, offset: int, count: int) -> list[Problem]:
    """A milestone at `place` (0 first) of `count` moves `offset` places (-1: up one)."""
    if place + offset < 0:
        return [("position", "is the first milestone already: it cannot move up")]
    if place + offset >= count:
        return [("position", "is the last milestone already: it cannot move down")]
    return []


# --- Teams and people ------------------------------------------------------------------

TEAM_NAME_LENGTH = 200
# Team refs that would read as one of the teams pages' own paths (/teams/new/).
RESERVED_TEAM_REFS = frozenset({"new"})


def team_problems(*, name: str) -> list[Problem]:
    problems = text_required("name", name) + text_problems("name", name)
    if len(name.strip()) > TEAM_NAME_LENGTH:
        problems.append(("name", f"at most {TEAM_NAME_LENGTH} characters"))
    return problems


def team_ref_problems(*, ref: str, taken: bool) -> list[Problem]:
    if ref in RESERVED_TEAM_REFS:
        return [("ref", f"{ref} is reserved; choose another")]
    if taken:
        return [("ref", f"{ref} is already taken in this organization")]
    return []


def team_parent_problems(
    *, team_name: str, parent_name: str, closes_a_loop: bool, parent_archived: bool
) -> list[Problem]:
    """A team moves under another one, never under itself or its own sub-teams, never under
    an archived one."""
    if closes_a_loop:
        return [("parent", f"{team_name} cannot move under {parent_name}: it is part of it")]
    if parent_archived:
        return [("parent", f"{parent_name} is archived")]
    return []


def team_archived_problems(*, team_name: str, archived: bool) -> list[Problem]:
    """An archived team keeps its members and objectives as they were."""
    if archived:
        return [("team", f"{team_name} is archived: restore it to change it")]
    return []


def team_archive_problems(*, team_name: str, sub_teams: Iterable[str]) -> list[Problem]:
    """Archiving leaves no team under an archived one: sub-teams go first (or move)."""
    names = sorted(sub_teams)
    if names:
        return [
            (
                "team",
                f"{team_name} still has sub-teams ({', '.join(names)}): archive or move them first",
            )
        ]
    return []


def team_restore_problems(*, team_name: str, parent_name: str | None) -> list[Problem]:
    if parent_name is not None:
        return [
            ("team", f"{team_name} is under {parent_name}, which is archived: restore it first")
        ]
    return []


@cache
def time_zone_names() -> frozenset[str]:
    """The IANA time zone names this machine knows (Europe/Berlin, UTC, ...)."""
    return frozenset(zoneinfo.available_timezones())


def time_zone_problems(name: str) -> list[Problem]:
    if name not in time_zone_names():
        return [("time_zone", f"{name!r} is not a time zone name (such as Europe/Berlin)")]
    return []


def role_problems(*, role: str, roles: Iterable[str]) -> list[Problem]:
    allowed = list(roles)
    if role not in allowed:
        return [("role", f"must be one of {', '.join(allowed)}, not {role!r}")]
    return []


def last_admin_problems(*, demoting: bool, other_admins: int) -> list[Problem]:
    """An organization keeps at least one active admin."""
    if demoting and other_admins == 0:
        return [("role", "the organization needs an admin: make someone else admin first")]
    return []


# --- Cycles: refs, planning the next one -------------------------------------------------

# Cycle refs that would read as one of the cycle pages' own paths (/cycles/new/).
RESERVED_CYCLE_REFS = frozenset({"new"})
_CYCLE_REF = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")


def cycle_ref_problems(*, ref: str, taken: bool, max_length: int) -> list[Problem]:
    """A cycle's ref: lower-case words joined by - or _ (2026-q3), free in the organization,
    and not one of the cycle pages' paths."""
    if not ref:
        return [("ref", "is required")]
    if len(ref) > max_length:
        return [("ref", f"at most {max_length} characters")]
    if not _CYCLE_REF.fullmatch(ref):
        return [("ref", "use lower-case letters and digits joined by - or _, such as 2026-q3")]
    if ref in RESERVED_CYCLE_REFS:
        return [("ref", f"{ref} is reserved; choose another")]
    if taken:
        return [("ref", f"{ref} is already taken in this organization")]
    return []


def plan_next_problems(*, cycle_name: str, in_planning: bool, has_next: bool) -> list[Problem]:
    """The next cycle is planned from an active or a closed one."""
    if in_planning:
        return [
            (
                "cycle",
                f"{cycle_name} is still in planning: plan the next cycle from an active or "
                "closed one",
            )
        ]
    if not has_next:
        return [("cycle", f"no cycle can follow {cycle_name}: the calendar ends")]
    return []


def carries_over(
    *, progress: Decimal, score_override: Decimal | None, final_score: Decimal | None
) -> bool:
    """Whether an objective (or a key result) is unfinished, so that it may carry over to
    the next cycle: its score (the override, else the score frozen at close) is below 1.0,
    or, not scored yet, its status is not done (progress below 1)."""
    scored = score_override if score_override is not None else final_score
    if scored is not None:
        return scored < engine.ONE
    return progress < engine.ONE


def carry_over_problems(
    *, title: str, cycle_name: str, in_cycle: bool, archived: bool, unfinished: bool
) -> list[Problem]:
    """Planning the next cycle copies unfinished, live objectives of the cycle it follows."""
    if not in_cycle:
        return [("objectives", f"“{title}” is not an objective of {cycle_name}")]
    if archived:
        return [("archived", f"“{title}” is archived: restore it to carry it over")]
    if not unfinished:
        return [("objectives", f"“{title}” is done: only unfinished objectives carry over")]
    return []


# --- Comments ----------------------------------------------------------------------------

MAX_COMMENT_LENGTH = 10_000
# "@" and an email address, as the autocomplete inserts it. Not after a letter or a dot, so
# the address itself (ana@example.com) is not read as a mention of "example.com"; the
# domain ends on a letter, so a full stop after the address is not part of it.
MENTION = re.compile(r"(?<![\w.@])@([\w.%+'-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,})")


def comment_problems(body: str) -> list[Problem]:
    """A comment's text: required, at most MAX_COMMENT_LENGTH characters, printable. It is
    stored as written and always shown as text (markup is escaped, never rendered)."""
    if not body.strip():
        return [("body", "is required: write a comment")]
    if len(body) > MAX_COMMENT_LENGTH:
        return [("body", f"is {len(body):,} characters long; at most {MAX_COMMENT_LENGTH:,} fit")]
    return text_problems("body", body)


def mentioned_emails(body: str) -> list[str]:
    """The addresses a comment mentions, lowercased, each once, in order of appearance."""
    return list(dict.fromkeys(found.lower() for found in MENTION.findall(body)))


def mention_problems(*, unknown: Iterable[str], cannot_see: Iterable[str]) -> list[Problem]:
    """Each mention names an active person of the organization who may see the objective:
    a mention is how they are told, and they could not open a private objective."""
    problems = [
        ("body", f"no one in your organization has the email {email} (mentioned as @{email})")
        for email in unknown
    ]
    problems += [
        (
            "body",
            f"@{email} cannot see this private objective; "
            "they would not be able to read your comment",
        )
        for email in cannot_see
    ]
    return problems


def rhythm_problems(*, cadence: str, weekday: int, at: time | None) -> list[Problem]:
    """The check-in rhythm (docs/semantics.md): a known cadence, a weekday 0 (Monday) to 6
    (Sunday) and a time of day for the reminder."""
    problems = []
    if cadence not in periods.CADENCES:
        problems.append(("checkin_cadence", f"must be one of {', '.join(periods.CADENCES)}"))
    if not 0 <= weekday <= 6:
        problems.append(("reminder_weekday", f"must be 0 (Monday) to 6 (Sunday), not {weekday}"))
    if at is None:
        problems.append(("reminder_time", "must be a time of day, such as 09:00"))
    elif at.tzinfo is not None:
        # The reminder goes out at this time in each person's own time zone.
        problems.append(
            ("reminder_time", "must be a local time without a time zone, such as 09:00")
        )
    elif at.second or at.microsecond:
        problems.append(("reminder_time", "must be in whole minutes, such as 09:00"))
    return problems


def team_cadence_problems(cadence: str) -> list[Problem]:
    """A team's cadence: blank (the organization's) or a known one."""
    if cadence and cadence not in periods.CADENCES:
        return [("checkin_cadence", f"must be blank or one of {', '.join(periods.CADENCES)}")]
    return []
