"""Live hints in the objective editor (docs/coach.md, "In the editor").

The objective being written is read from the form as sent, as a draft: nothing is validated
as a save would, a number or a date that cannot be read is missing, long text is cut. It is
linted with the organization's rules beside the other live objectives of its cycle that the
writer sees, and the findings about it are what the form shows. Saving never asks.

Two passes keep a keystroke cheap in a cycle of thousands: the rules that judge one
objective run over the draft alone; the two that compare objectives (`CROSS_OBJECTIVE`) run
over the cycle's titles, owners and teams, read in one query (`cycle_plan.neighbours`).
`suggest-parent` is not run here: the form's Suggested parents panel (`coach.suggest`) ranks
the cycle for it. `stale` needs check-ins, which a form has not.
"""

import functools
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation

from django.http import QueryDict

from pacer.accounts.models import User
from pacer.coach import config as lint_config
from pacer.coach.cycle_plan import key_results_of, neighbours
from pacer.coach.drafts import DraftCycle, DraftKeyResult, DraftObjective, Plan, Where
from pacer.coach.file_plan import number
from pacer.coach.lint import lint
from pacer.coach.rules import (
    CATALOGUE,
    DUPLICATE_TITLE,
    LEVELS,
    RULES,
    SUGGEST_PARENT,
    TOO_MANY_OBJECTIVES,
    Finding,
    title_key,
)
from pacer.okrs import permissions
from pacer.okrs import progress as engine
from pacer.okrs.models import Alignment, Cycle, Objective, Team
from pacer.okrs.rules import target_from_change
from pacer.okrs.selectors import objectives_hidden_from, objectives_visible_to

MAX_KEY_RESULTS = 7  # blocks read, as the form has (pacer.web.forms.MAX_KEY_RESULTS)
MAX_TEXT = 1_000  # characters of a title or description read
MAX_VALUE = 40  # characters of a number, a date or an id read
MAX_PARENTS = 50
MAX_DIGITS = 18  # before the point, as a key result stores (24 digits, 6 after it)
CROSS_OBJECTIVE = frozenset({TOO_MANY_OBJECTIVES.id, DUPLICATE_TITLE.id})
NOT_LIVE = frozenset({SUGGEST_PARENT.id})
SHOWN_ORDER = {rule.id: n for n, (rule, _) in enumerate(CATALOGUE)}


def objective_hints(
    viewer: User, data: QueryDict, *, editing: Objective | None, now: datetime, zone: tzinfo
) -> list[Finding]:
    """The findings about the objective the form describes (`editing`: the one being
    edited, whose key results are the saved ones), errors first."""
    cycle = editing.cycle if editing is not None else chosen_cycle(viewer, data)
    team, top = chosen_team(viewer, data)
    draft = draft_of_form(viewer, data, editing=editing, cycle=cycle, team=team)
    if editing is not None:
        draft = with_saved_key_results(draft, editing, now=now, zone=zone)
    plan = Plan(
        (draft,),
        cycles={cycle.ref: DraftCycle(cycle.ref, cycle.start, cycle.end)} if cycle else {},
        top_teams=frozenset({team} if top else ()),
    )
    config = lint_config.of_organization(viewer.organization_id)
    found = lint(plan, only(config, lambda r: r not in CROSS_OBJECTIVE | NOT_LIVE))
    if cycle is not None:
        found += cross_findings(draft, cycle, viewer, editing, config)
    return sorted(found, key=lambda f: (LEVELS.index(f.level), SHOWN_ORDER[f.rule]))


def only(config: lint_config.LintConfig, keep: Callable[[str], bool]) -> lint_config.LintConfig:
    """`config` with the rules `keep` refuses turned off."""
    return config.overridden({r: lint_config.Choice(enabled=False) for r in RULES if not keep(r)})


def cross_findings(
    draft: DraftObjective,
    cycle: Cycle,
    viewer: User,
    editing: Objective | None,
    config: lint_config.LintConfig,
) -> list[Finding]:
    """too-many-objectives and duplicate-title over the cycle's objectives that share the
    draft's owner, team or title, with the draft last, so that a duplicate is reported on
    it. The others cannot be in a finding about the draft."""
    title = same_title_key(draft.title)

    def comparable(other_title: str, team: str, owner: str) -> bool:
        same_group = (owner and owner == draft.owner) or (team and team == draft.team)
        return bool(same_group) or same_title_key(other_title) == title

    others = neighbours(cycle, viewer, leaving_out=editing, keep=comparable)
    found = lint(Plan((*others, draft)), only(config, CROSS_OBJECTIVE.__contains__))
    return [f for f in found if f.objective == len(others) or counts_the_draft(f, draft)]


@functools.lru_cache(maxsize=10_000)
def same_title_key(title: str) -> str:
    """`rules.title_key`, remembered: a cycle's titles come back on every keystroke."""
    return title_key(title)


def counts_the_draft(finding: Finding, draft: DraftObjective) -> bool:
    """too-many-objectives points at the first objective over the limit, which need not be
    the draft; its group is the draft's if it names the draft's owner or team."""
    if finding.rule != TOO_MANY_OBJECTIVES.id:
        return False
    groups = [
        f"{label} {value} has "
        for label, value in (("owner", draft.owner), ("team", draft.team))
        if value
    ]
    return finding.message.startswith(tuple(groups)) if groups else False


# --- The form as a draft -----------------------------------------------------------------


