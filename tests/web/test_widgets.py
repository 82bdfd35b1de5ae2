"""pacer.web.widgets render exactly what Django's widget templates render (they only skip
the template engine, for the weekly check-in page's 150 fields)."""

from decimal import Decimal
from typing import Any

import pytest
from django import forms

from pacer.okrs.models import KeyResult
from pacer.web import widgets
from pacer.web.forms import CONFIDENCE_CHOICES, YES_NO, CheckInForm

TRICKY = 'a "quoted" <b>&amp; 5 > 4</b>'

INPUT_ATTRS: list[dict[str, Any]] = [
    {},
    {"id": "id_kr1-value", "step": "0.000001", "placeholder": "%", "autofocus": True},
    {"id": "x", "aria-invalid": "true", "required": True, "disabled": False},
    {"placeholder": TRICKY, "data-n": 3, "maxlength": 2000},
]


def django_render(widget: forms.Widget, name: str, value: Any, attrs: dict[str, Any]) -> str:
    """The same widget through Django's own template rendering."""
    return forms.Widget.render(widget, name, value, attrs)


@pytest.mark.parametrize("attrs", INPUT_ATTRS)
@pytest.mark.parametrize("value", [None, "", Decimal("12.5"), "12,5 typed", TRICKY, 7])
@pytest.mark.parametrize(
    "fast, plain",
    [
        (widgets.NumberInput, forms.NumberInput),
        (widgets.TextInput, forms.TextInput),
    ],
)
def test_inputs_render_as_djangos_templates(
    fast: type[forms.Widget], plain: type[forms.Widget], value: Any, attrs: dict[str, Any]
) -> None:
    widget = fast(attrs={"class": "w"})
    assert isinstance(widget, plain)
    rendered = widget.render("kr1-value", value, dict(attrs))
    assert rendered == django_render(widget, "kr1-value", value, dict(attrs))


@pytest.mark.parametrize("value", [None, True, False, "on", ""])
def test_a_checkbox_renders_as_djangos_template(value: Any) -> None:
    widget = widgets.CheckboxInput()
    attrs = {"id": "id_kr1-confirm_far"}
    assert widget.render("kr1-confirm_far", value, dict(attrs)) == django_render(
        widget, "kr1-confirm_far", value, dict(attrs)
    )


GROUPED = [("Good", [("a", "A <1>"), ("b", TRICKY)]), ("", "None"), (3, "Three")]


@pytest.mark.parametrize("attrs", INPUT_ATTRS)
@pytest.mark.parametrize(
    "choices, value",
    [
        (CONFIDENCE_CHOICES, None),
        (CONFIDENCE_CHOICES, ""),
        (CONFIDENCE_CHOICES, "at_risk"),
        (CONFIDENCE_CHOICES, "not a choice"),
        (YES_NO, "1"),
        (YES_NO, Decimal("0")),
        (GROUPED, "b"),
        (GROUPED, 3),
    ],
)
def test_a_select_renders_as_djangos_templates(
    choices: Any, value: Any, attrs: dict[str, Any]
) -> None:
    widget = widgets.Select(choices=choices)
    assert widget.render("kr1-confidence", value, dict(attrs)) == django_render(
        widget, "kr1-confidence", value, dict(attrs)
    )


def test_the_check_in_form_uses_them_with_an_error_marked_as_django_marks_it() -> None:
    kr = KeyResult(type=KeyResult.Type.METRIC, start=Decimal(0), target=Decimal(10), unit="%")
    form = CheckInForm({"kr1-value": "abc", "kr1-note": TRICKY}, key_result=kr, prefix="kr1")
    assert not form.is_valid()
    for name in ("value", "confidence", "note"):
        field = form[name]
        assert isinstance(field.field.widget, (widgets.InputMixin, widgets.Select))
        attrs = field.build_widget_attrs({}) | {"id": field.auto_id}  # as_widget's order
        assert str(field) == django_render(
            field.field.widget, field.html_name, field.value(), attrs
        )
    assert 'aria-invalid="true"' in str(form["value"]) and 'value="abc"' in str(form["value"])
