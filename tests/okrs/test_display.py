"""Values as people write them: one function for the web pages and the command line."""

from decimal import Decimal

from pacer.okrs.display import number_text, value_text
from pacer.okrs.models import KeyResult


def test_numbers_lose_their_stored_trailing_zeros() -> None:
    assert number_text(Decimal("12.500000")) == "12.5"
    assert number_text(Decimal("9.000000")) == "9"
    assert number_text(Decimal("1E+3")) == "1000"


def test_values_carry_their_unit_and_yes_no_for_booleans() -> None:
    metric = KeyResult(type="metric", unit="%")
    flag = KeyResult(type="boolean")
    assert value_text(metric, Decimal("42.000000")) == "42 %"
    assert value_text(KeyResult(type="metric", unit=""), Decimal("1.5")) == "1.5"
    assert (value_text(flag, Decimal(1)), value_text(flag, Decimal(0))) == ("Yes", "No")
    assert value_text(metric, None) == "none"
