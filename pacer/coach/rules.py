"""The linter's rules (docs/coach.md): each an id, a level, a one-line explanation, a fix
hint and, where it counts something, a default threshold; and one pure function over a
`Plan` that yields its findings. Nothing here reads the database or the clock.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from pacer.coach import similarity, wording
from pacer.coach.drafts import DraftKeyResult, DraftObjective, Plan, Where
from pacer.okrs import progress as engine

ERROR, WARNING, INFO = "error", "warning", "info"
LEVELS = (ERROR, WARNING, INFO)


@dataclass(frozen=True)
class Finding:
    rule: str
    level: str
    where: Where
    message: str
    hint: str
    objective: int  # the index in Plan.objectives it is about (-1: an initiative)


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    explanation: str
    hint: str
    threshold: int | None = None  # the default, where the rule counts something
    threshold_means: str = ""
    cycle_only: bool = False  # needs check-ins: `pacer lint --cycle` only


Check = Callable[[Plan, int | None], Iterator[Finding]]


def finding(rule: Rule, where: Where, message: str, objective: int, hint: str = "") -> Finding:
    return Finding(rule.id, rule.level, where, message, hint or rule.hint, objective)


# --- Counting rules ------------------------------------------------------------------------

TOO_MANY_OBJECTIVES = Rule(
    "too-many-objectives",
    WARNING,
    "Focus: more than a few objectives per owner or team in a cycle means none gets enough.",
    "Keep the few that matter most; move the rest to a later cycle or to business as usual.",
    threshold=5,
    threshold_means="most objectives per owner or team in a cycle",
)
TOO_MANY_KEY_RESULTS = Rule(
    "too-many-key-results",
    WARNING,
    "An objective with many key results is measured by none of them in particular.",
    "Keep the key results that best show the objective is met; drop or merge the others.",
    threshold=5,
    threshold_means="most key results per objective",
)
TOO_FEW_KEY_RESULTS = Rule(
    "too-few-key-results",
    WARNING,
    "A single key result is easy to meet while missing the objective.",
    "Add a key result that measures the objective from another side (quality, cost, reach).",
    threshold=2,
    threshold_means="fewest key results per objective",
)


def too_many_objectives(plan: Plan, most: int | None) -> Iterator[Finding]:
    limit = most if most is not None else 5
    for label, key in (("owner", "owner"), ("team", "team")):
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, objective in enumerate(plan.objectives):
            value = getattr(objective, key)
            if value:
                groups[(objective.cycle, value)].append(i)
        for (cycle, value), members in groups.items():
            if len(members) > limit:
                first_over = members[limit]
                yield finding(
                    TOO_MANY_OBJECTIVES,
                    plan.objectives[first_over].where,
                    f"{label} {value} has {len(members)} objectives in cycle {cycle} "
                    f"(more than {limit})",
                    first_over,
                )


def too_many_key_results(plan: Plan, most: int | None) -> Iterator[Finding]:
    limit = most if most is not None else 5
    for i, objective in enumerate(plan.objectives):
        if len(objective.key_results) > limit:
            yield finding(
                TOO_MANY_KEY_RESULTS,
                objective.where,
                f"{len(objective.key_results)} key results (more than {limit})",
                i,
            )


def too_few_key_results(plan: Plan, fewest: int | None) -> Iterator[Finding]:
    limit = fewest if fewest is not None else 2
    for i, objective in enumerate(plan.objectives):
        count = len(objective.key_results)
        if count < limit:
            what = "no key result" if count == 0 else f"{count} key result{'s' * (count > 1)}"
            yield finding(TOO_FEW_KEY_RESULTS, objective.where, f"{what} (fewer than {limit})", i)


# --- Key results -------------------------------------------------------------------------

KR_NOT_MEASURABLE = Rule(
    "kr-not-measurable",
    ERROR,
    "A key result says by a number whether it was met: a start and a different target, a "
    "threshold, a range or milestones.",
    "Give it a number: a metric from where it starts to where it should be.",
)
TASK_LIKE_KR = Rule(
    "task-like-kr",
    WARNING,
    "A key result is an outcome you measure, not an activity you do.",
    "Write what changes once the work is done, as a number.",
)


def measurability_problem(kr: DraftKeyResult) -> str:
    """Why `kr` cannot say by a number whether it was met (empty: it can)."""
    if kr.type == engine.METRIC:
        if kr.start is None or kr.target is None:
            return "a metric key result needs a start and a target"
        if kr.start == kr.target:
            return f"its start equals its target ({kr.target:f}): nothing to move"
    elif kr.type in (engine.STAY_ABOVE, engine.STAY_BELOW) and kr.threshold is None:
        return f"a {kr.type} key result needs a threshold"
    elif kr.type == engine.RANGE and (kr.low is None or kr.high is None):
        return "a range key result needs a low and a high bound"
    elif kr.type == engine.MILESTONES and kr.milestones == 0:
        return "a milestones key result needs milestones"
    elif kr.type == engine.BOOLEAN and not wording.has_number(kr.title):
        return "a yes/no key result with no number in it measures nothing"
    elif kr.type not in engine.KR_TYPES:
        return f"{kr.type!r} is not a key result type"
    return ""


def is_measured_number(kr: DraftKeyResult) -> bool:
    """A metric with a start and a different target, or a health key result with its
    bounds: a number, not a done-or-not."""
    if kr.type in (engine.BOOLEAN, engine.MILESTONES):
        return False
    return not measurability_problem(kr)


def key_results(plan: Plan) -> Iterator[tuple[int, DraftKeyResult]]:
    for i, objective in enumerate(plan.objectives):
        for kr in objective.key_results:
            yield i, kr


def kr_not_measurable(plan: Plan, _: int | None) -> Iterator[Finding]:
    for i, kr in key_results(plan):
        if problem := measurability_problem(kr):
            yield finding(KR_NOT_MEASURABLE, kr.where, f"“{kr.title}”: {problem}", i)


def task_like_kr(plan: Plan, _: int | None) -> Iterator[Finding]:
    for i, kr in key_results(plan):
        if wording.starts_with_activity(kr.title) and not is_measured_number(kr):
            message = f"“{kr.title}” reads like an activity"
            if rewrite := wording.outcome_form(kr.title):
                message += f"; as an outcome: “{rewrite}”"
            yield finding(TASK_LIKE_KR, kr.where, message, i)


# --- Objectives --------------------------------------------------------------------------

OBJECTIVE_HAS_METRIC = Rule(
    "objective-has-metric",
    WARNING,
    "An objective says where to go; its key results carry the numbers.",
    "Move the number into a key result and word the objective as the outcome you want.",
)
NO_OWNER = Rule(
    "no-owner",
    ERROR,
    "Every objective needs one person who answers for it.",
    "Name an owner who is an active person of the organization.",
)
DUE_OUTSIDE_CYCLE = Rule(
    "due-outside-cycle",
    ERROR,
    "A key result or an initiative is due within its cycle.",
    "Move the date inside the cycle, or the work to the cycle it belongs to.",
)
UNALIGNED = Rule(
    "unaligned",
    WARNING,
    "A team's objective supports one above it; only company-level objectives stand alone.",
    "Pick the objective it contributes to as its parent.",
)
DUPLICATE_TITLE = Rule(
    "duplicate-title",
    WARNING,
    "Two objectives with the same title in a cycle split one goal, or one is a copy.",
    "Merge them, or word each so it says what differs.",
)
COMMITTED_WITH_STRETCH = Rule(
    "committed-with-stretch",
    WARNING,
    "Committed objectives are met in full; aspirational ones stretch (scored at about 0.7).",
    "Make the objective's kind match its wording: committed or aspirational.",
)
MISSING_COUNTER_METRIC = Rule(
    "missing-counter-metric",
    WARNING,
    "Raising a volume alone invites gaming it: more, but worse or dearer.",
    "Add a key result on quality or cost beside it (e.g. conversion rate, cost per unit).",
)
STALE = Rule(
    "stale",
    WARNING,
    "A key result without a check-in for two periods shows progress nobody vouches for.",
    "Check in, even to say nothing moved.",
    cycle_only=True,
)
SUGGEST_PARENT = Rule(
    "suggest-parent",
    INFO,
    "An unaligned objective may well support one already written.",
    "Consider the suggested parent.",
)


def objective_has_metric(plan: Plan, _: int | None) -> Iterator[Finding]:
    for i, objective in enumerate(plan.objectives):
        if wording.states_a_metric(objective.title):
            yield finding(
                OBJECTIVE_HAS_METRIC, objective.where, f"“{objective.title}” states a number", i
            )


def no_owner(plan: Plan, _: int | None) -> Iterator[Finding]:
    for i, objective in enumerate(plan.objectives):
        if not objective.owner:
            yield finding(NO_OWNER, objective.where, "no owner", i)


def due_outside_cycle(plan: Plan, _: int | None) -> Iterator[Finding]:
    for i, objective in enumerate(plan.objectives):
        cycle = plan.cycles.get(objective.cycle)
        if cycle is None:
            continue
        for kr in objective.key_results:
            if kr.due is not None and not cycle.start <= kr.due <= cycle.end:
                yield finding(
                    DUE_OUTSIDE_CYCLE,
                    kr.where,
                    f"“{kr.title}” is due {kr.due}, outside cycle {cycle.ref} "
                    f"({cycle.start} to {cycle.end})",
                    i,
                )
    for work in plan.initiatives:
        cycle = plan.cycles.get(work.cycle)
        if cycle is None:
            continue
        for name, day in (("starts", work.start), ("is due", work.due)):
            if day is not None and not cycle.start <= day <= cycle.end:
                yield finding(
                    DUE_OUTSIDE_CYCLE,
                    work.where,
                    f"initiative “{work.title}” {name} {day}, outside cycle {cycle.ref} "
                    f"({cycle.start} to {cycle.end})",
                    -1,
                )


def is_unaligned(plan: Plan, objective: DraftObjective) -> bool:
    company_level = not objective.team or objective.team in plan.top_teams
    return not company_level and not objective.parents


def unaligned(plan: Plan, _: int | None) -> Iterator[Finding]:
    for i, objective in enumerate(plan.objectives):
        if is_unaligned(plan, objective):
            yield finding(
                UNALIGNED,
                objective.where,
                f"team {objective.team}'s objective supports no objective above it",
                i,
            )


def title_key(title: str) -> str:
    """The title as compared for duplicates: case, accents, punctuation and plural -s
    ignored."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", plain)
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)


