"""URLs of the overview pages: my focus, cycles, teams, alignment map."""

from django.urls import URLPattern, path

urlpatterns: list[URLPattern] = []
