"""The weekly check-in page: every key result a person checks in on, in one form.

Which key results: those of objectives in active cycles, not archived, that the person may
change, that is objectives they own or that belong to one of their teams (the same rule as
`can_edit_objective`; a key result you own under another team's objective is checked in by
that team). Each row validates and saves on its own: valid rows are saved even when another
row has an error, and a row left blank is skipped.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pacer.accounts.models import User
from pacer.okrs import permissions, selectors, services
from pacer.okrs.display import value_text
from pacer.okrs.errors import DomainError
from pacer.okrs.models import CheckIn, Cycle, KeyResult
from pacer.web.forms import CheckInForm, show_problems
from pacer.web.views.objective import person


def key_results_to_check_in(user: User) -> QuerySet[KeyResult]:
    """Key results of active, unarchived objectives the user owns or whose team they are in."""
    mine = permissions.objectives_editable_by(user).filter(
        cycle__state=Cycle.State.ACTIVE, archived_at__isnull=True
    )
    latest = CheckIn.objects.filter(key_result=OuterRef("pk")).order_by("-at", "-id")
    key_results = (
        KeyResult.objects.filter(objective__in=mine)  # a short list, found from the objectives
        .annotate(last_note=Subquery(latest.values("note")[:1]))
        .select_related("objective", "objective__cycle")
        .order_by("objective__cycle__start", "objective__title", "position", "id")
    )
    return selectors.with_link_visibility(key_results, user)


@dataclass
class Row:
    kr: KeyResult
    form: CheckInForm
    saved: bool = False

    @property
    def last_value(self) -> str:
        return value_text(self.kr, self.kr.current)

    @property
    def follows_hidden(self) -> bool:
        """It follows an objective this person may not see: its progress is not shown."""
        return selectors.follows_hidden(self.kr)


def rows_for(user: User, data: object = None) -> list[Row]:
    rows = [
        Row(kr, CheckInForm(data, key_result=kr, prefix=f"kr{kr.pk}"))
        for kr in key_results_to_check_in(user)
    ]
    if rows:  # the first field of the first row
        next(iter(rows[0].form.fields.values())).widget.attrs["autofocus"] = True
    return rows


def save_row(row: Row, author: User) -> None:
    """Save one filled row; on bad input its form carries the errors and nothing is saved."""
    if not row.form.is_valid():
        return
    try:
        services.checkin_create(key_result=row.kr, author=author, **row.form.checkin_input())
    except DomainError as error:
        show_problems(row.form, error)
    else:
        row.saved = True


@login_required
def checkin_week(request: HttpRequest) -> HttpResponse:
    user = person(request)
    if request.method != "POST":
        return render(request, "web/objective/checkin_week.html", {"rows": rows_for(user)})
    filled = [row for row in rows_for(user, request.POST) if not row.form.is_blank()]
    for row in filled:
        save_row(row, user)
    failed = [row for row in filled if not row.saved]
    saved = len(filled) - len(failed)
    if not failed:
        messages.success(request, f"Saved {saved} check-in{'s' if saved != 1 else ''}.")
        return redirect("checkin_week")
    messages.error(
        request,
        f"Saved {saved} check-in{'s' if saved != 1 else ''}; {len(failed)} "
        f"row{'s' if len(failed) != 1 else ''} need{'' if len(failed) != 1 else 's'} "
        "another look (marked below, with what you typed kept).",
    )
    bound = {row.kr.pk: row.form for row in failed}
    rows = [Row(r.kr, bound.get(r.kr.pk, r.form)) for r in rows_for(user)]  # fresh last values
    return render(request, "web/objective/checkin_week.html", {"rows": rows}, status=400)
