"""The demo's closed quarter gives a review and calibrations worth looking at."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from pacer.accounts.models import User
from pacer.insights import calibration, review
from pacer.okrs.models import Cycle, Team
from tests.test_demo import TODAY

pytestmark = pytest.mark.django_db


def test_the_demos_closed_quarter_has_a_review_and_calibrations() -> None:
    call_command("demo", "--today", TODAY.isoformat(), stdout=StringIO())
    admin = User.objects.get(email="admin@demo.example")
    closed = Cycle.objects.get(state="closed")
    shown = review.cycle_review(admin, closed)
    assert shown.overall.objectives > 5 and len(shown.by_team) > 2
    assert shown.missed >= 3
    given = {row.reason: row.count for row in shown.reasons}
    assert given["other"] >= 1 and given[""] >= 1 and sum(given.values()) == shown.missed
    assert shown.retrospectives
    team = Team.objects.filter(objectives__cycle=closed).first()
    assert team is not None
    assert calibration.team_calibration(admin, team).count > 0
    counted = [calibration.person_calibration(admin, p).count for p in User.objects.all()]
    assert sum(1 for n in counted if n) >= 3
