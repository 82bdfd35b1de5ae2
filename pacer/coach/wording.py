"""How the coach reads wording: activity verbs, numbers, stretch and commitment words,
volumes and their counter-metrics, and the outcome form of a task-like key result.

Word lists, not a language model: every verdict can be explained by the word that caused
it, runs offline, and answers the same tomorrow. English only (docs/coach.md).
"""

import re
from collections.abc import Iterable

# An activity's verb and its participle, for the outcome form ("Complete two leadership
# programmes" -> "Leadership programmes completed: 0 → 2").
ACTIVITY_VERBS: dict[str, str] = {
    "implement": "implemented",
    "launch": "launched",
    "conduct": "conducted",
    "complete": "completed",
    "hold": "held",
    "run": "run",
    "build": "built",
    "create": "created",
    "deliver": "delivered",
    "organise": "organised",
    "organize": "organized",
    "host": "hosted",
    "hire": "hired",
    "publish": "published",
    "release": "released",
    "migrate": "migrated",
    "train": "trained",
    "introduce": "introduced",
    "develop": "developed",
    "write": "written",
    "ship": "shipped",
    "start": "started",
    "establish": "established",
    "finish": "finished",
    "design": "designed",
    "deploy": "deployed",
    "set up": "set up",
    "roll out": "rolled out",
    "attend": "attended",
    "prepare": "prepared",
    "plan": "planned",
    "define": "defined",
    "update": "updated",
}
NUMBER_WORDS: dict[str, int] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "fifty": 50,
    "hundred": 100,
}
# Words that put a number in a title without digits ("a" and "an" do not).
COUNTING_WORDS = frozenset(NUMBER_WORDS) - {"a", "an"} | {"double", "twice", "half", "triple"}
STRETCH_WORDS = ("stretch", "moonshot", "moon shot", "aspirational", "10x", "ambitious")
COMMITMENT_WORDS = ("committed", "commitment", "guarantee", "guaranteed", "must")
VOLUME_WORDS = (
    "number of",
    "count",
    "volume",
    "signups",
    "sign-ups",
    "sign ups",
    "leads",
    "deals",
    "users",
    "customers",
    "downloads",
    "installs",
    "visits",
    "visitors",
    "traffic",
    "sessions",
    "orders",
    "tickets",
    "calls",
    "meetings",
    "releases",
    "deployments",
    "features",
    "articles",
    "posts",
    "applications",
    "hires",
    "units",
    "output",
    "throughput",
)
QUALITY_OR_COST_WORDS = (
    "quality",
    "satisfaction",
    "nps",
    "csat",
    "error",
    "defect",
    "bug",
    "churn",
    "retention",
    "cost",
    "spend",
    "budget",
    "margin",
    "conversion",
    "accuracy",
    "latency",
    "time",
    "incident",
    "complaint",
    "refund",
    "return rate",
    "rating",
    "score",
    "uptime",
    "reliability",
    "failure",
    "rework",
    "escalation",
    "per ",
)

WORD = re.compile(r"[a-z0-9%][a-z0-9%+\-]*")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def has_number(text: str) -> bool:
    return bool(re.search(r"\d", text)) or any(w in COUNTING_WORDS for w in words(text))


def states_a_metric(title: str) -> bool:
    """An objective's title with a figure in it: digits or a percentage."""
    return bool(re.search(r"\d|%", title))


def activity_verb(title: str) -> str:
    """The activity verb `title` starts with ("set up", "launch"...), or ""."""
    first_two = words(title)[:2]
    for length in (2, 1):  # "set up" before "set"
        verb = " ".join(first_two[:length])
        if len(first_two) >= length and verb in ACTIVITY_VERBS:
            return verb
    return ""


def starts_with_activity(title: str) -> bool:
    return bool(activity_verb(title))


def outcome_form(title: str) -> str:
    """The outcome form of a task-like title: "Complete two leadership programmes" ->
    "Leadership programmes completed: 0 → 2"; without a count, "… : 0 → 1". Empty when the
    title does not start with an activity verb or nothing follows it."""
    verb = activity_verb(title)
    if not verb:
        return ""
    rest = title.strip()[len(verb) :].strip(" .,:;")
    count, rest = leading_count(rest)
    rest = re.sub(r"^(the|our|a|an)\s+", "", rest, flags=re.IGNORECASE)
    if not rest:
        return ""
    subject = rest[0].upper() + rest[1:]
    return f"{subject} {ACTIVITY_VERBS[verb]}: 0 → {count}"


def leading_count(text: str) -> tuple[int, str]:
    """The number `text` starts with (digits or a word such as "two"), and the rest; 1 when
    it starts with none."""
    match = re.match(r"(\d+)\s+(.*)", text)
    if match:
        return int(match.group(1)), match.group(2)
    first, _, rest = text.partition(" ")
    if first.lower() in NUMBER_WORDS and rest:
        return NUMBER_WORDS[first.lower()], rest
    return 1, text


def any_of(phrases: Iterable[str]) -> re.Pattern[str]:
    """One pattern for a list of phrases, each as whole words: a cycle of thousands of
    objectives is read with one search per text, not one per phrase."""
    alternatives = "|".join(re.escape(p.strip()) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


STRETCH = any_of(STRETCH_WORDS)
COMMITMENT = any_of(COMMITMENT_WORDS)
VOLUME = any_of(VOLUME_WORDS)
QUALITY_OR_COST = any_of(w for w in QUALITY_OR_COST_WORDS if w != "per ")


def first_found(texts: Iterable[str], pattern: re.Pattern[str]) -> str:
    """The first phrase of `pattern` found in `texts`, as the list writes it."""
    for text in texts:
        if text and (match := pattern.search(text.lower())):
            return match.group(0)
    return ""


def stretch_word(texts: Iterable[str]) -> str:
    return first_found(texts, STRETCH)


def commitment_word(texts: Iterable[str]) -> str:
    return first_found(texts, COMMITMENT)


def is_volume(title: str) -> bool:
    return bool(first_found([title], VOLUME))


def is_quality_or_cost(title: str) -> bool:
    return "per " in title.lower() or bool(first_found([title], QUALITY_OR_COST))
