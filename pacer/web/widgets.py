"""Form widgets rendered in Python, byte for byte as Django's own templates render them.

The weekly check-in page draws three fields a row for 50 rows. Django renders each widget
through its template engine (`django/forms/widgets/input.html`, and one include per option
of a select): about 0.27 ms a widget, a third of the page's time. These widgets build the
same HTML from the same context (`get_context`), so attributes Django adds (id,
`aria-invalid`, `required`, …) come out unchanged; tests/web/test_widgets.py holds each one
equal to Django's rendering.
"""

from typing import Any

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def attributes(attrs: dict[str, Any]) -> str:
    """`django/forms/widgets/attrs.html`: ` name="value"`, ` name` alone for True, nothing
    for False."""
    return "".join(
        f" {conditional_escape(name)}"
        + ("" if value is True else f'="{conditional_escape(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


class InputMixin:
    """`django/forms/widgets/input.html`, the template of every input type."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        shown = "" if widget["value"] is None else f' value="{conditional_escape(widget["value"])}"'
        return mark_safe(
            f'<input type="{conditional_escape(widget["type"])}" '
            f'name="{conditional_escape(widget["name"])}"{shown}{attributes(widget["attrs"])}>'
        )


class NumberInput(InputMixin, forms.NumberInput):
    pass


class TextInput(InputMixin, forms.TextInput):
    pass


class CheckboxInput(InputMixin, forms.CheckboxInput):
    pass


class Select(forms.Select):
    """`django/forms/widgets/select.html` and `select_option.html`, its whitespace too."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        html = [
            f'<select name="{conditional_escape(widget["name"])}"{attributes(widget["attrs"])}>'
        ]
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                html.append(
                    f'\n  <option value="{conditional_escape(option["value"])}"'
                    f"{attributes(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return mark_safe("".join(html))
