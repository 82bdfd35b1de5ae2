"""Which texts are alike: TF-IDF over words and two-word phrases, ranked by cosine
similarity, with the phrases a match shares ("shares: delivery, client satisfaction").

Written by hand rather than with scikit-learn's TfidfVectorizer: what alignment suggestions
need (a few thousand short texts, one query at a time) fits in these few functions, and
scikit-learn would bring numpy and scipy (tens of megabytes to install, a slower CI set-up,
and close to a second of imports in every process that ranks) for sparse-matrix machinery
that dictionaries match at this size. The weighting is the one scikit-learn gives with
`sublinear_tf=True, smooth_idf=True`: a term counted c times weighs (1 + ln c) times
ln((1 + n) / (1 + df)) + 1 over the n candidates, and vectors are compared by cosine. The
query is not counted among the candidates, so that one `Index` answers every query.

Pure: no database, no network, no clock; the same input gives the same output (ties go to
the smaller key). `index_of` remembers the last few indexes by their candidates, so the
same candidates are not analysed again on every keystroke.
"""

import functools
import heapq
import itertools
import math
import re
from array import array
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

# Common English words that say nothing about what an objective is about.
STOPWORD_LIST = """
    a about above across after again against all also am among an and any are as at be
    because been before being below between both but by can could did do does doing done
    down during each either every few for from further get gets got had has have having he
    her here hers him his how i if in into is it its itself just let lets may me might more
    most much must my no nor not now of off on once one only or other our ours ourselves out
    over own per same shall she should so some such than that the their theirs them then
    there these they this those through to too under until up upon us very via was we well
    were what when where whether which while who whom whose why will with within without
    would yet you your yours"""
STOPWORDS = frozenset(STOPWORD_LIST.split())
APOSTROPHE = re.compile(r"(?<=\w)['\u2019](?=\w)")  # "customer's" reads as "customers"
# A word (letters only), or one character that breaks a phrase: a digit, punctuation, a new
# line. Spaces and hyphens join words into phrases ("self-serve plan").
TOKEN = re.compile(r"[^\W\d_]+|\n|[^\s-]")
SHOWN = 3  # shared phrases given as the reason
TITLE_WEIGHT = 2  # an objective's title says more about it than its key results


class Doc(NamedTuple):
    """A candidate: its key (an objective's id) and its text (`objective_text`)."""

    key: int
    text: str


@dataclass(frozen=True)
class Ranked:
    key: int
    score: float  # cosine similarity, 0 to 1
    shared: list[str]  # the weightiest phrases both texts have, as the query wrote them


def objective_text(title: str, description: str, key_result_titles: Iterable[str]) -> str:
    """What an objective is about, one part a line: the title counts `TITLE_WEIGHT` times."""
    return "\n".join([title] * TITLE_WEIGHT + [description, *key_result_titles])


# --- Words and phrases ---------------------------------------------------------------------


def stem(word: str) -> str:
    """A light stemmer: plurals and -ing/-ed endings go, so "deliveries" meets "delivery"
    and "pricing" meets "price". Stems are only compared, never shown."""
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    word = without_verb_ending(word)
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def without_verb_ending(word: str) -> str:
    """ "planning" -> "plan", "shipped" -> "ship", "onboarding" -> "onboard"; a short rest
    keeps its ending ("speed", "thing")."""
    for ending in ("ing", "ed"):
        rest = word[: -len(ending)]
        if word.endswith(ending) and len(rest) >= 4 and any(c in "aeiouy" for c in rest):
            doubled = rest[-1] == rest[-2] and rest[-1] not in "aeioulsfz"
            return rest[:-1] if doubled else rest
    return word


def words(text: str) -> list[tuple[str, str] | None]:
    """(stem, word) for each meaningful word of `text`, and None where a phrase breaks: a
    stopword, a number, a one-letter word, punctuation, a new line."""
    units: list[tuple[str, str] | None] = []
    for token in TOKEN.findall(APOSTROPHE.sub("", text.lower())):
        meaningful = token.isalpha() and len(token) > 1 and token not in STOPWORDS
        units.append((stem(token), token) if meaningful else None)
    return units


def terms(text: str) -> list[tuple[str, str]]:
    """(term, as written) for every word and every two-word phrase of `text`."""
    units = words(text)
    phrases = [
        (f"{a[0]} {b[0]}", f"{a[1]} {b[1]}") for a, b in itertools.pairwise(units) if a and b
    ]
    return [unit for unit in units if unit] + phrases


