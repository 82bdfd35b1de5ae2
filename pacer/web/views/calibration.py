"""Confidence calibration pages (docs/calibration.md): a person's, for that person, the
leads of their teams and admins; a team's, for its leads and admins
(`permissions.can_see_calibration`, `can_see_team_calibration`). Someone of another
organization gets a 404, anyone else of the organization a 403."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe

from pacer.accounts.models import User
from pacer.insights import calibration
from pacer.okrs import permissions
from pacer.okrs.models import CheckIn, Team
from pacer.web import insight_charts
from pacer.web.views.overview import person_of

# The confidence each probability stands for, as people read it.
LABELS = {
    probability: CheckIn.Confidence(confidence).label
    for confidence, probability in calibration.PROBABILITY.items()
}


def shown(result: calibration.Calibration, title: str) -> dict[str, Any]:
    bins = [(b.probability, b.count, b.observed) for b in result.bins]
    return {
        "result": result,
        "brier": calibration.as_decimal(result.brier),
        "bins": [
            {
                "label": LABELS[b.probability],
                "probability": calibration.as_decimal(b.probability, 1),
                "count": b.count,
                "successes": b.successes,
                "observed": calibration.as_decimal(b.observed, 2),
            }
            for b in result.bins
        ],
        "chart": mark_safe(  # numbers and escaped text only
            insight_charts.reliability_chart(bins, title=title, dom_id="reliability")
        ),
    }


@login_required
def person_calibration(request: HttpRequest, person_id: int) -> HttpResponse:
    viewer = person_of(request)
    if viewer.organization_id is None:
        raise Http404("No such person.")
    other = get_object_or_404(User, pk=person_id, organization_id=viewer.organization_id)
    if not permissions.can_see_calibration(viewer, other):
        raise PermissionDenied("Only the person, their team leads and admins see this.")
    result = calibration.person_calibration(viewer, other)
    context = {
        "subject": other.name or other.email,
        "about_person": other,
        **shown(result, f"Reliability of {other.name or other.email}'s confidence"),
    }
    return render(request, "web/insights/calibration.html", context)


@login_required
def team_calibration(request: HttpRequest, ref: str) -> HttpResponse:
    viewer = person_of(request)
    if viewer.organization_id is None or "\x00" in ref:
        raise Http404("No such team.")
    team = get_object_or_404(Team, ref=ref, organization_id=viewer.organization_id)
    if not permissions.can_see_team_calibration(viewer, team):
        raise PermissionDenied("Only the team's leads and admins see this.")
    result = calibration.team_calibration(viewer, team)
    context = {
        "subject": team.name,
        "about_team": team,
        **shown(result, f"Reliability of {team.name}'s confidence"),
    }
    return render(request, "web/insights/calibration.html", context)
