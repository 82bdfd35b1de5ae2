"""The initiatives arithmetic of okr-semantics.md ("Initiatives"), checked against numbers
worked out by hand and against an independent computation with fractions."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from pacer.okrs import progress as engine
from pacer.okrs.progress import InitiativeFacts, Supported

D = Decimal


def test_tasks_decide_progress_first() -> None:
    facts = InitiativeFacts(
        status="planned", tasks_done=3, tasks_total=4, has_link=True, synced=(9, 1)
    )
    assert engine.initiative_progress(facts) == D("0.75")


def test_without_tasks_the_link_decides_and_is_zero_before_any_sync() -> None:
    assert engine.initiative_progress(
        InitiativeFacts("in_progress", has_link=True, synced=(3, 1))
    ) == D("0.25")
    assert engine.initiative_progress(InitiativeFacts("done", has_link=True, synced=None)) == 0
    assert (
        engine.initiative_progress(InitiativeFacts("in_progress", has_link=True, synced=(0, 0)))
        == 0
    )


def test_without_tasks_or_link_only_done_counts() -> None:
    assert engine.initiative_progress(InitiativeFacts("done")) == 1
    for status in ("planned", "in_progress", "blocked", "cancelled"):
        assert engine.initiative_progress(InitiativeFacts(status)) == 0


def test_a_key_result_of_initiatives_is_the_mean_of_those_not_cancelled() -> None:
    rows = [("done", D(1)), ("in_progress", D("0.5")), ("cancelled", D(1)), ("blocked", D(0))]
    assert engine.mean_initiative_progress(rows) == D("0.5")
    assert engine.mean_initiative_progress([("cancelled", D(1))]) == 0
    assert engine.mean_initiative_progress([]) == 0
    facts = engine.KeyResultFacts(type=engine.INITIATIVES, initiatives_progress=D("0.5"))
    assert engine.key_result_progress(facts) == D("0.5")


def test_impact_by_hand() -> None:
    # KR a: weight 1 of 4 in its objective, at 20 %; KR b: weight 2 of 2, at 90 %.
    supported = [Supported(D(1), D(4), D("0.2")), Supported(D(2), D(2), D("0.9"))]
    assert engine.impact("in_progress", supported) == D("0.25") * D("0.8") + D("0.1")
    assert engine.impact("done", supported) == 0
    assert engine.impact("cancelled", supported) == 0
    assert engine.impact("planned", [Supported(D(1), D(0), D(0))]) == 0  # W_k = 0: no term


def test_work_is_ordered_by_impact_then_due_then_title() -> None:
    rows = [
        (D("0.1"), None, "b"),
        (D("0.5"), date(2026, 5, 1), "z"),
        (D("0.1"), date(2026, 4, 1), "c"),
        (D("0.1"), None, "A"),
        (D("0.5"), date(2026, 4, 1), "y"),
    ]
    ordered = sorted(rows, key=lambda r: engine.work_order(*r))
    assert [r[2] for r in ordered] == ["y", "z", "c", "A", "b"]


weights = st.integers(min_value=0, max_value=5)
progress = st.fractions(min_value=0, max_value=1, max_denominator=20)


@given(
    st.lists(st.tuples(weights, weights, progress), max_size=6),
    st.sampled_from(engine.INITIATIVE_STATUSES),
)
def test_impact_matches_an_independent_sum(
    terms: list[tuple[int, int, Fraction]], status: str
) -> None:
    supported = [
        Supported(D(w), D(w + extra), D(p.numerator) / D(p.denominator)) for w, extra, p in terms
    ]
    expected = Fraction(0)
    if status not in ("done", "cancelled"):
        expected = sum(
            (Fraction(w, w + extra) * (1 - p) for w, extra, p in terms if w + extra > 0),
            Fraction(0),
        )
    assert abs(Fraction(engine.impact(status, supported)) - expected) < Fraction(1, 10**20)
