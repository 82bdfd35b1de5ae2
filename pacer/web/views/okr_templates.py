"""OKR templates by role on the web (docs/coach.md, "Templates by role"): the page listing
them, reached by "Start from a template" on the New objective page, and what one of its
"Use this objective" links (`/objectives/new/?template=NAME&objective=N`) fills that form
with. Saving goes the form's normal way; a template's milestones come along.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse

from pacer.coach import role_templates
from pacer.okrs import progress as engine
from pacer.okrs.display import number_text
from pacer.okrs.models import KeyResult, Objective
from pacer.okrs.okrfile.schema import KeyResultIn, ObjectiveIn

logger = logging.getLogger(__name__)

# What the New objective page was asked for (a team's, a parent's) stays asked for.
KEPT = ("cycle", "team", "parent")
UNREADABLE = (
    "The templates cannot be read right now; an administrator can run "
    "`pacer templates list` to see why."
)


@dataclass(frozen=True)
class ShownKeyResult:
    title: str
    type: str
    example: str  # the example target, as people write it


@dataclass(frozen=True)
class ShownObjective:
    title: str
    description: str
    kind: str
    key_results: list[ShownKeyResult]
    use_url: str


@dataclass(frozen=True)
class ShownTemplate:
    name: str
    title: str
    objectives: list[ShownObjective]


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    try:
        templates = role_templates.available()
    except role_templates.TemplateError:
        logger.exception("an OKR template cannot be read")  # the file and line, for the operator
        messages.error(request, UNREADABLE)
        templates = []
    kept = kept_query(request.GET)
    context = {
        "templates": [shown_template(template, kept) for template in templates],
        "blank_url": reverse("objective_new") + (f"?{urlencode(kept)}" if kept else ""),
    }
    return render(request, "web/okr_templates/list.html", context)


def kept_query(query: QueryDict) -> list[tuple[str, str]]:
    return [(name, str(query.get(name))) for name in KEPT if query.get(name)]


def shown_template(template: role_templates.Template, kept: list[tuple[str, str]]) -> ShownTemplate:
    objectives = [
        shown_objective(objective, use_url(template.name, number, kept))
        for number, objective in enumerate(template.doc.objectives, start=1)
    ]
    return ShownTemplate(name=template.name, title=template.title, objectives=objectives)


def use_url(name: str, number: int, kept: list[tuple[str, str]]) -> str:
    query = urlencode([*kept, ("template", name), ("objective", number)])
    return f"{reverse('objective_new')}?{query}"


def shown_objective(objective: ObjectiveIn, url: str) -> ShownObjective:
    return ShownObjective(
        title=objective.title,
        description=objective.description,
        kind=Objective.Kind(objective.kind).label,
        key_results=[shown_key_result(kr) for kr in objective.key_results],
        use_url=url,
    )


def shown_key_result(kr: KeyResultIn) -> ShownKeyResult:
    return ShownKeyResult(title=kr.title, type=KeyResult.Type(kr.type).label, example=example(kr))


def example(kr: KeyResultIn) -> str:
    """The example target, after the type's name: "0 → 90 %", "40 → 34 days (-15 %)",
    "99.9 %" (a threshold), "Month 1, Month 2" (milestones)..."""
    unit = f" {kr.unit}" if kr.unit else ""
    if kr.type == engine.METRIC and kr.start is not None and kr.target is not None:
        start, target = number_text(kr.start), number_text(kr.target)
        # A change of a percentage in % ("60 → 80 % (+33 %)") would read as points.
        relative = change(kr.start, kr.target) if kr.unit != "%" else ""
        return f"{start} → {target}{unit}{relative}"
    if kr.type in (engine.STAY_ABOVE, engine.STAY_BELOW) and kr.threshold is not None:
        return f"{number_text(kr.threshold)}{unit}"
    if kr.type == engine.RANGE and kr.low is not None and kr.high is not None:
        return f"between {number_text(kr.low)} and {number_text(kr.high)}{unit}"
    if kr.type == engine.MILESTONES:
        return ", ".join(milestone.title for milestone in kr.milestones)
    return ""


def change(start: Decimal, target: Decimal) -> str:
    """The target as a change from the start (" (+20 %)", " (-15 %)"); none from 0."""
    if start == 0:
        return ""
    percent = ((target - start) / abs(start) * 100).quantize(Decimal(1))
    return f" ({'+' if percent > 0 else '-'}{number_text(abs(percent))} %)"


# --- The New objective form, filled in from a template objective -------------------------


@dataclass(frozen=True)
class Prefill:
    """What a template objective puts in the New objective form: the objective's fields,
    a block per key result, and the milestones of its milestones key results."""

    objective: dict[str, object]
    key_results: list[dict[str, object]]
    milestones: role_templates.MilestonesByTitle


BLANK = Prefill(objective={}, key_results=[], milestones={})


def prefill(request: HttpRequest) -> Prefill:
    """The template objective `?template=NAME&objective=N` asks for (also when the form
    comes back, for its milestones); BLANK when none is asked for or it is not there (said
    once, when the form is opened)."""
    name = request.GET.get("template", "")
    if not name:
        return BLANK
    opening = request.method == "GET"
    try:
        objective = role_templates.template_objective(name, request.GET.get("objective", ""))
    except role_templates.UnknownTemplate:
        if opening:
            messages.error(request, "No such template objective: start from a blank form.")
        return BLANK
    except role_templates.TemplateError:
        logger.exception("the OKR template %r cannot be read", name)
        if opening:
            messages.error(request, UNREADABLE)
        return BLANK
    if opening:
        messages.info(request, filled_in_note(objective))
    return Prefill(
        objective={
            "title": objective.title,
            "description": objective.description,
            "kind": objective.kind,
            "visibility": objective.visibility,
        },
        key_results=[key_result_initial(kr) for kr in objective.key_results],
        milestones=role_templates.milestones_of(objective),
    )


def filled_in_note(objective: ObjectiveIn) -> str:
    note = "Filled in from a template: adjust the targets to where you start, then create it."
    with_milestones = [kr.title for kr in objective.key_results if kr.milestones]
    if with_milestones:
        titles = ", ".join(f"“{title}”" for title in with_milestones)
        note += f" The milestones of {titles} are added when the key result keeps its title."
    return note


def key_result_initial(kr: KeyResultIn) -> dict[str, object]:
    """A key result block's fields: what the template gives (no due date: that is a cycle's)."""
    given = {
        "title": kr.title,
        "type": kr.type,
        "unit": kr.unit,
        "start": kr.start,
        "target": kr.target,
        "threshold": kr.threshold,
        "low": kr.low,
        "high": kr.high,
        "weight": kr.weight,
    }
    return {name: value for name, value in given.items() if value is not None}
