"""The objective page's recent activity: history entries told as sentences.

Each entry says who did what, what changed (old -> new) and through which path (web, api,
cli, import). Entries name people, teams, cycles and objectives by id; their names are read
in one query, objectives only where the reader may see them ("a private objective" else).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Value
from django.db.models.functions import Coalesce, NullIf

from pacer.accounts.models import User
from pacer.okrs import history, selectors
from pacer.okrs.display import number_text, value_text
from pacer.okrs.models import Cycle, KeyResult, Objective, Team

ACTIVITY_SHOWN = 15
REFERENCES = {
    "owner": "person", "author": "person", "person": "person", "team": "team",
    "cycle": "cycle", "objective": "objective", "parent": "objective", "child": "objective",
    "linked_objective": "objective",
}  # fmt: skip
HIDDEN_OBJECTIVE = "a private objective"
TEXT_SHOWN = 200
NOUNS = {
    "objective": "the objective", "keyresult": "key result", "milestone": "milestone",
}  # fmt: skip
VALUE_FIELDS = ("start", "target", "threshold", "low", "high")
FOLLOWED_NUMBERS = ("final_score",)  # a linked key result's, taken from what it follows
NO_VALUE = "None"

Names = dict[tuple[str, str], str]
Change = tuple[str, str, str]
NO_CHANGES: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Activity:
    """One entry of the change history, in words: who did what, what changed (old -> new),
    and through which path (web, api, cli, import)."""

    at: datetime
    actor: str
    text: str
    note: str = ""
    changes: tuple[Change, ...] = ()
    via: str = ""

    @property
    def date_only(self) -> bool:
        """Dated without a time (OKR files, backdated check-ins): midnight UTC."""
        return self.at.astimezone(UTC).time() == time.min

    @property
    def day(self) -> date:
        """The date a date-only event means, whatever the time zone shown."""
        return self.at.astimezone(UTC).date()


def activity_of(user: User, objective: Objective, key_results: list[KeyResult]) -> list[Activity]:
    """The latest history entries about the objective and its parts, in two queries."""
    rows = list(history.entries_of_objective(objective.pk)[:ACTIVITY_SHOWN])
    names = related_names(user, rows)
    krs = {kr.pk: kr for kr in key_results}
    return [describe(entry, names, krs) for entry in rows]


def related_names(user: User, rows: list) -> Names:
    """Names of the people, teams, cycles and objectives the entries name by id, in one
    query; objectives only where `user` may see them."""
    wanted = referenced_ids(rows)
    if not any(wanted.values()):
        return {}
    label = Coalesce(NullIf("name", Value("")), "email", output_field=CharField())
    parts = [
        User.objects.filter(pk__in=wanted["person"]).values_list("pk", Value("person"), label),
        Team.objects.filter(pk__in=wanted["team"]).values_list("pk", Value("team"), "name"),
        Cycle.objects.filter(pk__in=wanted["cycle"]).values_list("pk", Value("cycle"), "name"),
        selectors.objectives_visible_to(user)
        .filter(pk__in=wanted["objective"])
        .values_list("pk", Value("objective"), "title"),
    ]
    query = parts[0].order_by().union(*(part.order_by() for part in parts[1:]), all=True)
    return {(kind, str(pk)): str(title) for pk, kind, title in query}


def referenced_ids(rows: list) -> dict[str, set[int]]:
    """The ids each kind of reference takes in the entries' changes."""
    wanted: dict[str, set[int]] = {"person": set(), "team": set(), "cycle": set()}
    wanted["objective"] = set()
    for entry in rows:
        for name, pair in history.changes_of(entry).items():
            kind = REFERENCES.get(name)
            if kind:
                wanted[kind] |= {int(v) for v in pair if v.isdigit()}
    return wanted


def describe(entry: Any, names: Names, krs: dict[int, KeyResult]) -> Activity:
    changes = history.changes_of(entry)
    action = history.action_of(entry)
    model = entry.content_type.model
    kr = entry_key_result(model, entry, changes, krs)
    note, shown = "", NO_CHANGES
    if model == "checkin":
        text, note = checkin_sentence(entry, action, changes, kr)
    elif model == "alignment":
        text = alignment_sentence(action, changes, names)
    elif model == "comment":
        text, note = comment_sentence(action, changes, kr)
    else:
        text = _sentence(model, action, entry.object_repr, changes)
        shown = _changes_shown(changes, names, kr) if action == "update" else ()
    actor = str(entry.actor) if entry.actor else ""
    return Activity(entry.timestamp, actor, text, note, shown, history.via_of(entry))


def entry_key_result(
    model: str, entry: Any, changes: dict[str, tuple[str, str]], krs: dict[int, KeyResult]
) -> KeyResult | None:
    """The key result an entry is about: itself, or the one a check-in or milestone is of."""
    if model == "keyresult":
        return krs.get(entry.object_id)
    if model in ("checkin", "milestone", "comment"):
        return krs.get(_id(changes.get("key_result")) or 0)
    return None


