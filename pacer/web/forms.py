"""Forms of the web app. They parse and show input; the services decide what is valid."""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import QuerySet
from django.urls import reverse

from pacer.accounts.models import User
from pacer.mail import send_later
from pacer.okrs import periods, rules
from pacer.okrs import progress as engine
from pacer.okrs.display import value_text
from pacer.okrs.errors import DomainError
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Objective, Team
from pacer.web import widgets
from pacer.web.pickers import (
    CachedSelect,
    QuickSelect,
    SearchableModelChoiceField,
    SearchableModelMultipleChoiceField,
)

PEOPLE_SEARCH: dict[str, Any] = {
    "search_fields": ("name", "email"),
    "search_label": "Find by name or email",
}
OBJECTIVE_SEARCH: dict[str, Any] = {"search_fields": ("title",), "search_label": "Find by title"}


def value_field(widget: type[forms.Widget] = forms.NumberInput) -> forms.DecimalField:
    """A number as precise as the model stores it (24 digits, 6 after the point)."""
    return forms.DecimalField(required=False, max_digits=24, decimal_places=6, widget=widget)


CONFIDENCE_CHOICES = [("", "Confidence…"), *CheckIn.Confidence.choices]
YES_NO = [("", "Yes or no…"), ("1", "Yes"), ("0", "No")]


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with an email address (the username field is the email), in any case:
    `User.objects.get_by_natural_key` and django-axes (`security.lockout_username`) both
    lowercase it."""

    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset, with the mail rendered and sent on the mail thread (pacer/mail.py), so
    an address with an account gets the same answer, as fast, as one without."""

    def get_users(self, email: str) -> Iterator[User]:
        """The active account with this email, also when it has no password yet: a person
        whose invitation expired asks here for a new link (Django skips such accounts)."""
        email = User.objects.normalize_email_address(email)
        yield from User.objects.filter(email=email, is_active=True)

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        send_later(lambda: super(PasswordResetForm, self).send_mail(*args, **kwargs))


def show_problems(form: forms.BaseForm, error: DomainError) -> None:
    """Put a service's problems next to the fields they name, the rest at the top."""
    for field, message in error.problems:
        if field in form.fields:
            form.add_error(field, message)
        else:
            prefix = f"{field.replace('_', ' ')}: " if field else ""
            form.add_error(None, prefix + message)


class PlainForm(forms.Form):
    """Labels without the trailing colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class CheckInForm(forms.Form):
    """One check-in on one key result. Derived types (milestones, linked, initiatives) take no
    value."""

    # Widgets rendered in Python (pacer.web.widgets): the weekly page draws 150 of them.
    value = value_field(widgets.NumberInput)
    confidence = forms.ChoiceField(
        choices=CONFIDENCE_CHOICES, required=False, widget=widgets.Select
    )
    note = forms.CharField(required=False, max_length=2000, widget=widgets.TextInput)

    confirm_far = forms.BooleanField(required=False, widget=widgets.CheckboxInput)

    def __init__(self, *args: Any, key_result: KeyResult, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_result = key_result
        self.asks_confirmation = False  # a value far outside the range, not yet confirmed
        self.far_value: Decimal | None = None
        if key_result.type not in (engine.METRIC, engine.RANGE):
            del self.fields["confirm_far"]
        if key_result.type in engine.DERIVED_TYPES:
            del self.fields["value"]
        elif key_result.type == engine.BOOLEAN:
            self.fields["value"] = forms.TypedChoiceField(
                choices=YES_NO,
                required=False,
                coerce=engine.Decimal,
                empty_value=None,
                widget=widgets.Select,
            )
        self.fields["note"].widget.attrs["placeholder"] = "What changed? (optional)"
        if "value" in self.fields and key_result.unit:
            self.fields["value"].widget.attrs["placeholder"] = key_result.unit

    @property
    def takes_value(self) -> bool:
        return "value" in self.fields

    def is_blank(self) -> bool:
        """Nothing typed in this row (the weekly page skips such rows)."""
        typed = (name for name in self.fields if name != "confirm_far")
        return not any((self.data.get(self.add_prefix(name)) or "").strip() for name in typed)

    def clean(self) -> dict[str, Any]:
        """A value far outside the key result's range (rules.far_outside_range) is saved only
        once confirmed: the form comes back with a warning and a "Yes, save … anyway" box."""
        data = super().clean() or {}
        kr, value = self.key_result, data.get("value")
        far = rules.far_outside_range(
            value, type=kr.type, start=kr.start, target=kr.target, low=kr.low, high=kr.high
        )
        self.far_value = value if far else None
        if far and not data.get("confirm_far"):
            self.asks_confirmation = True
            self.add_error(
                "value",
                f"{value_text(kr, value)} is far outside this key result's range "
                f"({self.range_text()}): more than {rules.FAR_OUT_SPANS} times its span beyond "
                "either end. Is it a typo? Tick the box to save it anyway.",
            )
        return data

    @property
    def confirm_label(self) -> str:
        """The confirmation box's label: "Yes, save 1000000000 % anyway"."""
        return f"Yes, save {value_text(self.key_result, self.far_value)} anyway"

    def range_text(self) -> str:
        kr = self.key_result
        ends = (kr.start, kr.target) if kr.type == engine.METRIC else (kr.low, kr.high)
        return " → ".join(value_text(kr, end) for end in ends)

    def checkin_input(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "value": data.get("value"),
            "confidence": data.get("confidence") or "",
            "note": data.get("note") or "",
        }


