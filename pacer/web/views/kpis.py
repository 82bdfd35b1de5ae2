"""The KPI pages (docs/kpis.md): the list (from the navigation), a KPI's page (its status,
the chart of its history with the healthy band, its values, Add value, the key results
that follow it), new, edit, archive and delete, and its data source.

KPIs are organization-wide (`kpis_visible_to`: another organization's KPI is a 404). Who may
change one is `permissions.can_change_kpi` (others get a 403); every rule is
pacer.kpis.services', whose `DomainError` becomes form errors (400, nothing written).
"""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from pacer.accounts.models import User
from pacer.datasources import services as source_services
from pacer.datasources import sql_databases
from pacer.datasources.forms import SourceForm, initial_of
from pacer.datasources.models import DataSource
from pacer.datasources.reading import Reading
from pacer.kpis import rules, selectors, services
from pacer.kpis.chart import kpi_chart
from pacer.kpis.forms import FollowForm, FollowKPIForm, KPIForm, ValueForm
from pacer.kpis.models import KPI
from pacer.kpis.services import KPISpec
from pacer.okrs import permissions
from pacer.okrs.display import number_text
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Cycle, KeyResult, Team
from pacer.web.charts import local_day
from pacer.web.forms import ConfirmForm, show_problems, without_errors
from pacer.web.views.key_result_edit import editable_key_result

LIST_SHOWN = 200  # an organization has tens of KPIs; the page says when there are more


def person(request: HttpRequest) -> User:
    return cast(User, request.user)


def visible_kpi(user: User, ref: str) -> KPI:
    return get_object_or_404(selectors.kpis_visible_to(user), ref=ref.replace("\x00", ""))


def changeable_kpi(user: User, ref: str) -> KPI:
    """404 if hidden, 403 if only visible."""
    kpi = visible_kpi(user, ref)
    if not permissions.can_change_kpi(user, kpi):
        raise PermissionDenied("Only the KPI's owner, its team's leads and admins change it.")
    return kpi


def back_to(kpi: KPI, anchor: str = "") -> HttpResponse:
    return redirect(reverse("kpi_detail", args=[kpi.ref]) + anchor)


def thresholds_text(kpi: KPI) -> str:
    unit = f" {kpi.unit}" if kpi.unit else ""
    if kpi.kind == KPI.Kind.RANGE and kpi.low is not None and kpi.high is not None:
        return f"between {number_text(kpi.low)} and {number_text(kpi.high)}{unit}"
    if kpi.threshold is None:
        return ""
    side = "at least" if kpi.kind == KPI.Kind.STAY_ABOVE else "at most"
    return f"{side} {number_text(kpi.threshold)}{unit}"


# --- The list ----------------------------------------------------------------------------


@login_required
def kpi_list(request: HttpRequest) -> HttpResponse:
    """The organization's KPIs by name, with their status; `?archived=1` the archived ones."""
    archived = request.GET.get("archived") == "1"
    found = selectors.kpis_visible_to(person(request)).filter(archived_at__isnull=not archived)
    rows = list(found[: LIST_SHOWN + 1])
    context = {
        "rows": [(kpi, thresholds_text(kpi)) for kpi in rows[:LIST_SHOWN]],
        "more": len(rows) > LIST_SHOWN,
        "archived": archived,
    }
    return render(request, "web/kpis/list.html", context)


# --- The page ----------------------------------------------------------------------------


def key_results_to_follow(user: User) -> QuerySet[KeyResult]:
    """The key results `user` may make follow a KPI: of a following type, under objectives
    they may edit, neither archived nor in a closed cycle."""
    return (
        KeyResult.objects.filter(
            objective__in=permissions.objectives_editable_by(user),
            type__in=rules.FOLLOWING_TYPES,
            objective__archived_at__isnull=True,
        )
        .exclude(objective__cycle__state=Cycle.State.CLOSED)
        .select_related("objective")
        .order_by("title", "pk")
    )


