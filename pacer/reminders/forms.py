from django import forms

from pacer.okrs import periods
from pacer.web.forms import PlainForm

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class RhythmForm(PlainForm):
    """The organization's check-in rhythm (the service checks it: rules.rhythm_problems)."""

    checkin_cadence = forms.ChoiceField(
        choices=[(c, c.capitalize()) for c in periods.CADENCES],
        label="Check-in cadence",
        help_text="Weekly and every other week start on Monday, monthly on the 1st, in each "
        "person's time zone. A team may choose its own.",
    )
    reminder_weekday = forms.TypedChoiceField(
        choices=list(enumerate(WEEKDAYS)),
        coerce=int,
        label="Reminder day",
        help_text="The first such day of each period.",
    )
    reminder_time = forms.TimeField(
        label="Reminder time",
        help_text="In each person's time zone, for example 09:00.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
