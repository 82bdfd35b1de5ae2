"""The weekly check-in page: every key result a person checks in on, in one form.

Which key results: those of objectives in active cycles, not archived, that the person may
change, that is objectives they own or that belong to one of their teams (the same rule as
`can_edit_objective`; a key result you own under another team's objective is checked in by
that team). Each row validates and saves on its own: valid rows are saved even when another
row has an error, and a row left blank is skipped. The page shows CHECKIN_PAGE_SIZE rows at a
time (`?page=`), so its size does not grow with what a person owns; a save takes the rows
sent, whichever page showed them, and comes back to the same page.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from pacer.accounts.models import User
from pacer.okrs import permissions, selectors, services
from pacer.okrs.display import value_text
from pacer.okrs.errors import DomainError
from pacer.okrs.models import CheckIn, Cycle, KeyResult
from pacer.web.forms import CheckInForm, show_problems
from pacer.web.views.objective import person

CHECKIN_PAGE_SIZE = 50
ROW_FIELD = re.compile(r"^kr(\d{1,18})-")  # the prefix of a row's fields: kr<key result id>-


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


def page_of(user: User, request: HttpRequest) -> Page:
    """The page of key results the request asks for (`?page=`; the first if unknown)."""
    key_results = key_results_to_check_in(user)
    return Paginator(key_results, CHECKIN_PAGE_SIZE).get_page(request.GET.get("page"))


def posted_key_results(user: User, data: QueryDict) -> list[KeyResult]:
    """The key results whose rows were sent, among those `user` checks in on: a page's worth
    at most, whichever page they were on when the form was shown."""
    ids = sorted({int(found[1]) for name in data if (found := ROW_FIELD.match(name))})
    return list(key_results_to_check_in(user).filter(pk__in=ids[:CHECKIN_PAGE_SIZE]))


def rows_for(key_results: Iterable[KeyResult], data: object = None) -> list[Row]:
    rows = [Row(kr, CheckInForm(data, key_result=kr, prefix=f"kr{kr.pk}")) for kr in key_results]
    if rows:  # the first field of the first row
        next(iter(rows[0].form.fields.values())).widget.attrs["autofocus"] = True
    return rows


def render_week(
    request: HttpRequest, page: Page, rows: list[Row], status: int = 200
) -> HttpResponse:
    context = {"rows": rows, "page": page}
    return render(request, "web/objective/checkin_week.html", context, status=status)


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
        page = page_of(user, request)
        return render_week(request, page, rows_for(page.object_list))
    posted = rows_for(posted_key_results(user, request.POST), request.POST)
    filled = [row for row in posted if not row.form.is_blank()]
    for row in filled:
        save_row(row, user)
    failed = [row for row in filled if not row.saved]
    saved = len(filled) - len(failed)
    if not failed:
        messages.success(request, f"Saved {saved} check-in{'s' if saved != 1 else ''}.")
        return redirect(request.get_full_path())  # the same page
    messages.error(
        request,
        f"Saved {saved} check-in{'s' if saved != 1 else ''}; {len(failed)} "
        f"row{'s' if len(failed) != 1 else ''} need{'' if len(failed) != 1 else 's'} "
        "another look (marked below, with what you typed kept).",
    )
    page = page_of(user, request)
    rows = rows_for(page.object_list)  # fresh last values, with the failed rows as typed
    bound = {row.kr.pk: row.form for row in failed}
    rows = [Row(r.kr, bound.pop(r.kr.pk, r.form)) for r in rows] + [
        row
        for row in failed
        if row.kr.pk in bound  # no longer on this page
    ]
    return render_week(request, page, rows, status=400)