class ObjectiveForm(PlainForm):
    """The objective's own fields; key results come in a formset beside it."""

    title = forms.CharField(max_length=300)
    ref = forms.SlugField(
        max_length=100,
        required=False,
        help_text="Short name in URLs; made from the title if empty. "
        "A private objective's gets a random ending.",
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    cycle = forms.ModelChoiceField(queryset=Cycle.objects.none())
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)
    owner = SearchableModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label=None,  # not sent: you (new), unchanged (edit)
        help_text="Who answers for it. Members own the objectives they create; admins may "
        "name anyone.",
        size=1,
        **PEOPLE_SEARCH,
    )
    kind = forms.ChoiceField(choices=Objective.Kind.choices, initial=engine.ASPIRATIONAL)
    visibility = forms.ChoiceField(
        choices=Objective.Visibility.choices, initial=Objective.Visibility.PUBLIC
    )
    parents = SearchableModelMultipleChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        help_text="Objectives this one supports (same or enclosing cycle).",
        **OBJECTIVE_SEARCH,
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        cycles: QuerySet[Cycle],
        teams: QuerySet[Team],
        parents: QuerySet[Objective],
        owners: QuerySet[User],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
        self.fields["owner"].label_from_instance = person_label  # type: ignore[attr-defined]
        self.fields["cycle"].queryset = cycles  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["parents"].queryset = parents  # type: ignore[attr-defined]
        self.fields["parents"].label_from_instance = (  # type: ignore[attr-defined]
            lambda o: f"{o.title} ({o.cycle.name})"
        )
        if editing:  # the cycle and the ref stay; copy the objective to change its cycle
            del self.fields["cycle"]
            del self.fields["ref"]


# The fields each key result type shows (the rest are emptied when the form is cleaned).
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    engine.METRIC: ("unit", "start", "target", "change_by", "direction"),
    engine.BOOLEAN: (),
    engine.MILESTONES: (),
    engine.STAY_ABOVE: ("unit", "threshold"),
    engine.STAY_BELOW: ("unit", "threshold"),
    engine.RANGE: ("unit", "low", "high"),
    engine.LINKED: ("linked_objective",),
    engine.INITIATIVES: (),
}
TYPE_HELP = {
    engine.METRIC: "A number from a start to a target, e.g. “Raise weekly active users from "
    "1,200 to 2,000”. Give the target, or let it follow from the start: increase or decrease "
    "by a percentage.",
    engine.BOOLEAN: "Done or not, e.g. “Launch the new pricing page”. Nothing to measure.",
    engine.MILESTONES: "Progress is the weight of the milestones done, e.g. “Ship the mobile "
    "app: beta, store review, launch”. Add the milestones on the key result's edit page "
    "(Edit on the objective page) after creating it.",
    engine.STAY_ABOVE: "A health metric that must not fall below a threshold, e.g. “Keep NPS "
    "at or above 40”.",
    engine.STAY_BELOW: "A health metric that must not rise above a threshold, e.g. “Keep p95 "
    "latency at or below 300 ms”.",
    engine.RANGE: "A health metric that stays between low and high, e.g. “Keep stock between "
    "200 and 500 units”.",
    engine.LINKED: "Follows the progress of another objective, e.g. “Team objective: "
    "Improve onboarding” supporting this one. Choose the objective it follows.",
    engine.INITIATIVES: "Progress is the mean progress of the initiatives behind it (those not "
    "cancelled), e.g. “Billing runs on the new API” moved by “Migrate billing to the new API”. "
    "After creating it, link initiatives to it from the cycle's Work page.",
}
DIRECTIONS = [("increase", "Increase by"), ("decrease", "Decrease by")]