def duplicate_title(plan: Plan, _: int | None) -> Iterator[Finding]:
    first: dict[tuple[str, str], int] = {}
    for i, objective in enumerate(plan.objectives):
        key = (objective.cycle, title_key(objective.title))
        if key in first:
            earlier = plan.objectives[first[key]]
            yield finding(
                DUPLICATE_TITLE,
                objective.where,
                f"“{objective.title}” repeats “{earlier.title}” ({name_of(earlier)})",
                i,
            )
        else:
            first[key] = i


def name_of(objective: DraftObjective) -> str:
    return objective.ref or objective.where.path


def committed_with_stretch(plan: Plan, _: int | None) -> Iterator[Finding]:
    for i, objective in enumerate(plan.objectives):
        texts = [objective.title, objective.description]
        texts += [t for kr in objective.key_results for t in (kr.title, kr.description)]
        if objective.kind == "committed" and (word := wording.stretch_word(texts)):
            message = f"a committed objective worded as a stretch (“{word}”)"
        elif objective.kind == "aspirational" and (word := wording.commitment_word(texts)):
            message = f"an aspirational objective worded as a commitment (“{word}”)"
        else:
            continue
        yield finding(COMMITTED_WITH_STRETCH, objective.where, message, i)


def is_counter_metric(kr: DraftKeyResult) -> bool:
    decreasing = kr.type == engine.METRIC and None not in (kr.start, kr.target)
    decreasing = decreasing and kr.target < kr.start  # type: ignore[operator]
    return decreasing or kr.type in engine.HEALTH_TYPES or wording.is_quality_or_cost(kr.title)


