"""Dashboards of a cycle: the organization's, a team's (with its sub-teams), a person's; the
lists behind their numbers; TV links and the TV screen (docs/dashboards.md).

The views parse, look the cycle, team or person up among what the viewer may see, ask
`pacer.insights.dashboards` and render. Every number links to the list behind it: status
counts and heat map cells to the cycle overview's filters (status, team), the rest to
`dashboard_list` here.
"""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pacer.accounts.models import User
from pacer.insights import dashboards as insights
from pacer.insights import tv
from pacer.insights.models import TvLink
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Cycle, Team
from pacer.web import selectors
from pacer.web.live import live
from pacer.web.selectors import versions
from pacer.web.selectors.focus import person_zone

LIST_PAGE_SIZE = 50
TV_SECONDS = 30  # each TV screen shows this long before the next
TV_TEAMS = 12  # the TV rotates through the organization and its first TV_TEAMS teams
LIST_KINDS = {
    "objectives": "Objectives",
    "stale": "Stale key results",
    "without-key-results": "Objectives without key results",
    "without-okrs": "People without OKRs",
}


def viewer_of(request: HttpRequest) -> User:
    return cast(User, request.user)


def cycle_or_404(viewer: User, ref: str) -> Cycle:
    if "\x00" in ref:
        raise Http404("No such cycle.")
    return get_object_or_404(selectors.cycles_of(viewer).select_related("organization"), ref=ref)


def team_scope(viewer: User, cycle: Cycle, team_ref: str) -> insights.Scope:
    teams = list(selectors.teams_of(viewer))
    team = next((t for t in teams if t.ref == team_ref), None)
    if team is None:
        raise Http404("No such team.")
    return insights.scope_of_team(team, teams, cycle)


def person_scope(viewer: User, cycle: Cycle, person_id: int) -> insights.Scope:
    person = User.objects.filter(organization_id=cycle.organization_id, pk=person_id).first()
    if person is None:
        raise Http404("No such person.")
    return insights.Scope(cycle, person=person)


def render_dashboard(
    request: HttpRequest, scope: insights.Scope, *, viewer: User, tv_mode: bool = False
) -> dict[str, Any]:
    now = timezone.now()
    board = insights.dashboard(
        viewer, scope, now=now, zone=person_zone(viewer), on=timezone.localdate()
    )
    return {
        "cycle": scope.cycle,
        "scope": scope,
        "board": board,
        "charts": insights.trend_charts(board.trend),
        "status_labels": insights.STATUS_LABELS,
        "scope_query": scope_query(scope),
        "tv_mode": tv_mode,
        "heading": heading_of(scope),
        "download_partial": DOWNLOAD_PARTIAL if not tv_mode and download_available() else "",
    }


def heading_of(scope: insights.Scope) -> str:
    if scope.team is not None:
        return f"{scope.team.name} dashboard, {scope.cycle.name}"
    if scope.person is not None:
        return f"{scope.person}'s dashboard, {scope.cycle.name}"
    return f"{scope.cycle.name} dashboard"


DOWNLOAD_PARTIAL = "web/partials/reports/_download.html"


def download_available() -> bool:
    """Whether the reports' Download partial exists (another part of issue 14 builds it)."""
    try:
        get_template(DOWNLOAD_PARTIAL)
    except TemplateDoesNotExist:
        return False
    return True


def scope_query(scope: insights.Scope) -> str:
    """The GET parameters that keep a list to the dashboard's scope."""
    if scope.team is not None:
        return f"team={scope.team.ref}"
    if scope.person is not None:
        return f"person={scope.person.pk}"
    return ""


@login_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    """The main navigation's Dashboard: the current cycle's (else the latest cycle's)."""
    cycle = selectors.default_cycle(viewer_of(request), on=timezone.localdate())
    if cycle is None:
        messages.info(request, "There is no cycle yet: a dashboard shows one cycle.")
        return redirect("cycle_list")
    return redirect("dashboard_organization", ref=cycle.ref)