def chart_of(kpi: KPI, values: list[Any]) -> str:
    points = {local_day(v.at): v.value for v in values}  # the last value of each day
    marks = [m for m in (kpi.low, kpi.high) if m is not None] or (
        [kpi.threshold] if kpi.threshold is not None else []
    )
    svg = kpi_chart(
        sorted(points.items()),
        kind=kpi.kind,
        marks=marks,
        unit=kpi.unit,
        title=f"History of {kpi.name}: {thresholds_text(kpi)} is healthy",
        dom_id=f"kpi-chart-{kpi.pk}",
        today=timezone.localdate(),
    )
    return mark_safe(svg)  # every text in it is escaped by kpi_chart


def page_context(
    user: User,
    kpi: KPI,
    *,
    value_form: ValueForm | None = None,
    follow_form: FollowForm | None = None,
) -> dict[str, Any]:
    values = selectors.recent_values(kpi)
    may_add = permissions.can_add_kpi_value(user, kpi) and kpi.archived_at is None
    may_change = permissions.can_change_kpi(user, kpi)
    followable = key_results_to_follow(user)
    return {
        "kpi": kpi,
        "thresholds": thresholds_text(kpi),
        "chart": chart_of(kpi, values),
        "values": list(reversed(values)),
        "may_add": may_add,
        "may_change": may_change,
        "value_form": (value_form or ValueForm()) if may_add else None,
        "follow_form": follow_form or FollowForm(key_results=followable),
        "followers": selectors.followers_of(kpi, user),
        "source": source_services.kpi_source_of(kpi),
    }


def render_page(request: HttpRequest, kpi: KPI, status: int = 200, **forms: Any) -> HttpResponse:
    context = page_context(person(request), kpi, **forms)
    return render(request, "web/kpis/detail.html", context, status=status)


@login_required
def kpi_detail(request: HttpRequest, ref: str) -> HttpResponse:
    return render_page(request, visible_kpi(person(request), ref))


@login_required
@require_POST
def kpi_value_add(request: HttpRequest, ref: str) -> HttpResponse:
    user = person(request)
    kpi = visible_kpi(user, ref)
    form = ValueForm(request.POST)
    if form.is_valid():
        try:
            services.kpi_value_add(kpi=kpi, by=user, **form.cleaned_data)
        except DomainError as error:
            show_problems(form, error)
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
        else:
            messages.success(request, "Value added.")
            return back_to(kpi, "#history")
    return render_page(request, kpi, status=400, value_form=form)


@login_required
@require_POST
def kpi_value_delete(request: HttpRequest, ref: str, value_id: int) -> HttpResponse:
    user = person(request)
    kpi = visible_kpi(user, ref)
    value = get_object_or_404(kpi.values.all(), pk=value_id)
    value.kpi = kpi
    try:
        services.kpi_value_delete(value=value, by=user)
    except DomainError as error:
        messages.error(request, "; ".join(m for _, m in error.problems))
    else:
        messages.success(request, "Value removed.")
    return back_to(kpi, "#history")


@login_required
@require_POST
def kpi_follow(request: HttpRequest, ref: str) -> HttpResponse:
    """A key result starts to follow this KPI (its values in the window become check-ins)."""
    user = person(request)
    kpi = visible_kpi(user, ref)
    form = FollowForm(request.POST, key_results=key_results_to_follow(user))
    if "refresh" in request.POST:
        without_errors(form)
    elif form.is_valid():
        try:
            services.kpi_follow(key_result=form.cleaned_data["key_result"], kpi=kpi, by=user)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, "The key result follows this KPI.")
            return back_to(kpi, "#followers")
    status = 400 if form.errors else 200
    return render_page(request, kpi, status=status, follow_form=form)


