"""The forms of the KPI pages (pacer/web/views/kpis.py). They only turn text into values;
every rule is pacer.kpis.services'."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from pacer.accounts.models import User
from pacer.kpis.models import KPI
from pacer.okrs.models import KeyResult, Team
from pacer.web.forms import PEOPLE_SEARCH, PlainForm, value_field
from pacer.web.pickers import SearchableModelChoiceField


def number_field(label: str, help_text: str = "") -> forms.DecimalField:
    field = value_field()
    field.label, field.help_text = label, help_text
    return field


class KPIForm(PlainForm):
    name = forms.CharField(max_length=300, help_text="Such as Uptime or First response time.")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    unit = forms.CharField(max_length=30, required=False, help_text="Such as %, h or EUR.")
    owner = SearchableModelChoiceField(
        queryset=User.objects.none(),
        empty_label=None,
        help_text="Who answers for it.",
        size=1,
        **PEOPLE_SEARCH,
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)
    kind = forms.ChoiceField(
        choices=KPI.Kind.choices,
        help_text="Stay above a threshold (uptime), below it (response time), or in a range.",
    )
    threshold = number_field("Threshold", "For stay above and stay below, such as 99.9.")
    low = number_field("Low", "For a range: the lowest healthy value.")
    high = number_field("High", "For a range: the highest healthy value.")

    def __init__(
        self, *args: Any, owners: QuerySet[User], teams: QuerySet[Team], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]

    def spec_input(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ValueForm(PlainForm):
    value = forms.DecimalField(max_digits=24, decimal_places=6)
    at = forms.DateTimeField(
        label="When",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Empty: now.",
    )
    note = forms.CharField(required=False, max_length=10_000)


class FollowForm(PlainForm):
    key_result = SearchableModelChoiceField(
        queryset=KeyResult.objects.none(),
        empty_label="Choose a key result…",
        label="Key result",
        help_text="A metric, stay above, stay below or range key result you may edit, in a "
        "cycle that is not closed: each value of this KPI in its window becomes its check-in.",
        search_fields=("title", "objective__title"),
        search_label="Find by title",
        size=1,
    )

    def __init__(self, *args: Any, key_results: QuerySet[KeyResult], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key_result"].queryset = key_results  # type: ignore[attr-defined]


class FollowKPIForm(PlainForm):
    """From a key result's edit page: the KPI it follows (empty: none)."""

    kpi = forms.ModelChoiceField(
        queryset=KPI.objects.none(),
        required=False,
        empty_label="None: checked in by hand",
        label="Follow a KPI",
        help_text="Each value of the KPI whose date lies in this key result's window becomes "
        "its check-in, with a note saying it came from the KPI.",
    )

    def __init__(self, *args: Any, kpis: QuerySet[KPI], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kpi"].queryset = kpis  # type: ignore[attr-defined]
