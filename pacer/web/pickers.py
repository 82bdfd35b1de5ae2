"""Searchable pickers: choice fields over organization-sized lists (people, objectives,
teams) that validate against the whole queryset (one pk lookup) but show only the chosen
value(s) and the first `limit` matches of the picker's search text.

The search text is a sibling input `<field>__q`; its "Find" button (name="refresh") sends the
form back to be shown again, nothing saved (the views' `only_refreshing`). With htmx, typing
in it posts the form the same way and swaps only the picker's <select> (pacer.js sends it to
the form's own action). Options are built as escaped strings: no template per option.
"""

import functools
import json
import operator
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.db.models import Model, Q, QuerySet
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

LIMIT = 20  # matches shown besides the chosen ones
MAX_PK = 2**63 - 1  # no row has a larger key (and SQLite cannot compare one: a 500)


def as_pk(value: Any) -> int | None:
    """`value` as a row's key, or None. ASCII digits only and no longer than the largest
    key: `int()` refuses digits such as "²" that `isdigit` accepts, and over 4,300 digits
    it raises instead of converting (both were a 500)."""
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_PK))):
        return None
    pk = int(text)
    return pk if pk <= MAX_PK else None


def chosen_pks(value: Any) -> list[int]:
    """The pks in a bound or initial value: a pk, an instance, or a list of either."""
    values = value if isinstance(value, list | tuple | set | QuerySet) else [value]
    pks = (as_pk(item.pk if isinstance(item, Model) else item) for item in values)
    return [pk for pk in pks if pk is not None]


def matching(queryset: QuerySet[Any], fields: Sequence[str], query: str) -> QuerySet[Any]:
    """The rows whose `fields` contain every word of `query` (case-insensitive)."""
    for word in query.split():
        found = [Q(**{f"{name}__icontains": word}) for name in fields]
        queryset = queryset.filter(functools.reduce(operator.or_, found))
    return queryset


class PickerBoundField(forms.BoundField):
    """Renders the picker: a search input, a Find button and a short <select>."""

    def query(self) -> str:
        if not self.form.is_bound:
            return ""
        # NUL: PostgreSQL refuses it in a query parameter (a 500); it matches nothing anyway.
        return str(self.form.data.get(f"{self.html_name}__q", "")).replace("\x00", "")[:200]

    def as_widget(self, widget: Any = None, attrs: Any = None, only_initial: bool = False) -> Any:
        field = self.field
        widget = widget or field.widget
        attrs = self.build_widget_attrs(dict(attrs or {}), widget)
        if self.auto_id and "id" not in widget.attrs:
            attrs.setdefault("id", self.auto_id)
        attrs = {**widget.attrs, **attrs}
        attrs.pop("required", None)
        return render_picker(self, attrs)


def render_picker(bound: PickerBoundField, attrs: dict[str, Any]) -> SafeString:
    field: Any = bound.field
    query = bound.query()
    chosen = chosen_pks(bound.value())
    shown = field.shown(chosen, query)
    select_id = escape(attrs.get("id") or f"id_{bound.html_name}")
    name = escape(bound.html_name)
    search_id = f"{select_id}__q"
    htmx = {
        "hx-post": "",
        "hx-trigger": "input changed delay:250ms, search",
        "hx-select": f"#{select_id}",
        "hx-target": f"#{select_id}",
        "hx-swap": "outerHTML",
        "hx-vals": json.dumps({"refresh": "1"}),
    }
    select_attrs = flatatt({key: value for key, value in attrs.items() if key != "id"})
    multiple = " multiple" if field.multiple else ""
    return mark_safe(  # every value escaped above or in `options`
        f'<div class="picker" id="{select_id}-picker">'
        f'<span class="picker-search"><label for="{search_id}" class="small">'
        f"{escape(field.search_label)}</label> "
        f'<input type="search" id="{search_id}" name="{name}__q" value="{escape(query)}" '
        f'autocomplete="off" data-picker-search{flatatt(htmx)}> '
        f'<button type="submit" name="refresh" value="1" class="secondary small">Find</button>'
        f"</span>"
        f'<select name="{name}" id="{select_id}"{multiple}{select_attrs}>'
        f"{options(field, shown, set(chosen))}</select></div>"
    )