def checkin_sentence(
    entry: Any, action: str, changes: dict[str, tuple[str, str]], kr: KeyResult | None
) -> tuple[str, str]:
    """ "checked in on “Adoption”: 40 % (for 2026-04-20)" and the check-in's note."""
    side = 1 if action == "create" else 0  # a deleted check-in: what it held
    verb = "checked in on" if action == "create" else "deleted a check-in on"
    text = f"{verb} {f'“{kr.title}”' if kr else 'a key result'}"
    value = changes.get("value", (NO_VALUE, NO_VALUE))[side]
    if value != NO_VALUE:
        text += f": {value_text(kr, Decimal(value)) if kr else _plain(value)}"
    at = changes.get("at", (NO_VALUE, NO_VALUE))[side]
    if at != NO_VALUE and at[:10] != entry.timestamp.astimezone(UTC).strftime("%Y-%m-%d"):
        text += f" (for {at[:10]})"
    note = changes.get("note", ("", ""))[side]
    return text, "" if note == NO_VALUE else note


def comment_sentence(
    action: str, changes: dict[str, tuple[str, str]], kr: KeyResult | None
) -> tuple[str, str]:
    """ "commented on key result “Adoption”" and the comment's text (shortened)."""
    side = 0 if action == "delete" else 1
    on_checkin = changes.get("checkin", (NO_VALUE, NO_VALUE))[side] != NO_VALUE
    if kr is None:
        target = "the objective"
    else:
        target = f"{'a check-in of ' if on_checkin else 'key result '}“{kr.title}”"
    body = changes.get("body", ("", ""))[side]
    note = "" if body == NO_VALUE else body
    note = note[:TEXT_SHOWN] + ("…" if len(note) > TEXT_SHOWN else "")
    if action == "update":  # an edit's entry names only the changed text, not the target
        return "edited a comment", note
    verb = "commented on" if action == "create" else "deleted a comment on"
    return f"{verb} {target}", note


def alignment_sentence(action: str, changes: dict[str, tuple[str, str]], names: Names) -> str:
    pair = changes.get("parent", (NO_VALUE, NO_VALUE))
    parent = pair[1] if action == "create" else pair[0]
    title = names.get(("objective", parent), HIDDEN_OBJECTIVE)
    text = "aligned the objective to " if action == "create" else "removed the alignment to "
    return text + (f"“{title}”" if title != HIDDEN_OBJECTIVE else title)


def _sentence(model: str, action: str, subject: str, changes: dict) -> str:
    if model == "objective":
        return _objective_sentence(action, changes)
    noun = NOUNS.get(model, model)
    verb = {"create": "added", "update": "changed", "delete": "deleted"}.get(action, action)
    if model == "keyresult" and set(changes) == {"final_score"}:
        return f"froze the final score of key result “{subject}”"
    return f"{verb} {noun} “{subject}”"


def _objective_sentence(action: str, changes: dict) -> str:
    if action == "create":
        return "created the objective"
    archived = changes.get("archived_at")
    if archived and set(changes) == {"archived_at"}:
        return "archived the objective" if archived[1] != NO_VALUE else "restored the objective"
    if set(changes) == {"final_score"}:
        frozen = changes["final_score"][1] != NO_VALUE
        return "froze the final score" if frozen else "reopened the score"
    return "changed the objective"


def _changes_shown(
    changes: dict[str, tuple[str, str]], names: Names, kr: KeyResult | None
) -> tuple[Change, ...]:
    """Each field's old and new value; never the frozen score of a key result that follows
    an objective the reader may not see (it is that objective's progress, rounded)."""
    hidden = kr is not None and selectors.follows_hidden(kr)
    return tuple(
        (name.replace("_", " "), _shown(name, old, names, kr), _shown(name, new, names, kr))
        for name, (old, new) in sorted(changes.items())
        if not (hidden and name in FOLLOWED_NUMBERS)
    )


def _shown(name: str, value: str, names: Names, kr: KeyResult | None) -> str:
    if value in (NO_VALUE, ""):
        return "\u2013"  # an en dash: no value
    kind = REFERENCES.get(name)
    if kind:
        return names.get((kind, value), HIDDEN_OBJECTIVE if kind == "objective" else "#" + value)
    if value in ("True", "False"):
        return "yes" if value == "True" else "no"
    if name in VALUE_FIELDS and kr is not None:
        return _value(kr, value)
    if name.endswith("_at") and len(value) >= 16:
        return value[:16] + " UTC"
    if len(value) > TEXT_SHOWN:
        return value[:TEXT_SHOWN] + "…"
    return _plain(value)


def _value(kr: KeyResult, value: str) -> str:
    try:
        return value_text(kr, Decimal(value))
    except ArithmeticError:
        return value


def _plain(value: str) -> str:
    """A stored decimal without its trailing zeros (12.500000 -> 12.5)."""
    try:
        number = Decimal(value)
    except ArithmeticError:
        return value
    return number_text(number) if number.is_finite() else value


def _id(pair: tuple[str, str] | None) -> int | None:
    if pair is None:
        return None
    value = pair[1] if pair[1] != NO_VALUE else pair[0]
    return int(value) if value.isdigit() else None