def is_volume_increase(kr: DraftKeyResult) -> bool:
    rising = kr.type == engine.METRIC and None not in (kr.start, kr.target)
    return rising and kr.target > kr.start and wording.is_volume(kr.title)  # type: ignore[operator]


def missing_counter_metric(plan: Plan, _: int | None) -> Iterator[Finding]:
    for i, objective in enumerate(plan.objectives):
        volumes = [kr for kr in objective.key_results if is_volume_increase(kr)]
        if volumes and not any(is_counter_metric(kr) for kr in objective.key_results):
            kr = volumes[0]
            yield finding(
                MISSING_COUNTER_METRIC,
                kr.where,
                f"“{kr.title}” raises a volume with no quality or cost key result beside it",
                i,
            )


def stale(plan: Plan, _: int | None) -> Iterator[Finding]:
    for i, kr in key_results(plan):
        if kr.stale:
            yield finding(STALE, kr.where, f"“{kr.title}”: no check-in for two periods", i)


def objective_text(objective: DraftObjective) -> str:
    return similarity.objective_text(
        objective.title, objective.description, [kr.title for kr in objective.key_results]
    )


def suggest_parent(plan: Plan, _: int | None) -> Iterator[Finding]:
    """For each unaligned objective, the likeliest parent among the objectives that could
    be one: not unaligned themselves, of another team, in the same cycle or one around it
    (the plan's, and its context's)."""
    everyone = (*plan.objectives, *plan.context)
    docs = [
        similarity.Doc(j, objective_text(o))
        for j, o in enumerate(everyone)
        if not is_unaligned(plan, o)
    ]
    if not docs:
        return
    index = similarity.Index(docs)
    for i, objective in enumerate(plan.objectives):
        if not is_unaligned(plan, objective):
            continue
        allowed = {d.key for d in docs if could_parent(plan, everyone[d.key], objective)}
        ranked = index.rank(objective_text(objective), limit=1, among=allowed)
        if ranked:
            best = everyone[ranked[0].key]
            shares = ", ".join(ranked[0].shared)
            yield finding(
                SUGGEST_PARENT,
                objective.where,
                f"likely parent: “{best.title}” ({name_of(best)}); shares: {shares}",
                i,
                f"Set {name_of(best)} as its parent if it supports it.",
            )


