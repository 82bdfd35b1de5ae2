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

Words are lowercased and lightly stemmed ("deliveries" meets "delivery"); English stopwords,
numbers and the verbs nearly every OKR uses ("make", "improve", "raise") are left out.

Pure: no database, no network, no clock; the same input gives the same output (ties go to
the smaller key). Two memos keep work across calls without changing any result:
`term_weights` (each text's analysis) and `index_of` (the last 32 indexes, by their
candidates), so a query over the same candidates analyses nothing again.
"""

import functools
import heapq
import itertools
import math
import re
from array import array
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
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
# Verbs and words nearly every objective or key result uses ("Make …", "Raise NPS from 32 to
# 50", "Uptime stays above 99.9 %"): shared, they say nothing about alignment.
OKR_WORD_LIST = """
    achieve achieves achieving become becomes bring brings build builds building complete
    completes deliver delivers drive drives enable enables ensure ensures give gives help helps
    hit improve improves improving increase increases keep keeps lift lifts make makes making
    new prepare prepares raise raises reach reaches reduce reduces stay stays staying take
    takes"""
STOPWORDS = frozenset(STOPWORD_LIST.split() + OKR_WORD_LIST.split())
APOSTROPHE = re.compile(r"(?<=\w)['\u2019](?=\w)")  # "customer's" reads as "customers"
# A word (letters only), or one character that breaks a phrase: a digit, punctuation, a new
# line. Spaces and hyphens join words into phrases ("self-serve plan").
TOKEN = re.compile(r"[^\W\d_]+|\n|[^\s-]")
SHOWN = 3  # shared phrases given as the reason


class Doc(NamedTuple):
    """A candidate: its key (an objective's id) and its text (`objective_text`)."""

    key: int
    text: str


@dataclass(frozen=True)
class Ranked:
    key: int
    score: float  # cosine similarity (0 to 1) times the candidate's boost, if any
    shared: list[str]  # the weightiest phrases both texts have, as the query wrote them


def objective_text(title: str, description: str, key_result_titles: Iterable[str]) -> str:
    """What an objective is about, one part a line. The title counts once: counting it twice
    put the real parent first less often on the demo (tests/coach/test_suggest.py)."""
    return "\n".join([title, description, *key_result_titles])


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
def term_weights(text: str) -> dict[str, float]:
    """Each term of a candidate's text and its weight there, 1 + ln(count) (kept: candidates'
    texts change rarely, and a changed one is the only one analysed again)."""
    return {term: tf(n) for term, n in Counter(term for term, _ in terms(text)).items()}


def idf(candidates: int, having: int) -> float:
    return math.log((1 + candidates) / (1 + having)) + 1


def tf(count: int) -> float:
    return 1 + math.log(count)


# --- The index -----------------------------------------------------------------------------


class Index:
    """The candidates' TF-IDF vectors as postings: for each term, the candidates that have it
    (their positions) and its tf there; each candidate's vector length; the terms' idf."""

    def __init__(self, candidates: Sequence[Doc]) -> None:
        self.keys = [doc.key for doc in candidates]
        self.weights = [term_weights(doc.text) for doc in candidates]
        having: Counter[str] = Counter()
        for weights in self.weights:
            having.update(weights.keys())
        self.idf = {term: idf(len(candidates), n) for term, n in having.items()}
        self.unseen_idf = idf(len(candidates), 0)
        self.norms = [norm(weights, self.idf) for weights in self.weights]
        # Arrays, not lists: the garbage collector does not walk them in the kept indexes.
        self.postings: dict[str, tuple[array[int], array[float]]] = {}
        for place, weights in enumerate(self.weights):
            for term, weight in weights.items():
                places, tfs = self.postings.setdefault(term, (array("I"), array("d")))
                places.append(place)
                tfs.append(weight)

    def rank(
        self,
        query: str,
        *,
        limit: int = 3,
        among: Collection[int] | None = None,
        boost: Mapping[int, float] | None = None,
    ) -> list[Ranked]:
        """The `limit` candidates most like `query` (only those `among` these keys, if
        given), best first; a candidate sharing no term with it is never one. `boost`
        multiplies the similarity of the candidates it names (a likelier kind of match)."""
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
        boost = boost or {}
        best = heapq.nsmallest(
            limit,
            (
                (-round(score / self.norms[place] * boost.get(key, 1.0), 12), key, place)
                for place, (score, key) in enumerate(zip(scores, self.keys, strict=True))
                if score > 0 and (allowed is None or key in allowed)
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
        theirs = self.weights[place]
        weight = {t: w * theirs[t] * self.idf[t] for t, w in query.items() if t in theirs}
        return [written[t] for t in strongest_phrases(weight)[:SHOWN]]


def norm(weights: dict[str, float], idf: dict[str, float]) -> float:
    return math.sqrt(sum((weight * idf[term]) ** 2 for term, weight in weights.items())) or 1.0


def strongest_phrases(weight: dict[str, float]) -> list[str]:
    """Terms by weight, heaviest first (ties by term); a word inside a listed two-word phrase
    is left out and its weight counts for the phrase."""
    phrases = [t for t in weight if " " in t]
    inside = {word for phrase in phrases for word in phrase.split(" ")}
    total = {t: w for t, w in weight.items() if t not in inside}
    for phrase in phrases:
        total[phrase] += sum(weight.get(word, 0.0) for word in phrase.split(" "))
    return sorted(total, key=lambda t: (-total[t], t))


@functools.lru_cache(maxsize=32)  # about 1 MB each at the large bench size
def index_of(candidates: tuple[Doc, ...]) -> Index:
    """The index of these candidates, kept for the next query over the same ones."""
    return Index(candidates)


def rank(
    query: str,
    candidates: Sequence[Doc],
    *,
    limit: int = 3,
    among: Collection[int] | None = None,
    boost: Mapping[int, float] | None = None,
) -> list[Ranked]:
    """The `limit` candidates most like `query`, best first (`Index.rank`)."""
    if not candidates or limit <= 0:
        return []
    return index_of(tuple(candidates)).rank(query, limit=limit, among=among, boost=boost)
