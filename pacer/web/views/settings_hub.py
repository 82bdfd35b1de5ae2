"""The Settings page: one place that links every setting a person (or an admin) has."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def settings_index(request: HttpRequest) -> HttpResponse:
    return render(request, "web/settings/index.html")