@login_required
@require_POST
def kpi_unfollow(request: HttpRequest, ref: str) -> HttpResponse:
    user = person(request)
    kpi = visible_kpi(user, ref)
    raw = str(request.POST.get("key_result", ""))
    follow = get_object_or_404(
        kpi.followers.filter(key_result__objective__in=permissions.objectives_editable_by(user)),
        key_result_id=int(raw) if raw.isdigit() and len(raw) < 18 else 0,
    )
    services.kpi_unfollow(key_result=follow.key_result, by=user)
    messages.success(request, f"“{follow.key_result.title}” no longer follows this KPI.")
    return back_to(kpi, "#followers")


# --- New, edit, archive, delete ----------------------------------------------------------


def kpi_form(
    user: User, data: QueryDict | None, *, initial: dict[str, Any], current: KPI | None = None
) -> KPIForm:
    owners = permissions.active_people(user)
    teams = permissions.teams_to_file_under(user)
    if current is not None:
        owners = owners | User.objects.filter(pk=current.owner_id)
        if current.team_id is not None:
            teams = teams | Team.objects.filter(pk=current.team_id)
    return KPIForm(data, initial=initial, owners=owners, teams=teams.order_by("name"))


def refreshing(data: QueryDict | None) -> bool:
    return data is not None and "refresh" in data


@login_required
def kpi_new(request: HttpRequest) -> HttpResponse:
    user = person(request)
    data = request.POST if request.method == "POST" else None
    initial = {"owner": user.pk, "kind": KPI.Kind.STAY_ABOVE}
    form = kpi_form(user, data, initial=initial)
    if refreshing(data):
        without_errors(form)
    elif data is not None and form.is_valid():
        try:
            spec = KPISpec(**form.spec_input())
            organization = user.organization
            assert organization is not None  # signed in: a member of an organization
            kpi = services.kpi_create(organization=organization, spec=spec, by=user)
        except DomainError as error:
            show_problems(form, error)
        except PermissionDenied as denied:
            form.add_error("owner", str(denied))
        else:
            messages.success(request, f"Created the KPI “{kpi.name}”.")
            return back_to(kpi)
    status = 400 if data is not None and form.errors else 200
    return render(request, "web/kpis/form.html", {"form": form, "creating": True}, status=status)


def edit_initial(kpi: KPI) -> dict[str, Any]:
    names = ("name", "description", "unit", "owner", "team", "kind", "threshold", "low", "high")
    return {name: getattr(kpi, name) for name in names}


@login_required
def kpi_edit(request: HttpRequest, ref: str) -> HttpResponse:
    user = person(request)
    kpi = changeable_kpi(user, ref)
    data = request.POST if request.method == "POST" else None
    form = kpi_form(user, data, initial=edit_initial(kpi), current=kpi)
    if refreshing(data):
        without_errors(form)
    elif data is not None and form.is_valid():
        try:
            services.kpi_update(kpi=kpi, spec=KPISpec(**form.spec_input()), by=user)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, "Saved.")
            return back_to(kpi)
    status = 400 if data is not None and form.errors else 200
    return render(request, "web/kpis/form.html", {"form": form, "kpi": kpi}, status=status)


@login_required
@require_POST
def kpi_archive(request: HttpRequest, ref: str) -> HttpResponse:
    """Archive (or, when archived, restore) the KPI."""
    user = person(request)
    kpi = changeable_kpi(user, ref)
    if kpi.archived_at is None:
        services.kpi_archive(kpi=kpi, by=user)
        messages.success(request, f"Archived “{kpi.name}”: it keeps its history.")
    else:
        services.kpi_restore(kpi=kpi, by=user)
        messages.success(request, f"Restored “{kpi.name}”.")
    return back_to(kpi)


@login_required
def kpi_delete(request: HttpRequest, ref: str) -> HttpResponse:
    user = person(request)
    kpi = changeable_kpi(user, ref)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        services.kpi_delete(kpi=kpi, by=user)
        messages.success(request, f"Deleted the KPI “{kpi.name}”.")
        return redirect("kpi_list")
    return render(request, "web/kpis/delete.html", {"form": form, "kpi": kpi})


