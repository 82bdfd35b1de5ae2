"""Overview pages: my focus, cycles, teams and the alignment map.

Each view parses its input, asks `pacer.web.selectors`, and renders. For an htmx request the
cycle overview and the map answer with a fragment from `partials/overview/`
(`pacer.web.htmx`).
"""

from datetime import date as date_type
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from pacer.accounts.models import User
from pacer.coach import plan_score
from pacer.okrs import permissions
from pacer.okrs import progress as engine
from pacer.okrs.models import Cycle, Objective, Team
from pacer.web import selectors
from pacer.web.htmx import render_page_or_fragment, wants_fragment
from pacer.web.live import live
from pacer.web.selectors import versions, work

PAGE_SIZE = 50
MAP_PAGE_SIZE = 50
FOCUS_LIMIT = 10  # rows of each list on My focus; the rest are a link away


def person_of(request: HttpRequest) -> User:
    """The signed-in person (every view here requires sign-in)."""
    return cast(User, request.user)


def bands_of(person: User) -> engine.Bands:
    if person.organization is None:
        return engine.Bands()
    return person.organization.bands


def cycle_or_404(person: User, ref: str) -> Cycle:
    return get_object_or_404(selectors.cycles_of(person).select_related("organization"), ref=ref)


def paginate(objectives: QuerySet[Objective], request: HttpRequest, size: int) -> Page:
    return Paginator(objectives, size).get_page(request.GET.get("page"))


def focus_version(request: HttpRequest) -> versions.Version | None:
    on = selectors.today()
    return versions.with_day(versions.focus_version(person_of(request), on=on), on)


@login_required
@live(focus_version)
def focus(request: HttpRequest) -> HttpResponse:
    """What the person answers for now: the first FOCUS_LIMIT of each list, with how many
    there are in all and links to the pages that show them all."""
    person, on = person_of(request), selectors.today()
    cycles = selectors.active_cycles(person, on=on)
    context = {
        "current_cycle": cycles[0] if cycles else None,
        "cycles": cycles,
        **focus_lists(person, cycles, on=on, bands=bands_of(person)),
    }
    return render(request, "web/overview/focus.html", context)


def focus_lists(
    person: User, cycles: list[Cycle], *, on: date_type, bands: engine.Bands
) -> dict[str, Any]:
    first = selectors.first_and_total
    awaiting, awaiting_total = first(
        selectors.key_results_awaiting_checkin(person, cycles, now=timezone.now()), FOCUS_LIMIT
    )
    elsewhere, elsewhere_total = first(
        selectors.key_results_owned_elsewhere(person, cycles), FOCUS_LIMIT
    )
    slipping, slipping_total = first(
        selectors.slipping_in_my_teams(person, cycles, on=on, bands=bands), FOCUS_LIMIT
    )
    mine, mine_total = first(selectors.my_objectives(person, cycles), FOCUS_LIMIT)
    tasks, tasks_total = first(work.my_open_tasks(person), FOCUS_LIMIT)
    risky_work, risky_work_total = first(
        work.work_at_risk_in_my_teams(person, cycles, on=on), FOCUS_LIMIT
    )
    return {
        "my_objectives": my_objective_cards(mine, on=on, bands=bands),
        "my_objectives_total": mine_total,
        "awaiting": selectors.key_result_rows(awaiting, on=on, bands=bands),
        "awaiting_total": awaiting_total,
        "elsewhere": selectors.key_result_rows(elsewhere, on=on, bands=bands),
        "elsewhere_total": elsewhere_total,
        "slipping": selectors.objective_rows(slipping, on=on, bands=bands),
        "slipping_total": slipping_total + risky_work_total,
        "slipping_objectives_total": slipping_total,
        "risky_work": risky_work,
        "risky_work_total": risky_work_total,
        "my_tasks": tasks,
        "my_tasks_total": tasks_total,
    }


def my_objective_cards(
    objectives: list[Objective], *, on: date_type, bands: engine.Bands
) -> list[tuple[selectors.ObjectiveRow, list[selectors.KeyResultRow]]]:
    """Each of my objectives with its key results' paces."""
    cards = []
    for row in selectors.objective_rows(objectives, on=on, bands=bands):
        objective = row.objective
        key_results = list(objective.key_results.all())
        for kr in key_results:
            kr.objective = objective  # already loaded: no query per key result
        cards.append((row, selectors.key_result_rows(key_results, on=on, bands=bands)))
    return cards


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    person = person_of(request)
    on = selectors.today()
    context = {
        "cycles": selectors.cycles_with_counts(person),
        "current_ids": {c.pk for c in selectors.active_cycles(person, on=on)},
    }
    return render(request, "web/overview/cycle_list.html", context)


def cycle_version(request: HttpRequest, ref: str) -> versions.Version | None:
    on = selectors.today()
    return versions.with_day(versions.cycle_version(person_of(request), ref), on)