def draft_of_form(
    viewer: User, data: QueryDict, *, editing: Objective | None, cycle: Cycle | None, team: str
) -> DraftObjective:
    ref = editing.ref if editing is not None else ""
    return DraftObjective(
        title=text(data, "title"),
        where=Where("objective", ref=ref),
        ref=ref,
        description=text(data, "description"),
        cycle=cycle.ref if cycle is not None else "",
        team=team,
        owner=chosen_owner(viewer, data, editing),
        kind=kind if (kind := text(data, "kind")) in engine.OBJECTIVE_KINDS else "aspirational",
        parents=chosen_parents(viewer, data, editing),
        key_results=tuple(
            kr
            for i in range(MAX_KEY_RESULTS)
            if (kr := form_key_result(data, f"key_results-{i}-")).title
        ),
    )


def form_key_result(data: QueryDict, prefix: str) -> DraftKeyResult:
    """One key result block of the new form (`key_results-<n>-<field>`)."""
    kind = text(data, f"{prefix}type")
    start = value(data, f"{prefix}start")
    return DraftKeyResult(
        title=text(data, f"{prefix}title"),
        type=kind if kind in engine.KR_TYPES else engine.METRIC,  # the form's default
        where=Where(prefix.rstrip("-")),
        unit=text(data, f"{prefix}unit"),
        start=start,
        target=target_of(
            start,
            value(data, f"{prefix}target"),
            value(data, f"{prefix}change_by"),
            increase=text(data, f"{prefix}direction") != "decrease",
        ),
        threshold=value(data, f"{prefix}threshold"),
        low=value(data, f"{prefix}low"),
        high=value(data, f"{prefix}high"),
        due=day(data, f"{prefix}due"),
    )


def target_of(
    start: Decimal | None, target: Decimal | None, change: Decimal | None, *, increase: bool
) -> Decimal | None:
    """The target typed, else the one "Or change by (%)" gives, as the form computes it."""
    if target is not None or start is None or change is None or change <= 0:
        return target
    try:
        return target_from_change(start, change, increase=increase)
    except InvalidOperation:  # more digits than a key result keeps: the save refuses it
        return None


def with_saved_key_results(
    draft: DraftObjective, editing: Objective, *, now: datetime, zone: tzinfo
) -> DraftObjective:
    """The edit form changes the objective's own fields; its key results are the saved ones."""
    saved = key_results_of([editing], editing.cycle, now=now, zone=zone).get(editing.pk, ())
    return replace(draft, key_results=saved)


# --- What the form's ids stand for ---------------------------------------------------------


def chosen_cycle(viewer: User, data: QueryDict) -> Cycle | None:
    pk = id_of(data, "cycle")
    if pk is None or viewer.organization_id is None:
        return None
    return Cycle.objects.filter(organization_id=viewer.organization_id, pk=pk).first()


def chosen_team(viewer: User, data: QueryDict) -> tuple[str, bool]:
    """The team's ref ("" for none) and whether it is at the top (company-level)."""
    pk = id_of(data, "team")
    if pk is None or viewer.organization_id is None:
        return "", False
    teams = Team.objects.filter(organization_id=viewer.organization_id, pk=pk)
    found = teams.values_list("ref", "parent_id").first()
    return (found[0], found[1] is None) if found else ("", False)


def chosen_owner(viewer: User, data: QueryDict, editing: Objective | None) -> str:
    """The owner's email ("" for none that can own it). Not chosen: the writer on a new
    objective, the current owner on an edit, as saving does."""
    if not text(data, "owner"):
        default = editing.owner if editing is not None else viewer
        return default.email if default.is_active else ""
    pk = id_of(data, "owner")
    people = permissions.active_people(viewer)
    return (people.filter(pk=pk).values_list("email", flat=True).first() or "") if pk else ""


def chosen_parents(viewer: User, data: QueryDict, editing: Objective | None) -> tuple[str, ...]:
    """The parents chosen among those the writer sees; an edit keeps the hidden ones, as
    saving does (only whether there is one matters to the rules; none is ever shown)."""
    ids = [pk for raw in data.getlist("parents")[:MAX_PARENTS] if (pk := as_id(raw)) is not None]
    chosen = objectives_visible_to(viewer).filter(pk__in=ids) if ids else Objective.objects.none()
    refs = list(chosen.values_list("ref", flat=True))
    if editing is not None:
        hidden = Alignment.objects.filter(
            child=editing, parent__in=objectives_hidden_from(viewer)
        ).values_list("parent__ref", flat=True)
        refs += list(hidden)
    return tuple(refs)


# --- Reading a field as a draft does --------------------------------------------------------


def text(data: QueryDict, name: str) -> str:
    return str(data.get(name, ""))[:MAX_TEXT].strip()


def value(data: QueryDict, name: str) -> Decimal | None:
    """A number as typed, or None if it is not one a key result can keep."""
    found = number(text(data, name)[:MAX_VALUE])
    return found if found is not None and found.adjusted() < MAX_DIGITS else None


def day(data: QueryDict, name: str) -> date | None:
    try:
        return date.fromisoformat(text(data, name)[:MAX_VALUE])
    except ValueError:
        return None


def id_of(data: QueryDict, name: str) -> int | None:
    return as_id(str(data.get(name, "")))


def as_id(raw: str) -> int | None:
    """A row id as sent by a select, or None (digits only, and small enough for a query)."""
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= MAX_DIGITS else None