def person_label(person: User) -> str:
    return f"{person.name} ({person.email})" if person.name else person.email


class KeyResultForm(PlainForm):
    """One key result; only the fields of its type are shown (TYPE_FIELDS) and kept."""

    title = forms.CharField(max_length=300, required=False)
    type = forms.ChoiceField(choices=KeyResult.Type.choices, initial=engine.METRIC, required=False)
    unit = forms.CharField(max_length=30, required=False)
    start = value_field()
    target = value_field()
    change_by = forms.DecimalField(
        required=False,
        max_digits=12,
        decimal_places=6,
        label="Or change by (%)",
        help_text="Instead of a target: the target is the start changed by this percentage.",
    )
    direction = forms.ChoiceField(
        choices=DIRECTIONS, required=False, initial="increase", label="Direction"
    )
    threshold = value_field()
    low = value_field()
    high = value_field()
    linked_objective = SearchableModelChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        label="Objective it follows",
        **OBJECTIVE_SEARCH,
    )
    owner = SearchableModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="(no owner)",
        size=1,
        **PEOPLE_SEARCH,
    )
    weight = forms.DecimalField(required=False, max_digits=8, decimal_places=3, initial=1)
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(
        self,
        *args: Any,
        people: QuerySet[User] | None = None,
        objectives: QuerySet[Objective] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = people if people is not None else User.objects.none()  # type: ignore[attr-defined]
        owner.label_from_instance = person_label  # type: ignore[attr-defined]
        linked = self.fields["linked_objective"]
        linked.queryset = objectives if objectives is not None else Objective.objects.none()  # type: ignore[attr-defined]
        linked.label_from_instance = lambda o: f"{o.title} ({o.cycle.name})"  # type: ignore[attr-defined]
        self.fields["type"].widget.attrs.update(
            {  # htmx: the type's fields replace the shown ones when the type changes
                "hx-get": reverse("key_result_type_fields") + f"?prefix={self.prefix or ''}",
                "hx-target": f"#{self.type_fields_id}",
                "hx-swap": "outerHTML",
                "hx-trigger": "change",
            }
        )

    @property
    def type_fields_id(self) -> str:
        return f"{self.prefix or 'kr'}-type-fields"

    @property
    def chosen_type(self) -> str:
        """The type as sent (if it is one), else as first shown."""
        chosen = self.data.get(self.add_prefix("type")) if self.is_bound else None
        if chosen not in TYPE_FIELDS:
            chosen = self.get_initial_for_field(self.fields["type"], "type")
        return chosen if chosen in TYPE_FIELDS else engine.METRIC

    @property
    def type_help(self) -> str:
        return TYPE_HELP[self.chosen_type]

    def type_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in TYPE_FIELDS[self.chosen_type]]

    def common_fields(self) -> list[forms.BoundField]:
        """Title and type first, the other fields (owner, weight, ...) after the type's."""
        of_types = {name for names in TYPE_FIELDS.values() for name in names}
        return [
            field
            for field in self.visible_fields()
            if field.name not in {"title", "type"} | of_types
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kept = TYPE_FIELDS.get(data.get("type") or engine.METRIC, ())
        for name in {name for names in TYPE_FIELDS.values() for name in names} - set(kept):
            data[name] = "" if name == "unit" else None
        change, direction = data.pop("change_by", None), data.pop("direction", None)
        if change is not None and (data.get("title") or "").strip():
            self.target_from_change(data, change, increase=direction != "decrease")
        return data

    def target_from_change(self, data: dict[str, Any], change: Decimal, increase: bool) -> None:
        """The target as the start changed by `change` %, if only that was given."""
        if data.get("target") is not None:
            self.add_error("change_by", "Give a target or a change in %, not both.")
        elif change <= 0:
            self.add_error("change_by", "Must be more than 0 (choose increase or decrease).")
        elif data.get("start") is None:
            self.add_error("start", "Needed to compute the target from a change in %.")
        else:
            data["target"] = rules.target_from_change(data["start"], change, increase=increase)

    def is_blank(self) -> bool:
        return not (self.cleaned_data.get("title") or "").strip()


class KeyResultBaseFormSet(forms.BaseFormSet):
    def specs_input(self) -> list[dict[str, Any]]:
        """The filled rows, as keyword arguments of services.KeyResultSpec."""
        return [self.spec_input(form.cleaned_data) for form in self.forms if not form.is_blank()]

    @staticmethod
    def spec_input(row: dict[str, Any]) -> dict[str, Any]:
        """One row's cleaned data with the defaults of an empty weight and type."""
        row["weight"] = row.get("weight") if row.get("weight") is not None else Decimal(1)
        row["type"] = row.get("type") or engine.METRIC
        return row

    def filled_indexes(self) -> list[int]:
        return [i for i, form in enumerate(self.forms) if not form.is_blank()]


MAX_KEY_RESULTS = 7
KeyResultFormSet = forms.formset_factory(
    KeyResultForm,
    formset=KeyResultBaseFormSet,
    extra=1,
    max_num=MAX_KEY_RESULTS,
    validate_max=True,
)


def without_errors(*shown: forms.BaseForm | forms.BaseFormSet) -> None:
    """Show what was sent without judging it (a no-JavaScript "Add key result" or "Update
    fields" comes back with the input kept and no errors: nothing is saved)."""
    for item in shown:
        if isinstance(item, forms.BaseFormSet):
            without_errors(*item.forms)
            item._errors = [form.errors for form in item.forms]  # type: ignore[attr-defined]
            item._non_form_errors = item.error_class()  # type: ignore[attr-defined]
        else:
            item._errors = forms.utils.ErrorDict()  # type: ignore[attr-defined]


class CopyForm(PlainForm):
    cycle = forms.ModelChoiceField(queryset=Cycle.objects.none(), label="Copy into cycle")
    key_results = forms.ModelMultipleChoiceField(
        queryset=KeyResult.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Key results that come along",
    )

    def __init__(
        self, *args: Any, cycles: QuerySet[Cycle], key_results: QuerySet[KeyResult], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = cycles  # type: ignore[attr-defined]
        self.fields["key_results"].queryset = key_results  # type: ignore[attr-defined]


class MoveKeyResultForm(PlainForm):
    objective = SearchableModelChoiceField(
        queryset=Objective.objects.none(), label="Move to", size=1, **OBJECTIVE_SEARCH
    )

    def __init__(self, *args: Any, objectives: QuerySet[Objective], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = objectives  # type: ignore[attr-defined]


class RetrospectiveForm(PlainForm):
    score_override = forms.DecimalField(
        required=False,
        max_digits=2,
        decimal_places=1,
        min_value=0,
        max_value=1,
        label="Final score (override)",
        help_text="Leave empty to keep the computed score.",
    )
    override_reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Reason for the override"
    )
    went_well = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="What went well"
    )
    went_wrong = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="What did not"
    )
    learned = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="What we learned"
    )


