"""The weekly check-in page: what awaits my check-in first, then the rest, in one form.

What awaits me is `selectors.key_results_awaiting_checkin`, the rhythm rule of
docs/semantics.md that My focus counts too, so both say the same number. The rest, folded
while something awaits, are the other key results of active, unarchived objectives I check
in on (`permissions.can_check_in`: my objectives', my teams', and the key results I own,
also under another team's objective).

Each row validates and saves on its own: valid rows are saved even when another row has an
error, and a row left blank is skipped. A row may keep the value and change only the
confidence or add a note (the service keeps the last value). A value far outside the key
result's range comes back with a warning and is saved once confirmed. The page shows
CHECKIN_PAGE_SIZE rows at a time, what awaits first (`?page=`), so its size does not grow
with what a person owns; a save takes the rows sent, whichever page showed
them, and comes back to the same page.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone

from pacer.accounts.models import User
from pacer.okrs import selectors as okr_selectors
from pacer.okrs import services
from pacer.okrs.display import value_text
from pacer.okrs.errors import DomainError
from pacer.okrs.models import KeyResult
from pacer.web import selectors
from pacer.web.forms import CheckInForm, show_problems
from pacer.web.views.objective import person

CHECKIN_PAGE_SIZE = 50
ROW_FIELD = re.compile(r"^kr(\d{1,18})-")  # the prefix of a row's fields: kr<key result id>-


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
        return okr_selectors.follows_hidden(self.kr)

    @property
    def owner(self) -> User:
        """Who answers for it: its owner, else its objective's."""
        return self.kr.owner or self.kr.objective.owner

    @property
    def awaits(self) -> bool:
        """It awaits my check-in in the current period (the rhythm rule)."""
        return bool(getattr(self.kr, "awaits", False))


def form_for(kr: KeyResult, data: object = None) -> CheckInForm:
    return CheckInForm(data, key_result=kr, prefix=f"kr{kr.pk}")


def rows_for(key_results: Iterable[KeyResult], bound: dict[int, CheckInForm]) -> list[Row]:
    """A row per key result, with the form as typed for those in `bound` (taken out of it)."""
    return [Row(kr, bound.pop(kr.pk) if kr.pk in bound else form_for(kr)) for kr in key_results]


def posted_key_results(user: User, data: QueryDict) -> list[KeyResult]:
    """The key results whose rows were sent, among those `user` checks in on: a page's worth
    at most, whichever page they were on when the form was shown."""
    ids = sorted({int(found[1]) for name in data if (found := ROW_FIELD.match(name))})
    return list(selectors.key_results_to_check_in(user).filter(pk__in=ids[:CHECKIN_PAGE_SIZE]))


def week_context(user: User, request: HttpRequest, failed: Iterable[Row] = ()) -> dict[str, Any]:
    """The page's rows, fresh, with the failed rows as typed (those no longer on this page
    come last, in the rest, which is then open)."""
    week = selectors.checkin_week(user, now=timezone.now())
    page = Paginator(week.key_results, CHECKIN_PAGE_SIZE).get_page(request.GET.get("page"))
    bound = {row.kr.pk: row.form for row in failed}
    rows = rows_for(page.object_list, bound) + [row for row in failed if row.kr.pk in bound]
    awaiting = [row for row in rows if row.awaits]
    rest = [row for row in rows if not row.awaits]
    rest_open = not awaiting or any(row.form.errors for row in rest)
    first = next(iter(awaiting + rest), None)
    if first is not None and (awaiting or rest_open):  # the first field of the first row
        next(iter(first.form.fields.values())).widget.attrs["autofocus"] = True
    return {
        "awaiting": awaiting,
        "awaiting_total": week.awaiting_total,
        "rest": rest,
        "rest_total": page.paginator.count - week.awaiting_total,
        "rest_open": rest_open,
        "page": page,
        "period_due": week.due,
    }


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


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


@login_required
def checkin_week(request: HttpRequest) -> HttpResponse:
    user = person(request)
    template = "web/objective/checkin_week.html"
    if request.method != "POST":
        return render(request, template, week_context(user, request))
    posted = [Row(kr, form_for(kr, request.POST)) for kr in posted_key_results(user, request.POST)]
    filled = [row for row in posted if not row.form.is_blank()]
    for row in filled:
        save_row(row, user)
    failed = [row for row in filled if not row.saved]
    saved = len(filled) - len(failed)
    if not failed:
        messages.success(request, f"Saved {plural(saved, 'check-in')}.")
        return redirect(request.get_full_path())  # the same page
    messages.error(
        request,
        f"Saved {plural(saved, 'check-in')}; {plural(len(failed), 'row')} "
        f"need{'' if len(failed) != 1 else 's'} "
        "another look (marked below, with what you typed kept).",
    )
    return render(request, template, week_context(user, request, failed), status=400)
