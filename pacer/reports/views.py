"""Reports on the web: the Download menu's links, the worker's progress, the file.

A cycle of at most `services.inline_limit()` objectives (as the person sees it) is
answered at once with the file; a bigger one asks the person to have it prepared by the
worker (a POST), then shows its progress (htmx polls the status) and a download link.
Only the person who asked may see a prepared report or download it; to anyone else it
does not exist (404).
"""

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from pacer.accounts.models import User
from pacer.okrs.models import Cycle, Team
from pacer.reports import rows, services
from pacer.reports.models import Report
from pacer.web.htmx import render_page_or_fragment
from pacer.web.selectors import cycles_of, teams_of


def person_of(request: HttpRequest) -> User:
    return cast(User, request.user)


def scope_of(request: HttpRequest, ref: str, fmt: str) -> rows.Scope:
    """The report the URL asks for, as the signed-in person sees it (404 when unknown)."""
    person = person_of(request)
    if fmt not in services.FORMATS or person.organization is None:
        raise Http404("No such report.")
    cycle: Cycle = get_object_or_404(cycles_of(person), ref=ref)
    team: Team | None = None
    team_ref = request.GET.get("team", "") or request.POST.get("team", "")
    if team_ref:
        team = get_object_or_404(teams_of(person), ref=team_ref)
    return rows.Scope(
        organization=person.organization,
        cycle=cycle,
        team=team,
        viewer=person,
        as_of=timezone.localdate(),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cycle_report(request: HttpRequest, ref: str, fmt: str) -> HttpResponse:
    scope = scope_of(request, ref, fmt)
    person = person_of(request)
    if request.method == "POST":
        report = services.report_request(person, scope.cycle, scope.team, fmt)
        return redirect("report_status", pk=report.pk)
    if services.is_big(scope):
        context: dict[str, Any] = {
            "scope": scope,
            "format": Report.Format(fmt),
            "limit": services.inline_limit(),
            "earlier": Report.objects.filter(
                requested_by=person, cycle=scope.cycle, team=scope.team, format=fmt
            ).order_by("-created_at")[:5],
        }
        return render(request, "reports/prepare.html", context)
    response = HttpResponse(
        services.render_bytes(scope, fmt), content_type=services.CONTENT_TYPES[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="{services.file_name(scope, fmt)}"'
    return response


def own_report(request: HttpRequest, pk: int) -> Report:
    return get_object_or_404(
        Report.objects.select_related("cycle", "team"), pk=pk, requested_by=person_of(request)
    )


@login_required
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    report = own_report(request, pk)
    return render_page_or_fragment(
        request,
        "reports/status.html",
        "reports/_status.html",
        {"report": report, "cycle": report.cycle},
    )


@login_required
def report_file(request: HttpRequest, pk: int) -> FileResponse:
    report = own_report(request, pk)
    path = services.report_path(report)
    if path is None:
        raise Http404("This report is not ready, or it was removed after a day.")
    scope = rows.Scope(organization=report.cycle.organization, cycle=report.cycle, team=report.team)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=services.file_name(scope, report.format),
        content_type=services.CONTENT_TYPES[report.format],
    )