@login_required
@live(cycle_version)
def cycle_overview(request: HttpRequest, ref: str) -> HttpResponse:
    person, on = person_of(request), selectors.today()
    cycle = cycle_or_404(person, ref)
    bands = bands_of(person)
    filters = selectors.parse_filters(request.GET)
    objectives = selectors.cycle_objectives(person, cycle, filters, on=on, bands=bands)
    unfiltered_by_status = selectors.filter_objectives(
        selectors.live_objectives(person).filter(cycle=cycle), filters
    )
    page = paginate(objectives, request, PAGE_SIZE)
    context: dict[str, Any] = {
        "cycle": cycle,
        "filters": filters,
        "page": page,
        "rows": selectors.objective_rows(page.object_list, on=on, bands=bands),
        "counts": selectors.cycle_counts(unfiltered_by_status, cycle, on=on, bands=bands),
    }
    if plan_score.is_being_planned(cycle, on=on):  # how well the plan is written (coach)
        zone = timezone.get_current_timezone()
        context["plan_score"] = plan_score.cycle_plan_score(
            cycle, person, now=timezone.now(), zone=zone
        )
    if not wants_fragment(request):
        context["choices"] = selectors.filter_choices(
            selectors.live_objectives(person).filter(cycle=cycle)
        )
        context["status_choices"] = [] if cycle.is_closed else selectors.STATUS_CHOICES
        context["may_chase"] = selectors.may_chase(person)
        context["may_close"] = permissions.can_close_cycle(person, cycle)
    return render_page_or_fragment(
        request,
        "web/overview/cycle_overview.html",
        "web/partials/overview/_cycle_results.html",
        context,
    )


@login_required
def missing_checkins(request: HttpRequest, ref: str) -> HttpResponse:
    """Who has not checked in for a week, for team leads and admins."""
    person = person_of(request)
    if not selectors.may_chase(person):
        raise PermissionDenied("Only team leads and admins see who has not checked in.")
    cycle = cycle_or_404(person, ref)
    context = {
        "cycle": cycle,
        "rows": selectors.missing_checkins(person, cycle, now=timezone.now()),
        "days": selectors.CHASE_AFTER.days,
    }
    return render(request, "web/overview/missing_checkins.html", context)


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    person = person_of(request)
    teams = list(selectors.teams_of(person))
    context = {
        "nodes": selectors.team_tree(t for t in teams if t.archived_at is None),
        "archived": [t for t in teams if t.archived_at is not None],
        "may_manage": permissions.can_manage_teams(person, person.organization),
    }
    return render(request, "web/overview/team_list.html", context)


@login_required
def team_detail(request: HttpRequest, ref: str) -> HttpResponse:
    person, on = person_of(request), selectors.today()
    teams = list(selectors.teams_of(person))
    team = next((t for t in teams if t.ref == ref), None)
    if team is None:
        raise Http404("No such team.")
    cycle = chosen_cycle(person, request.GET.get("cycle", ""), on=on)
    context: dict[str, Any] = {
        "team": team,
        "cycle": cycle,
        "cycles": selectors.cycles_of(person),
        "sub_teams": sub_team_nodes(team, [t for t in teams if t.archived_at is None]),
        "memberships": selectors.team_memberships(team),
        "may_manage": permissions.can_manage_teams(person, person.organization),
        "may_file": permissions.can_file_under_team(person, team),
        "own_rows": [],
        "sub_rows": [],
    }
    if cycle is not None:
        context |= team_objective_rows(person, team, teams, cycle, on=on)
    return render(request, "web/overview/team_detail.html", context)


def chosen_cycle(person: User, ref: str, *, on: date_type) -> Cycle | None:
    if "\x00" in ref:  # no ref has one, and PostgreSQL refuses it in a query (a 500)
        raise Http404("No such cycle.")
    if ref:
        return cycle_or_404(person, ref)
    return selectors.default_cycle(person, on=on)


def sub_team_nodes(team: Team, teams: list[Team]) -> list[selectors.TeamNode]:
    return selectors.team_tree(teams, under=team.pk)


def team_objective_rows(
    person: User, team: Team, teams: list[Team], cycle: Cycle, *, on: date_type
) -> dict[str, list[selectors.ObjectiveRow]]:
    bands = bands_of(person)
    own = selectors.team_objectives(person, [team.pk], cycle)
    below = selectors.team_objectives(person, selectors.descendant_ids(team.pk, teams), cycle)
    return {
        "own_rows": selectors.objective_rows(own, on=on, bands=bands),
        "sub_rows": selectors.objective_rows(below, on=on, bands=bands),
    }


@login_required
def alignment_map(request: HttpRequest, ref: str) -> HttpResponse:
    person, on = person_of(request), selectors.today()
    cycle = cycle_or_404(person, ref)
    filters = selectors.parse_filters(request.GET)
    in_view = selectors.map_objectives(person, cycle, filters, on=on)
    page = paginate(selectors.map_roots(in_view), request, MAP_PAGE_SIZE)
    nodes = selectors.map_nodes(
        in_view, list(page.object_list), shown_under=None, on=on, bands=bands_of(person)
    )
    context: dict[str, Any] = {"cycle": cycle, "filters": filters, "page": page, "nodes": nodes}
    if not wants_fragment(request):
        context["choices"] = selectors.filter_choices(
            selectors.live_objectives(person).filter(cycle__in=selectors.enclosing_cycles(cycle))
        )
        context["status_choices"] = [] if cycle.is_closed else selectors.STATUS_CHOICES
    return render_page_or_fragment(
        request,
        "web/overview/alignment_map.html",
        "web/partials/overview/_map_results.html",
        context,
    )


@login_required
def map_children(request: HttpRequest, ref: str, objective_ref: str) -> HttpResponse:
    person, on = person_of(request), selectors.today()
    cycle = cycle_or_404(person, ref)
    filters = selectors.parse_filters(request.GET)
    in_view = selectors.map_objectives(person, cycle, filters, on=on)
    parent = get_object_or_404(selectors.live_objectives(person), ref=objective_ref)
    children = list(selectors.map_children(in_view, parent))
    nodes = selectors.map_nodes(
        in_view, children, shown_under=parent, on=on, bands=bands_of(person)
    )
    context = {"cycle": cycle, "filters": filters, "parent": parent, "nodes": nodes}
    return render_page_or_fragment(
        request,
        "web/overview/map_children.html",
        "web/partials/overview/_map_nodes.html",
        context,
    )
