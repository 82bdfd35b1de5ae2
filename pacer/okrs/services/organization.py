"""The organization's settings: today its status bands."""

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
