"""The search page (GET /search/?q=...): the navigation's box lands here.

The view checks the query (2 to 100 characters, no NUL: an error names the field) and asks
`pacer.web.search` for what the person may see; an htmx request (the page's own box, typing)
gets only the results.
"""

from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy

from pacer.accounts.models import User
from pacer.web import search as finder
from pacer.web.forms import PlainForm
from pacer.web.htmx import render_page_or_fragment


class SearchForm(PlainForm):
    """The query; Django's CharField refuses NUL characters itself."""

    q = forms.CharField(
        label="Search",
        min_length=finder.MIN_LENGTH,
        max_length=finder.MAX_LENGTH,
        # Typing on the page shows the results as they come (htmx); the button is enough.
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "hx-get": reverse_lazy("search"),
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#search-results",
                "hx-swap": "outerHTML",
            }
        ),
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET if "q" in request.GET else None)
    results = None
    if form.is_valid():
        results = finder.search(cast(User, request.user), form.cleaned_data["q"])
    context = {"form": form, "results": results, "per_kind": finder.PER_KIND}
    return render_page_or_fragment(
        request, "web/search/page.html", "web/search/_results.html", context
    )