# --- Its data source ---------------------------------------------------------------------


@login_required
def kpi_source(request: HttpRequest, ref: str) -> HttpResponse:
    """Where the KPI's values come from (docs/datasources.md's form and rules)."""
    kpi = changeable_kpi(person(request), ref)
    source = source_services.kpi_source_of(kpi)
    databases = sql_databases()
    reading: Reading | None = None
    if request.method != "POST":
        form = SourceForm(initial=initial_of(source), databases=databases, source=source)
        return render_source(request, kpi, source, form)
    form = SourceForm(request.POST, databases=databases, source=source)
    if form.is_valid():
        try:
            if request.POST.get("action") == "preview":
                reading = source_services.kpi_source_preview(
                    kpi=kpi, by=person(request), **form.config()
                )
            else:
                source_services.kpi_source_set(kpi=kpi, by=person(request), **form.config())
                messages.success(request, "Saved the data source: it runs within a minute.")
                return redirect("kpi_source", ref=kpi.ref)
        except DomainError as error:
            show_problems(form, error)
    status = 422 if form.errors else 200
    return render_source(request, kpi, source, form, reading=reading, status=status)


def render_source(
    request: HttpRequest,
    kpi: KPI,
    source: DataSource | None,
    form: SourceForm,
    *,
    reading: Reading | None = None,
    status: int = 200,
) -> HttpResponse:
    runs = list(source.runs.all()[:50]) if source else []
    context: dict[str, Any] = {
        "kpi": kpi,
        "source": source,
        "form": form,
        "reading": reading,
        "reading_value": number_text(reading.value) if reading else "",
        "runs": runs,
    }
    return render(request, "web/kpis/source.html", context, status=status)


@login_required
@require_POST
def kpi_source_run(request: HttpRequest, ref: str) -> HttpResponse:
    kpi = changeable_kpi(person(request), ref)
    source = get_object_or_404(DataSource, kpi=kpi)
    run = source_services.source_run_now(source=source, by=person(request))
    if run is None:
        messages.error(request, "The source changed while it was read; run it again.")
    elif run.ok:
        messages.success(request, f"Read {run.value_text}: {run.outcome}.")
    else:
        messages.error(request, f"The run failed: {run.error}")
    return redirect("kpi_source", ref=kpi.ref)


@login_required
@require_POST
def kpi_source_remove(request: HttpRequest, ref: str) -> HttpResponse:
    kpi = changeable_kpi(person(request), ref)
    source = get_object_or_404(DataSource, kpi=kpi)
    source_services.source_remove(source=source, by=person(request))
    messages.success(request, "Removed the data source; its values stay.")
    return redirect("kpi_source", ref=kpi.ref)


# --- From a key result's edit page ---------------------------------------------------------


@login_required
def key_result_kpi(request: HttpRequest, ref: str, kr_ref: str) -> HttpResponse:
    """Follow a KPI (or none) from the key result's side; for the objective's editors."""
    user = person(request)
    objective, kr = editable_key_result(request, ref, kr_ref)
    kr.objective = objective
    current = selectors.follow_of(kr.pk)
    choices = selectors.kpis_visible_to(user).filter(archived_at__isnull=True)
    data = request.POST if request.method == "POST" else None
    form = FollowKPIForm(data, initial={"kpi": current.kpi if current else None}, kpis=choices)
    if data is not None and form.is_valid():
        chosen = form.cleaned_data["kpi"]
        try:
            if chosen is None:
                services.kpi_unfollow(key_result=kr, by=user)
            else:
                services.kpi_follow(key_result=kr, kpi=chosen, by=user)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, f"Follows {chosen.name}." if chosen else "Follows no KPI.")
            return redirect(reverse("objective_detail", args=[objective.ref]) + f"#kr-{kr.pk}")
    status = 400 if data is not None and form.errors else 200
    context = {"form": form, "objective": objective, "kr": kr, "current": current}
    return render(request, "web/kpis/follow.html", context, status=status)
