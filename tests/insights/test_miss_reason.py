"""Setting why a key result was missed (`services.key_result_set_miss_reason`): the rules
live in the service, and a refusal writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pacer.okrs import services
from pacer.okrs.models import Cycle, KeyResult
from tests.factories import World, check_in, database_state, fresh, make_key_result, refusal

pytestmark = pytest.mark.django_db


def set_reason(kr: KeyResult, reason: str, note: str = "") -> KeyResult:
    return services.key_result_set_miss_reason(key_result=kr, miss_reason=reason, miss_note=note)


def refused(kr: KeyResult, reason: str, note: str = "") -> dict[str, str]:
    before = database_state()
    problems = refusal(lambda: set_reason(kr, reason, note))
    assert database_state() == before, "a refused write must write nothing"
    return problems


def test_a_missed_key_result_of_a_closed_cycle_takes_a_reason(world: World) -> None:
    services.cycle_close(cycle=world.cycle)
    set_reason(world.adoption, "dependency", "  Billing came late ")
    kr = fresh(world.adoption)
    assert (kr.miss_reason, kr.miss_note) == ("dependency", "Billing came late")
    set_reason(world.adoption, "")  # clearing takes the note along
    assert (fresh(world.adoption).miss_reason, fresh(world.adoption).miss_note) == ("", "")


def test_while_closing_an_active_cycle_too(world: World) -> None:
    set_reason(world.adoption, "too_ambitious")
    assert fresh(world.adoption).miss_reason == "too_ambitious"


def test_other_needs_a_note(world: World) -> None:
    services.cycle_close(cycle=world.cycle)
    assert refused(world.adoption, "other", "   ") == {
        "miss_note": "say in a note why, when the reason is “other”"
    }
    set_reason(world.adoption, "other", "The office flooded")
    assert fresh(world.adoption).miss_note == "The office flooded"


def test_a_reason_from_the_list_only(world: World) -> None:
    problems = refused(world.adoption, "bad_luck")
    assert list(problems) == ["miss_reason"]
    assert "must be one of too_ambitious, priorities_changed" in problems["miss_reason"]


def test_a_note_without_a_reason_is_refused(world: World) -> None:
    assert list(refused(world.adoption, "", "Just because")) == ["miss_note"]


def test_a_met_key_result_was_not_missed(world: World) -> None:
    """Missed means a score below 0.7 (the override, else the frozen score)."""
    kr = make_key_result(world.public, "met")
    check_in(kr, 65, date(2026, 5, 1))  # 0.65 rounds to 0.7: met
    services.cycle_close(cycle=world.cycle)
    assert refused(kr, "external") == {
        "miss_reason": "only a missed key result (score below 0.7) takes a reason; "
        "this one scored 0.7"
    }
    KeyResult.objects.filter(pk=kr.pk).update(score_override=Decimal("0.6"), override_reason="x")
    set_reason(kr, "external")  # overridden below the bar: missed after all


def test_a_planning_cycle_has_nothing_missed_yet(world: World) -> None:
    Cycle.objects.filter(pk=world.cycle.pk).update(state="planning")
    assert list(refused(world.adoption, "dependency")) == ["miss_reason"]


def test_an_archived_objective_is_read_only(world: World) -> None:
    services.objective_archive(objective=world.public)
    assert list(refused(world.adoption, "dependency")) == ["archived"]


def test_control_characters_in_the_note_are_refused(world: World) -> None:
    assert list(refused(world.adoption, "other", "bell \x07")) == ["miss_note"]


def test_the_api_spells_the_reasons_of_the_model() -> None:
    from typing import get_args

    from pacer.api.schemas import MissReason

    assert list(get_args(MissReason)) == KeyResult.MissReason.values
