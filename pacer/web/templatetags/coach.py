"""The coach's plan score in a table of objectives (pacer.coach.plan_score)."""

from typing import Any

from django import template

from pacer.coach.plan_score import CyclePlanScore
from pacer.okrs.models import Objective

register = template.Library()


@register.inclusion_tag("web/partials/coach/_plan_score.html")
def plan_score_cell(plan: CyclePlanScore, objective: Objective) -> dict[str, Any]:
    """An objective's plan score, with the rules it does not pass one click away."""
    return {"entry": plan.objectives.get(objective.ref)}