def options(field: Any, shown: list[Any], chosen: set[int]) -> str:
    """The options: the empty choice, the chosen rows, the matches; then, if there are more
    matches than shown, a disabled option that says so."""
    more = len([item for item in shown if item.pk not in chosen]) > field.limit
    shown = shown[:-1] if more else shown
    parts = []
    if not field.multiple and field.empty_label is not None:
        selected = "" if chosen else " selected"
        parts.append(f'<option value=""{selected}>{escape(field.empty_label)}</option>')
    for item in shown:
        selected = " selected" if item.pk in chosen else ""
        label = escape(field.label_from_instance(item))
        parts.append(f'<option value="{item.pk}"{selected}>{label}</option>')
    if more:
        parts.append(f"<option disabled>More than {field.limit}: search to narrow…</option>")
    return "".join(parts)


class PickerMixin:
    """What both pickers share: the search fields, the limit, the shown rows."""

    multiple = False

    def __init__(
        self,
        *args: Any,
        search_fields: Sequence[str] = ("name",),
        search_label: str = "Find by name",
        limit: int = LIMIT,
        size: int = 6,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", forms.SelectMultiple if self.multiple else forms.Select)
        super().__init__(*args, **kwargs)
        self.search_fields = tuple(search_fields)
        self.search_label = search_label
        self.limit = limit
        if self.multiple or size > 1:
            self.widget.attrs.setdefault("size", size)  # type: ignore[attr-defined]

    def shown(self, chosen: list[int], query: str) -> list[Any]:
        """The chosen rows first, then the first `limit` others matching `query` (and one more
        if there are more: `options` shows a note instead)."""
        rows: QuerySet[Any] = self.queryset  # type: ignore[attr-defined]
        first = [] if not chosen else list(rows.filter(pk__in=chosen))
        others = matching(rows, self.search_fields, query).exclude(pk__in=chosen)
        return first + list(others[: self.limit + 1])  # one more: "more" is said

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> forms.BoundField:
        return PickerBoundField(form, self, field_name)  # type: ignore[arg-type]


class SearchableModelChoiceField(PickerMixin, forms.ModelChoiceField):
    """One row among many: validated against the whole queryset, a few shown."""


class SearchableModelMultipleChoiceField(PickerMixin, forms.ModelMultipleChoiceField):
    """Several rows among many: validated against the whole queryset, a few shown."""

    multiple = True

    def _check_values(self, value: Any) -> QuerySet[Any]:
        for pk in value or ():
            if str(pk).isdigit() and as_pk(pk) is None:
                message = self.error_messages["invalid_pk_value"]
                raise forms.ValidationError(message, code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)  # type: ignore[misc]


class QuickSelect(forms.Select):
    """A select over a long list (600 teams) whose options are built as escaped strings, not
    one template each."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        chosen = f'<option value="{escape("" if value is None else value)}">'
        html = self.options_html().replace(chosen, chosen[:-1] + " selected>", 1)
        return mark_safe(f'<select name="{escape(name)}"{attributes}>{html}</select>')

    def options_html(self) -> str:
        return options_html(self.choices)


class CachedSelect(QuickSelect):
    """A select over a long fixed list (time zones), its options built once per process."""

    def options_html(self) -> str:
        return cached_options_html(tuple(self.choices))


def options_html(choices: Iterable[tuple[Any, Any]]) -> str:
    return "".join(
        f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in choices
    )


@functools.lru_cache(maxsize=8)
def cached_options_html(choices: tuple[tuple[Any, Any], ...]) -> str:
    return options_html(choices)