class InviteForm(PlainForm):
    """An admin adds a person; the service refuses an email that already has an account."""

    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    name = forms.CharField(max_length=200, required=False)
    admin = forms.BooleanField(required=False, label="Organization admin")
    teams = SearchableModelMultipleChoiceField(queryset=Team.objects.none(), required=False, size=5)

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = teams  # type: ignore[attr-defined]


class TokenForm(PlainForm):
    """A personal API token; `pacer.api.tokens.token_create` checks the values again."""

    name = forms.CharField(
        max_length=100, required=False, help_text="What it is for, e.g. “BI job”."
    )
    scope = forms.ChoiceField(
        choices=[("read", "Read only"), ("write", "Read and write")], initial="read"
    )
    expires_in_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        initial=90,
        label="Expires after (days)",
        help_text="Leave empty for a token that never expires.",
    )


# --- Teams and people ------------------------------------------------------------------


class TeamForm(PlainForm):
    """A team's name and place in the tree; the ref is chosen once, at creation."""

    name = forms.CharField(max_length=200)
    ref = forms.SlugField(
        max_length=100,
        required=False,
        help_text="Short name in URLs and OKR files; made from the name if empty.",
    )
    parent = SearchableModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        label="Part of",
        empty_label="(no team: the top of the tree)",
        size=1,
    )
    checkin_cadence = forms.ChoiceField(
        choices=[("", "The organization's")] + [(c, c.capitalize()) for c in periods.CADENCES],
        required=False,
        label="Check-in cadence",
        help_text="How often the team's key results await a check-in and reminders go out.",
    )

    def __init__(
        self, *args: Any, parents: QuerySet[Team], creating: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        if creating:  # a new team follows the organization's cadence; set on its edit page
            del self.fields["checkin_cadence"]
        else:  # refs never change: files and bookmarks use them
            del self.fields["ref"]


class MemberForm(PlainForm):
    person = SearchableModelChoiceField(
        queryset=User.objects.none(), label="Person", size=1, **PEOPLE_SEARCH
    )
    is_lead = forms.BooleanField(required=False, label="Team lead")

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["person"].label_from_instance = (  # type: ignore[attr-defined]
            lambda p: f"{p.name} ({p.email})" if p.name else p.email
        )


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(rules.time_zone_names())]