@login_required
def person_dashboard_home(request: HttpRequest, person_id: int) -> HttpResponse:
    """A person's dashboard in the current cycle (the people list links here)."""
    cycle = selectors.default_cycle(viewer_of(request), on=timezone.localdate())
    if cycle is None:
        messages.info(request, "There is no cycle yet: a dashboard shows one cycle.")
        return redirect("cycle_list")
    return redirect("dashboard_person", ref=cycle.ref, person_id=person_id)


def dashboard_version(request: HttpRequest, ref: str, **scope: object) -> versions.Version:
    """What a dashboard of cycle `ref` shows changes (docs/live-pages.md)."""
    version = versions.dashboard_version(viewer_of(request), ref)
    return (*version, timezone.localdate().isoformat())  # stale key results age by the day


@login_required
@live(dashboard_version)
def organization_dashboard(request: HttpRequest, ref: str) -> HttpResponse:
    viewer = viewer_of(request)
    cycle = cycle_or_404(viewer, ref)
    context = render_dashboard(request, insights.Scope(cycle), viewer=viewer)
    if viewer.is_org_admin:
        context["tv_links"] = tv.links_of(cycle)
        context["new_tv_token"] = request.session.pop("new_tv_token", "")
    return render(request, "web/dashboards/dashboard.html", context)


@login_required
@live(dashboard_version)
def team_dashboard(request: HttpRequest, ref: str, team_ref: str) -> HttpResponse:
    viewer = viewer_of(request)
    cycle = cycle_or_404(viewer, ref)
    scope = team_scope(viewer, cycle, team_ref)
    context = render_dashboard(request, scope, viewer=viewer)
    return render(request, "web/dashboards/dashboard.html", context)


