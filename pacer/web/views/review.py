"""The quarterly review of a cycle (docs/review.md): anyone who may see the cycle reads it;
every number counts only the objectives they may see (`insights.review.cycle_review`)."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils.safestring import mark_safe

from pacer.insights import review
from pacer.web import insight_charts
from pacer.web.views.overview import cycle_or_404, person_of

# The reports helper's "Download" partial; the page includes it once it exists.
DOWNLOAD_PARTIAL = "web/partials/reports/_download.html"


def download_partial() -> str | None:
    try:
        select_template([DOWNLOAD_PARTIAL])
    except TemplateDoesNotExist:
        return None
    return DOWNLOAD_PARTIAL


@login_required
def cycle_review(request: HttpRequest, ref: str) -> HttpResponse:
    person = person_of(request)
    cycle = cycle_or_404(person, ref)
    shown = review.cycle_review(person, cycle)
    averages = [(row.name, row.scores.aspirational_average) for row in shown.by_team]
    averages.append(("Everyone", shown.overall.aspirational_average))
    context: dict[str, Any] = {
        "cycle": cycle,
        "review": shown,
        "target": review.ASPIRATIONAL_TARGET,
        "distribution_chart": mark_safe(  # numbers and escaped text only
            insight_charts.distribution_chart(
                shown.distribution,
                title=f"How many objectives of {cycle.name} scored 0.0 to 1.0",
                dom_id="distribution",
            )
        ),
        "averages_chart": mark_safe(  # numbers and escaped text only
            insight_charts.averages_chart(
                averages,
                target=review.ASPIRATIONAL_TARGET,
                title=f"Aspirational average by team in {cycle.name}, target 0.7",
                dom_id="aspirational",
            )
        ),
        "download_partial": download_partial(),
    }
    return render(request, "web/insights/review.html", context)