class PersonForm(PlainForm):
    """What an admin changes about a person; `services.person_update` checks it again."""

    role = forms.ChoiceField(choices=User.Role.choices)
    time_zone = forms.ChoiceField(choices=time_zone_choices, label="Time zone", widget=CachedSelect)
    teams = SearchableModelMultipleChoiceField(
        queryset=Team.objects.none(),
        required=False,
        help_text="Archived teams are not listed; memberships in them stay.",
    )

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = teams  # type: ignore[attr-defined]


PERSON_STATES = [
    ("", "Everyone"),
    ("active", "Active"),
    ("invited", "Invited, no password yet"),
    ("deactivated", "Deactivated"),
]


class PeopleFilterForm(PlainForm):
    """The people list's filters (GET): a team and a state; a bad value shows everyone."""

    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        to_field_name="ref",
        empty_label="Any team",
        widget=QuickSelect,  # 600 teams: options as strings, not a template each
    )
    state = forms.ChoiceField(choices=PERSON_STATES, required=False)

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class ConfirmForm(PlainForm):
    """A confirmation step (delete, ...): no fields; a refusal shows as its error."""


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CycleForm(PlainForm):
    """A cycle's name, dates and state; its ref only when it is created (it never changes).
    `services.cycle_create` / `cycle_update` judge the values."""

    name = forms.CharField(max_length=100, help_text="Such as 2026 Q3.")
    ref = forms.CharField(
        max_length=100,
        required=False,
        help_text="Short name in URLs and OKR files, such as 2026-q3; made from the name if "
        "empty. It cannot change later.",
    )
    start = forms.DateField(widget=date_input())
    end = forms.DateField(widget=date_input())
    state = forms.ChoiceField(
        choices=[(s.value, s.label) for s in (Cycle.State.PLANNING, Cycle.State.ACTIVE)],
        initial=Cycle.State.PLANNING,
        help_text="Planning: objectives are drafted, nobody is asked to check in. Active: the "
        "cycle runs. Closing freezes the scores (from the cycle's close page).",
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["ref"]


class PlanNextForm(PlainForm):
    """Which of the offered objectives carry over to the next cycle, with which key results.
    A key result counts only if its objective is chosen (the page ticks the unfinished ones
    of every objective)."""

    objectives = forms.ModelMultipleChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Objectives to copy",
    )
    key_results = forms.ModelMultipleChoiceField(
        queryset=KeyResult.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Key results that come along",
    )

    def __init__(self, *args: Any, offered: list[Objective], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offered = offered
        ids = [objective.pk for objective in offered]
        self.fields["objectives"].queryset = Objective.objects.filter(pk__in=ids)  # type: ignore[attr-defined]
        self.fields["key_results"].queryset = KeyResult.objects.filter(objective_id__in=ids)  # type: ignore[attr-defined]

    def carry(self) -> list[tuple[Objective, list[KeyResult]]]:
        """The chosen objectives, in the page's order, each with its chosen key results."""
        chosen = {objective.pk for objective in self.cleaned_data["objectives"]}
        key_results = {kr.pk for kr in self.cleaned_data["key_results"]}
        return [
            (objective, [kr for kr in objective.key_results.all() if kr.pk in key_results])
            for objective in self.offered
            if objective.pk in chosen
        ]

    def ticked(self) -> tuple[set[int], set[int]]:
        """The ticked objectives and key results: as sent, or at first none and every
        unfinished key result."""
        if self.is_bound:
            return self.ids_sent("objectives"), self.ids_sent("key_results")
        unfinished = {kr.pk for o in self.offered for kr in o.key_results.all() if kr.unfinished}
        return set(), unfinished

    def ids_sent(self, name: str) -> set[int]:
        return {int(v) for v in self[name].value() or () if str(v).isdigit()}


class KeyResultEditForm(KeyResultForm):
    """A stored key result's definition; its type's fields as KeyResultForm, plus the text."""

    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class BlankWeightIsOne(PlainForm):
    """A milestone's weight left blank is 1 (its default)."""

    def clean_weight(self) -> Decimal:
        weight = self.cleaned_data.get("weight")
        return Decimal(1) if weight is None else weight


class MilestoneForm(BlankWeightIsOne):
    title = forms.CharField(label="Milestone", max_length=300, required=False)
    weight = forms.DecimalField(
        label="Milestone weight", required=False, max_digits=8, decimal_places=3, initial=1
    )


class MilestoneEditForm(BlankWeightIsOne):
    """Rename a milestone or change its weight (a blank weight is 1, as when adding one)."""

    title = forms.CharField(label="Title", max_length=300, required=False)
    weight = forms.DecimalField(
        label="Weight",
        required=False,
        max_digits=8,
        decimal_places=3,
        help_text="Its share of the key result: progress is the weight done over all weight.",
    )


class MilestoneMoveForm(PlainForm):
    """Move a milestone one place up or down its key result's list."""

    OFFSETS = {"up": -1, "down": 1}
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])

    def offset(self) -> int:
        return self.OFFSETS[self.cleaned_data["direction"]]