@functools.lru_cache(maxsize=8192)
def term_counts(text: str) -> Counter[str]:
    """How often each term occurs in a candidate's text (kept: candidates change rarely)."""
    return Counter(term for term, _ in terms(text))


def idf(candidates: int, having: int) -> float:
    return math.log((1 + candidates) / (1 + having)) + 1


def tf(count: int) -> float:
    return 1 + math.log(count)


# --- The index -----------------------------------------------------------------------------


class Index:
    """The candidates' TF-IDF vectors as postings: for each term, the candidates that have it
    (their positions) and its tf there; each candidate's vector length; the terms' idf."""

    def __init__(self, candidates: Sequence[Doc]) -> None:
        counts = [term_counts(doc.text) for doc in candidates]
        having = Counter(term for count in counts for term in count)
        self.keys = [doc.key for doc in candidates]
        self.texts = [doc.text for doc in candidates]
        self.idf = {term: idf(len(candidates), n) for term, n in having.items()}
        self.unseen_idf = idf(len(candidates), 0)
        self.norms = [norm(count, self.idf) for count in counts]
        self.postings: dict[str, tuple[array[int], array[float]]] = {}
        for position, count in enumerate(counts):
            for term, n in count.items():
                places, weights = self.postings.setdefault(term, (array("i"), array("d")))
                places.append(position)
                weights.append(tf(n))

    def rank(
        self, query: str, *, limit: int = 3, among: Collection[int] | None = None
    ) -> list[Ranked]:
        """The `limit` candidates most like `query` (only those `among` these keys, if
        given), best first; a candidate sharing no term with it is never one."""
        weights, written = self.query_vector(query)
        allowed = None if among is None else set(among)
        scores = [0.0] * len(self.keys)
        for term, weight in weights.items():
            if term not in self.postings:
                continue
            places, tfs = self.postings[term]
            factor = weight * self.idf[term]
            for place, n in zip(places, tfs, strict=True):
                scores[place] += factor * n
        best = heapq.nsmallest(
            limit,
            (
                (-round(score / self.norms[place], 12), self.keys[place], place)
                for place, score in enumerate(scores)
                if score > 0 and (allowed is None or self.keys[place] in allowed)
            ),
        )
        return [
            Ranked(key, -negated, self.shared(weights, written, place))
            for negated, key, place in best
        ]

    def query_vector(self, query: str) -> tuple[dict[str, float], dict[str, str]]:
        """The query's unit vector, and each term as the query first wrote it."""
        found = terms(query)
        written: dict[str, str] = {}
        for term, as_written in found:
            written.setdefault(term, as_written)
        count = Counter(term for term, _ in found)
        weights = {t: tf(n) * self.idf.get(t, self.unseen_idf) for t, n in count.items()}
        length = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / length for t, w in weights.items()}, written

    def shared(self, query: dict[str, float], written: dict[str, str], place: int) -> list[str]:
        """The weightiest terms the query shares with the candidate at `place`, as the query
        wrote them; a shared phrase stands for its two words (and carries their weight)."""
        theirs = term_counts(self.texts[place])
        weight = {t: w * tf(theirs[t]) * self.idf[t] for t, w in query.items() if t in theirs}
        return [written[t] for t in strongest_phrases(weight)[:SHOWN]]


def norm(count: Counter[str], idf: dict[str, float]) -> float:
    return math.sqrt(sum((tf(n) * idf[term]) ** 2 for term, n in count.items())) or 1.0


def strongest_phrases(weight: dict[str, float]) -> list[str]:
    """Terms by weight, heaviest first (ties by term); a word inside a listed two-word phrase
    is left out and its weight counts for the phrase."""
    phrases = [t for t in weight if " " in t]
    inside = {word for phrase in phrases for word in phrase.split(" ")}
    total = {t: w for t, w in weight.items() if t not in inside}
    for phrase in phrases:
        total[phrase] += sum(weight.get(word, 0.0) for word in phrase.split(" "))
    return sorted(total, key=lambda t: (-total[t], t))


@functools.lru_cache(maxsize=4)
def index_of(candidates: tuple[Doc, ...]) -> Index:
    """The index of these candidates, kept for the next query over the same ones."""
    return Index(candidates)


def rank(
    query: str,
    candidates: Sequence[Doc],
    *,
    limit: int = 3,
    among: Collection[int] | None = None,
) -> list[Ranked]:
    """The `limit` candidates most like `query`, best first (`Index.rank`)."""
    if not candidates or limit <= 0:
        return []
    return index_of(tuple(candidates)).rank(query, limit=limit, among=among)