@login_required
@live(dashboard_version)
def person_dashboard(request: HttpRequest, ref: str, person_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    cycle = cycle_or_404(viewer, ref)
    scope = person_scope(viewer, cycle, person_id)
    context = render_dashboard(request, scope, viewer=viewer)
    return render(request, "web/dashboards/dashboard.html", context)


def list_scope(viewer: User, cycle: Cycle, params: Any) -> insights.Scope:
    team_ref = str(params.get("team", "")).replace("\x00", "")
    person = str(params.get("person", ""))
    if team_ref:
        return team_scope(viewer, cycle, team_ref)
    if person:
        if not person.isdigit() or len(person) > 12:
            raise Http404("No such person.")
        return person_scope(viewer, cycle, int(person))
    return insights.Scope(cycle)


@login_required
def dashboard_list(request: HttpRequest, ref: str, kind: str) -> HttpResponse:
    """The list behind one of a dashboard's numbers, 50 a page."""
    if kind not in LIST_KINDS:
        raise Http404("No such list.")
    viewer = viewer_of(request)
    cycle = cycle_or_404(viewer, ref)
    scope = list_scope(viewer, cycle, request.GET)
    status = str(request.GET.get("status", ""))
    status = status if status in insights.engine.STATUSES and not cycle.is_closed else ""
    items = list_items(viewer, scope, kind, status)
    page = Paginator(items, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    on = timezone.localdate()
    bands = cycle.organization.bands
    context: dict[str, Any] = {
        "cycle": cycle,
        "scope": scope,
        "kind": kind,
        "title": LIST_KINDS[kind],
        "status": status,
        "status_label": dict(insights.STATUS_LABELS).get(status, ""),
        "page": page,
        "scope_query": scope_query(scope),
    }
    if kind in ("objectives", "without-key-results"):
        context["rows"] = selectors.objective_rows(page.object_list, on=on, bands=bands)
    elif kind == "stale":
        for kr in page.object_list:
            kr.objective.cycle = cycle  # loaded already: no query per row
        context["rows"] = selectors.key_result_rows(page.object_list, on=on, bands=bands)
    return render(request, "web/dashboards/list.html", context)


def list_items(viewer: User, scope: insights.Scope, kind: str, status: str) -> QuerySet[Any]:
    if kind == "objectives":
        objectives = insights.objectives_in(viewer, scope)
        if status:
            condition = selectors.status_in_cycle(
                scope.cycle, status, on=timezone.localdate(), bands=scope.cycle.organization.bands
            )
            objectives = objectives.filter(condition)
        return objectives.select_related("cycle", "owner", "team").order_by("title", "pk")
    if kind == "without-key-results":
        return (
            insights.objectives_without_key_results(viewer, scope)
            .select_related("cycle", "owner", "team")
            .order_by("title", "pk")
        )
    if kind == "stale":
        stale = insights.stale_key_results(
            viewer, scope, now=timezone.now(), zone=person_zone(viewer)
        )
        return stale.select_related("objective", "owner").order_by("objective__title", "pk")
    return insights.people_without_okrs(viewer, scope).order_by("name", "email")


# --- TV links and the TV screen ----------------------------------------------------------------


def admin_cycle(request: HttpRequest, ref: str) -> Cycle:
    viewer = viewer_of(request)
    if not viewer.is_org_admin:
        raise PermissionDenied("Only organization admins manage TV links.")
    return cycle_or_404(viewer, ref)


@login_required
@require_POST
def tv_link_create(request: HttpRequest, ref: str) -> HttpResponse:
    cycle = admin_cycle(request, ref)
    try:
        _, token = tv.tv_link_create(
            cycle=cycle, created_by=viewer_of(request), label=str(request.POST.get("label", ""))
        )
    except DomainError as error:
        messages.error(request, "; ".join(message for _, message in error.problems))
        return redirect(reverse("dashboard_organization", args=[cycle.ref]) + "#tv")
    # Shown once, on the next page: the token is not stored, only its hash.
    request.session["new_tv_token"] = request.build_absolute_uri(reverse("tv", args=[token]))
    messages.success(request, "TV link created: copy it now, it is shown only once.")
    return redirect(reverse("dashboard_organization", args=[cycle.ref]) + "#tv")


@login_required
@require_POST
def tv_link_revoke(request: HttpRequest, ref: str, link_id: int) -> HttpResponse:
    cycle = admin_cycle(request, ref)
    link = get_object_or_404(TvLink.objects.filter(cycle=cycle), pk=link_id)
    tv.tv_link_revoke(link=link)
    messages.success(request, f"{link} revoked: screens using it stop showing the dashboard.")
    return redirect(reverse("dashboard_organization", args=[cycle.ref]) + "#tv")


def tv_screen(request: HttpRequest, token: str, screen: int = 0) -> HttpResponse:
    """The TV: no session needed, read-only, public objectives only (insights/tv.py).
    Screen 0 is the organization; 1.. the teams with public objectives, in turn; each
    screen refreshes to the next after TV_SECONDS (a meta refresh: no script)."""
    try:
        link = tv.tv_link_for(token)
    except tv.Revoked:
        return render(request, "web/dashboards/tv_gone.html", status=410)
    if link is None:
        raise Http404("No such TV link.")
    cycle = link.cycle
    audience = tv.public_audience(cycle.organization)
    teams = tv_teams(audience, cycle)
    screen = screen if 0 <= screen <= len(teams) else 0
    if screen == 0:
        scope = insights.Scope(cycle)
    else:  # the team and the teams below it, like its dashboard
        every_team = list(Team.objects.filter(organization_id=cycle.organization_id))
        scope = insights.scope_of_team(teams[screen - 1], every_team, cycle)
    context = render_dashboard(request, scope, viewer=audience, tv_mode=True)
    following = (screen + 1) % (len(teams) + 1)
    context |= {
        "next_url": reverse("tv_screen", args=[token, following]),
        "seconds": TV_SECONDS,
        "screen": screen,
        "screens": len(teams) + 1,
    }
    response = render(request, "web/dashboards/tv.html", context)
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def tv_teams(audience: User, cycle: Cycle) -> list[Team]:
    """The teams a TV rotates through: those with public objectives in the cycle, the
    largest first (one query)."""
    visible = insights.objectives_in(audience, insights.Scope(cycle))
    return list(
        Team.objects.filter(archived_at__isnull=True, objectives__in=visible.values("pk"))
        .annotate(n=Count("objectives"))
        .order_by("-n", "name", "pk")[:TV_TEAMS]
    )
