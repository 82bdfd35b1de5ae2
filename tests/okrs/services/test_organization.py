"""pacer.okrs.services.organization: the status bands."""

from decimal import Decimal

import pytest

from pacer.okrs import services
from tests.factories import D, World, fresh, refusal

pytestmark = pytest.mark.django_db


def test_the_bands_change_and_a_missing_value_keeps_its_own(world: World) -> None:
    services.organization_update(organization=world.org, at_risk_gap=D("0.05"))
    org = fresh(world.org)
    assert (org.at_risk_gap, org.off_track_gap) == (D("0.05"), D("0.25"))
    services.organization_update(organization=org, off_track_gap=D("0.5"))
    org = fresh(world.org)
    assert (org.at_risk_gap, org.off_track_gap) == (D("0.05"), D("0.5"))


def test_equal_bands_are_allowed(world: World) -> None:
    services.organization_update(organization=world.org, at_risk_gap=D(0), off_track_gap=D(0))
    assert fresh(world.org).bands.at_risk_gap == 0


@pytest.mark.parametrize(
    ("at_risk", "off_track", "fields"),
    [
        (Decimal("-0.1"), None, {"at_risk_gap"}),
        (None, Decimal("1.5"), {"off_track_gap"}),
        (Decimal(2), Decimal(-1), {"at_risk_gap", "off_track_gap"}),
        (Decimal("0.3"), Decimal("0.2"), {"off_track_gap"}),
    ],
)
def test_bands_lie_in_0_to_1_and_at_risk_comes_first(
    world: World, at_risk: Decimal | None, off_track: Decimal | None, fields: set[str]
) -> None:
    problems = refusal(
        lambda: services.organization_update(
            organization=world.org, at_risk_gap=at_risk, off_track_gap=off_track
        )
    )
    assert set(problems) == fields
