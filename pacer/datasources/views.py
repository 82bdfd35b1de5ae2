"""A key result's data source page (/objectives/<ref>/key-results/<kr_ref>/source/):
choose the kind, fill the fields, Preview (the value and where it came from, or the error
on its field), Save; the sync log of the last runs, Run now and Remove. For the people who
may check in on the key result: a 404 when the objective is hidden, a 403 when it is only
visible. The rules are pacer.datasources.services'."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pacer.datasources import services, sql_databases
from pacer.datasources.forms import SourceForm, initial_of
from pacer.datasources.models import DataSource
from pacer.datasources.reading import Reading
from pacer.okrs import progress as engine
from pacer.okrs.display import number_text
from pacer.okrs.errors import DomainError
from pacer.okrs.models import KeyResult, Objective
from pacer.web.forms import show_problems
from pacer.web.views.objective import person, visible_objective

LOG_SHOWN = 50  # runs on the page; the API lists all that are kept


def feedable_key_result(request: HttpRequest, ref: str, kr_ref: str) -> tuple[Objective, KeyResult]:
    """The key result if the person may check in on it (404 hidden, 403 only visible)."""
    objective = visible_objective(person(request), ref)
    kr = get_object_or_404(objective.key_results.all(), ref=kr_ref.replace("\x00", ""))
    kr.objective = objective
    if not services.may_feed(person(request), kr):
        raise PermissionDenied("Only the objective's editors and the key result's owner do this.")
    return objective, kr


@login_required
def source_page(request: HttpRequest, ref: str, kr_ref: str) -> HttpResponse:
    objective, kr = feedable_key_result(request, ref, kr_ref)
    source = services.source_of(kr)
    databases = sql_databases()
    reading: Reading | None = None
    if request.method != "POST":
        form = SourceForm(initial=initial_of(source), databases=databases, source=source)
        return render_page(request, objective, kr, source, form)
    form = SourceForm(request.POST, databases=databases, source=source)
    if form.is_valid():
        try:
            if request.POST.get("action") == "preview":
                reading = services.source_preview(
                    key_result=kr, by=person(request), **form.config()
                )
            else:
                services.source_set(key_result=kr, by=person(request), **form.config())
                messages.success(request, "Saved the data source: it runs within a minute.")
                return redirect("key_result_source", ref=ref, kr_ref=kr.ref)
        except DomainError as error:
            show_problems(form, error)
    status = 422 if form.errors else 200
    return render_page(request, objective, kr, source, form, reading=reading, status=status)


def render_page(
    request: HttpRequest,
    objective: Objective,
    kr: KeyResult,
    source: DataSource | None,
    form: SourceForm,
    *,
    reading: Reading | None = None,
    status: int = 200,
) -> HttpResponse:
    runs = list(source.runs.select_related("checkin")[:LOG_SHOWN]) if source else []
    context: dict[str, Any] = {
        "objective": objective,
        "kr": kr,
        "source": source,
        "form": form,
        "reading": reading,
        "reading_value": number_text(reading.value) if reading else "",
        "runs": runs,
        "metric": kr.type == engine.METRIC,
    }
    return render(request, "datasources/source.html", context, status=status)


@login_required
@require_POST
def source_run(request: HttpRequest, ref: str, kr_ref: str) -> HttpResponse:
    """Run now: read the source at once and record the run."""
    _, kr = feedable_key_result(request, ref, kr_ref)
    source = get_object_or_404(DataSource, key_result=kr)
    run = services.source_run_now(source=source, by=person(request))
    if run is None:
        messages.error(request, "The source changed while it was read; run it again.")
    elif run.ok:
        messages.success(request, f"Read {run.value_text}: {run.outcome}.")
    else:
        messages.error(request, f"The run failed: {run.error}")
    return redirect("key_result_source", ref=ref, kr_ref=kr.ref)


@login_required
@require_POST
def source_remove(request: HttpRequest, ref: str, kr_ref: str) -> HttpResponse:
    """The key result is checked in by hand again; its check-ins stay."""
    _, kr = feedable_key_result(request, ref, kr_ref)
    source = get_object_or_404(DataSource, key_result=kr)
    services.source_remove(source=source, by=person(request))
    messages.success(request, "Removed the data source; its check-ins stay.")
    return redirect("key_result_source", ref=ref, kr_ref=kr.ref)
