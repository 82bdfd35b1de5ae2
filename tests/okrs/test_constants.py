"""The domain's names are defined once, in the engine; every schema and form agrees with it.

The API's and the file format's schemas spell the choices as `Literal`s (so that OpenAPI and
mypy see them); these tests tie each copy to the engine, so a new key result type or kind
cannot be forgotten in one place.
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import get_args

from pacer.api import schemas as api
from pacer.okrs import progress as engine
from pacer.okrs import rules
from pacer.okrs.models import CheckIn, KeyResult, Objective, Organization
from pacer.okrs.okrfile import schema as okrfile
from pacer.web import forms


def choice_values(choices: object) -> tuple[str, ...]:
    return tuple(value for value, _ in choices if value)  # type: ignore[attr-defined]


def test_key_result_types_everywhere_are_the_engines() -> None:
    assert tuple(KeyResult.Type.values) == engine.KR_TYPES
    assert get_args(api.KeyResultType) == engine.KR_TYPES
    assert get_args(okrfile.KeyResultIn.model_fields["type"].annotation) == engine.KR_TYPES
    assert choice_values(forms.KeyResultForm.base_fields["type"].choices) == engine.KR_TYPES
    # Every type has its fields and its help in the form (a type without would show a metric's).
    assert tuple(forms.TYPE_FIELDS) == engine.KR_TYPES
    assert tuple(forms.TYPE_HELP) == engine.KR_TYPES


def test_derived_types_take_no_value_and_the_others_do() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    for kr_type in engine.KR_TYPES:
        with_value = rules.checkin_problems(
            type=kr_type, value=Decimal(1), confidence="", at=now, now=now, cycle_start=None
        )
        without = rules.checkin_problems(
            type=kr_type, value=None, confidence="", at=now, now=now, cycle_start=None
        )
        if kr_type in engine.DERIVED_TYPES:
            assert kr_type not in engine.VALUE_TYPES
            assert [field for field, _ in with_value] == ["value"] and without == []
        else:
            assert kr_type in engine.VALUE_TYPES
            assert with_value == [] and [field for field, _ in without] == ["value"]


def test_kinds_and_visibilities_everywhere_are_the_engines() -> None:
    assert tuple(Objective.Kind.values) == engine.OBJECTIVE_KINDS
    assert get_args(api.Kind) == engine.OBJECTIVE_KINDS
    assert get_args(okrfile.ObjectiveIn.model_fields["kind"].annotation) == engine.OBJECTIVE_KINDS
    assert choice_values(forms.ObjectiveForm.base_fields["kind"].choices) == engine.OBJECTIVE_KINDS
    assert tuple(Objective.Visibility.values) == engine.VISIBILITIES
    assert get_args(api.Visibility) == engine.VISIBILITIES
    visibility = okrfile.ObjectiveIn.model_fields["visibility"].annotation
    assert get_args(visibility) == engine.VISIBILITIES


def test_confidences_are_the_engines() -> None:
    assert tuple(CheckIn.Confidence.values) == engine.CONFIDENCES


def test_default_bands_are_the_engines() -> None:
    bands = engine.Bands()
    assert (bands.at_risk_gap, bands.off_track_gap) == (Decimal("0.10"), Decimal("0.25"))
    fields = {f.name: f for f in Organization._meta.get_fields() if hasattr(f, "default")}
    assert fields["at_risk_gap"].default == bands.at_risk_gap
    assert fields["off_track_gap"].default == bands.off_track_gap
    settings = okrfile.SettingsIn()
    assert (settings.at_risk_gap, settings.off_track_gap) == (
        bands.at_risk_gap,
        bands.off_track_gap,
    )
    assert (
        rules.bands_problems(at_risk_gap=bands.at_risk_gap, off_track_gap=bands.off_track_gap) == []
    )
