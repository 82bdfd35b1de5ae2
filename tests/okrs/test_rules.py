"""pacer.okrs.rules: pure rules, plain values in."""

from decimal import Decimal

import pytest

from pacer.okrs import rules


@pytest.mark.parametrize(
    ("value", "far"),
    [
        (Decimal(80), False),
        (Decimal(880), False),
        (Decimal("880.01"), True),
        (Decimal("1e9"), True),
        (Decimal(-800), False),
        (Decimal(-801), True),
        (None, False),
    ],
)
def test_a_metric_value_is_far_beyond_ten_spans_from_either_end(
    value: Decimal | None, far: bool
) -> None:
    assert rules.FAR_OUT_SPANS == 10
    metric = {"type": "metric", "start": Decimal(0), "target": Decimal(80)}
    assert rules.far_outside_range(value, **metric) is far
    decreasing = {"type": "metric", "start": Decimal(80), "target": Decimal(0)}
    assert rules.far_outside_range(value, **decreasing) is far


def test_a_range_has_a_span_and_other_types_are_never_far() -> None:
    assert rules.far_outside_range(Decimal(121), type="range", low=Decimal(10), high=Decimal(20))
    assert not rules.far_outside_range(
        Decimal(120), type="range", low=Decimal(10), high=Decimal(20)
    )
    assert not rules.far_outside_range(Decimal("1e9"), type="stay_above")
    assert not rules.far_outside_range(Decimal("1e9"), type="boolean")