def could_parent(plan: Plan, parent: DraftObjective, child: DraftObjective) -> bool:
    if parent is child or (parent.team and parent.team == child.team):
        return False
    if parent.cycle == child.cycle:
        return True
    outer, inner = plan.cycles.get(parent.cycle), plan.cycles.get(child.cycle)
    return outer is not None and inner is not None and outer.start <= inner.start <= outer.end


# --- The catalogue -----------------------------------------------------------------------

CATALOGUE: tuple[tuple[Rule, Check], ...] = (
    (TOO_MANY_OBJECTIVES, too_many_objectives),
    (TOO_MANY_KEY_RESULTS, too_many_key_results),
    (TOO_FEW_KEY_RESULTS, too_few_key_results),
    (KR_NOT_MEASURABLE, kr_not_measurable),
    (TASK_LIKE_KR, task_like_kr),
    (OBJECTIVE_HAS_METRIC, objective_has_metric),
    (NO_OWNER, no_owner),
    (DUE_OUTSIDE_CYCLE, due_outside_cycle),
    (UNALIGNED, unaligned),
    (DUPLICATE_TITLE, duplicate_title),
    (COMMITTED_WITH_STRETCH, committed_with_stretch),
    (MISSING_COUNTER_METRIC, missing_counter_metric),
    (STALE, stale),
    (SUGGEST_PARENT, suggest_parent),
)
RULES: dict[str, Rule] = {rule.id: rule for rule, _ in CATALOGUE}


def rules_of(ids: Sequence[str]) -> list[Rule]:
    return [RULES[i] for i in ids]