# --- Initiatives and tasks (pacer.initiatives; the services judge the values) ------------


# The engine's statuses, labelled as Initiative.Status labels them ("In progress").
INITIATIVE_STATUS_CHOICES = [
    (status, status.replace("_", " ").capitalize()) for status in engine.INITIATIVE_STATUSES
]


def key_result_label(kr: KeyResult) -> str:
    return f"{kr.title} ({kr.objective.title})"


class InitiativeForm(PlainForm):
    """An initiative's own fields; its cycle comes from the page it was started from."""

    title = forms.CharField(max_length=300)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    owner = SearchableModelChoiceField(
        queryset=User.objects.none(),
        empty_label=None,
        help_text="Who drives the work; anyone active in your organization.",
        size=1,
        **PEOPLE_SEARCH,
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)
    status = forms.ChoiceField(choices=INITIATIVE_STATUS_CHOICES, initial=engine.PLANNED)
    start = forms.DateField(required=False, widget=date_input())
    due = forms.DateField(required=False, widget=date_input())
    key_results = SearchableModelMultipleChoiceField(
        queryset=KeyResult.objects.none(),
        required=False,
        label="Key results",
        help_text="The key results of this cycle this work moves (a key result of type "
        "“initiatives” takes its progress from them).",
        search_fields=("title", "objective__title"),
        search_label="Find by title",
    )
    link = forms.CharField(
        label="Link",
        required=False,
        max_length=2000,
        help_text="An issue tracker's milestone, epic or query (https://…). Without tasks, "
        "progress is the share of its issues closed.",
    )

    def __init__(
        self,
        *args: Any,
        owners: QuerySet[User],
        teams: QuerySet[Team],
        key_results: QuerySet[KeyResult],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
        self.fields["owner"].label_from_instance = person_label  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["key_results"].queryset = key_results  # type: ignore[attr-defined]
        self.fields["key_results"].label_from_instance = key_result_label  # type: ignore[attr-defined]

    def spec_input(self) -> dict[str, Any]:
        """The cleaned values as `InitiativeSpec` keywords."""
        data = dict(self.cleaned_data)
        data["link_url"] = data.pop("link")
        data["key_results"] = list(data["key_results"])
        return data


class TaskForm(PlainForm):
    """A task's title, assignee and due date (add and edit alike)."""

    title = forms.CharField(label="Task", max_length=300)
    assignee = SearchableModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody",
        size=1,
        **PEOPLE_SEARCH,
    )
    due = forms.DateField(required=False, widget=date_input())

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = people  # type: ignore[attr-defined]
        self.fields["assignee"].label_from_instance = person_label  # type: ignore[attr-defined]


class TaskMoveForm(MilestoneMoveForm):
    """Move a task one place up or down its initiative's list."""


class StatusUpdateForm(PlainForm):
    """A status update: the status as it stands now, and a note."""

    status = forms.ChoiceField(choices=INITIATIVE_STATUS_CHOICES)
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )


class BoardMoveForm(PlainForm):
    """A card of the board moved to another status (a status update without a note)."""

    status = forms.ChoiceField(choices=INITIATIVE_STATUS_CHOICES, label="Move to")
    next = forms.CharField(required=False, widget=forms.HiddenInput)
