"""The quarterly review's numbers (docs/review.md) against an independent computation on
generated data, and what it must never show: objectives the viewer may not see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacer.insights import review
from pacer.okrs import services
from pacer.okrs.models import KeyResult, Objective
from tests.factories import (
    World,
    check_in,
    make_cycle,
    make_key_result,
    make_objective,
    make_team,
)

scores = st.integers(0, 10).map(lambda n: Decimal(n) / 10)
REASONS = [*KeyResult.MissReason.values, ""]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["committed", "aspirational"]), scores), max_size=25))
def test_scores_follow_the_contract(pairs: list[tuple[str, Decimal]]) -> None:
    result = review.scores_of(pairs)
    committed = [s for k, s in pairs if k == "committed"]
    aspirational = [s for k, s in pairs if k == "aspirational"]
    assert result.objectives == len(pairs)
    assert result.committed == len(committed)
    assert result.committed_met == len([s for s in committed if s == Decimal("1.0")])
    assert result.met_rate == (
        Fraction(len([s for s in committed if s == 1]), len(committed)) if committed else None
    )
    assert result.aspirational_average == (
        sum(map(Fraction, aspirational), Fraction(0)) / len(aspirational) if aspirational else None
    )
    assert result.average == (
        sum((Fraction(s) for _, s in pairs), Fraction(0)) / len(pairs) if pairs else None
    )


@given(st.lists(scores, max_size=40))
def test_the_distribution_counts_every_score_once(values: list[Decimal]) -> None:
    counts = review.distribution(values)
    assert [step for step, _ in counts] == [Decimal(n) / 10 for n in range(11)]
    assert sum(n for _, n in counts) == len(values)
    for step, n in counts:
        assert n == len([v for v in values if v == step])


@given(st.lists(st.sampled_from(REASONS), max_size=30))
def test_reasons_count_each_missed_key_result_once(reasons: list[str]) -> None:
    rows = review.reasons_of(reasons)
    assert [r.reason for r in rows] == REASONS
    assert {r.reason: r.count for r in rows} == {r: reasons.count(r) for r in REASONS}


# --- The read, on generated data ---------------------------------------------------------


class Rollback(Exception):
    pass


@dataclass
class ObjectiveSpec:
    team: int  # 0: platform (the viewer's team), 1: sales, 2: no team
    kind: str
    visibility: str
    archived: bool
    score: Decimal
    override: Decimal | None
    kr_scores: list[tuple[Decimal, str]]  # (score, miss reason)
    notes: bool


specs = st.builds(
    ObjectiveSpec,
    team=st.integers(0, 2),
    kind=st.sampled_from(["committed", "aspirational"]),
    visibility=st.sampled_from(["public", "private"]),
    archived=st.booleans(),
    score=scores,
    override=st.none() | scores,
    kr_scores=st.lists(st.tuples(scores, st.sampled_from(REASONS)), max_size=3),
    notes=st.booleans(),
)


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(objectives=st.lists(specs, max_size=8))
def test_a_cycles_review_follows_the_contract(
    world: World, objectives: list[ObjectiveSpec]
) -> None:
    """As the teammate sees it: public objectives, and private ones of their team only."""
    try:
        with transaction.atomic():
            cycle = make_cycle(world.org, "q1", date(2026, 1, 1), date(2026, 3, 31), state="closed")
            teams = [world.team, make_team(world.org, "sales"), None]
            for i, spec in enumerate(objectives):
                objective = make_objective(
                    cycle,
                    f"o{i}",
                    world.admin,
                    team=teams[spec.team],
                    kind=spec.kind,
                    visibility=spec.visibility,
                    archived_at=datetime(2026, 2, 1, tzinfo=UTC) if spec.archived else None,
                    final_score=spec.score,
                    score_override=spec.override,
                    went_well="Fine" if spec.notes else "",
                )
                for j, (score, reason) in enumerate(spec.kr_scores):
                    KeyResult.objects.create(
                        organization=world.org,
                        objective=objective,
                        ref=f"o{i}-k{j}",
                        title="K",
                        final_score=score,
                        miss_reason=reason,
                        miss_note="Why" if reason == "other" else "",
                    )
            result = review.cycle_review(world.teammate, cycle)
            seen = [
                s
                for s in objectives
                if not s.archived and (s.visibility == "public" or s.team == 0)
            ]

            def final(s: ObjectiveSpec) -> Decimal:
                return s.override if s.override is not None else s.score

            assert result.overall == review.scores_of((s.kind, final(s)) for s in seen)
            assert result.overall.objectives == len(seen)
            assert sum(row.scores.objectives for row in result.by_team) == len(seen)
            for row in result.by_team:
                index = {"Platform": 0, "Sales": 1, "No team": 2}[row.name]
                group = [s for s in seen if s.team == index]
                assert row.scores == review.scores_of((s.kind, final(s)) for s in group)
            assert result.distribution == review.distribution(final(s) for s in seen)
            missed = [r for s in seen for score, r in s.kr_scores if score < Decimal("0.7")]
            assert result.missed == len(missed)
            assert {r.reason: r.count for r in result.reasons} == {
                r: missed.count(r) for r in REASONS
            }
            assert len(result.retrospectives) == len([s for s in seen if s.notes])
            raise Rollback
    except Rollback:
        pass


@pytest.mark.django_db
def test_carried_over_objectives_are_the_unfinished_with_a_copy_in_the_next_cycle(
    world: World,
) -> None:
    unfinished = make_objective(world.cycle, "unfinished", world.owner, team=world.team)
    make_key_result(unfinished, "half")
    done = make_objective(world.cycle, "done", world.owner, team=world.team)
    check_in(make_key_result(done, "all"), 100, date(2026, 5, 1))
    planned = services.cycle_plan_next(
        cycle=world.cycle, carry=[(unfinished, []), (world.private, [])]
    )
    services.objective_copy(objective=done, cycle=planned.cycle, key_results=[])
    services.cycle_close(cycle=world.cycle)
    as_teammate = review.cycle_review(world.teammate, world.cycle)
    titles = sorted(o.title for o, _ in as_teammate.carried_over)
    assert titles == ["Buy Initech", "Unfinished"]  # not the done one
    # The outsider sees neither the private objective nor its copy.
    as_outsider = review.cycle_review(world.outsider, world.cycle)
    assert [o.title for o, _ in as_outsider.carried_over] == ["Unfinished"]
    assert "Buy Initech" not in str(as_outsider)


@pytest.mark.django_db
def test_a_private_objective_counts_nowhere_for_who_may_not_see_it(world: World) -> None:
    services.cycle_close(cycle=world.cycle)
    Objective.objects.filter(pk=world.private.pk).update(went_well="Secret plan")
    as_outsider = review.cycle_review(world.outsider, world.cycle)
    as_teammate = review.cycle_review(world.teammate, world.cycle)
    assert as_outsider.overall.objectives == 1
    assert as_teammate.overall.objectives == 2
    assert sum(n for _, n in as_outsider.distribution) == 1
    assert as_outsider.missed == 1  # adoption; not the secret key result
    assert as_teammate.missed == 2
    assert as_outsider.retrospectives == []


@pytest.mark.django_db
def test_the_review_reads_in_a_constant_number_of_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    services.cycle_close(cycle=world.cycle)
    for i in range(12):
        objective = make_objective(world.cycle, f"more-{i}", world.owner, team=world.team)
        KeyResult.objects.create(
            organization=world.org, objective=objective, ref=f"m{i}", title="K"
        )
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        review.cycle_review(world.teammate, world.cycle)
