"""URL of the search page."""

from django.urls import URLPattern, path

from pacer.web.views import search

urlpatterns: list[URLPattern] = [
    path("search/", search.search, name="search"),
]
