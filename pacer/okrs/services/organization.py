"""The organization's settings: its status bands and its check-in rhythm."""

from datetime import time
from decimal import Decimal

from django.db import transaction

from pacer.okrs import rules
from pacer.okrs.errors import raise_if
from pacer.okrs.models import Organization


@transaction.atomic
def organization_update(
    *,
    organization: Organization,
    at_risk_gap: Decimal | None = None,
    off_track_gap: Decimal | None = None,
) -> Organization:
    """Change the status bands; a missing value keeps the current one."""
    at_risk = organization.at_risk_gap if at_risk_gap is None else at_risk_gap
    off_track = organization.off_track_gap if off_track_gap is None else off_track_gap
    raise_if(rules.bands_problems(at_risk_gap=at_risk, off_track_gap=off_track))
    organization.at_risk_gap, organization.off_track_gap = at_risk, off_track
    organization.save(update_fields=["at_risk_gap", "off_track_gap", "updated_at"])
    return organization


@transaction.atomic
def organization_rhythm_update(
    *,
    organization: Organization,
    checkin_cadence: str | None = None,
    reminder_weekday: int | None = None,
    reminder_time: time | None = None,
) -> Organization:
    """Change the check-in rhythm (docs/semantics.md, "Check-in rhythm"): the cadence and
    when in a period reminders go out; a missing value keeps the current one."""
    cadence = organization.checkin_cadence if checkin_cadence is None else checkin_cadence
    weekday = organization.reminder_weekday if reminder_weekday is None else reminder_weekday
    at = organization.reminder_time if reminder_time is None else reminder_time
    raise_if(rules.rhythm_problems(cadence=cadence, weekday=weekday, at=at))
    organization.checkin_cadence, organization.reminder_weekday = cadence, weekday
    organization.reminder_time = at
    organization.save(
        update_fields=["checkin_cadence", "reminder_weekday", "reminder_time", "updated_at"]
    )
    return organization
