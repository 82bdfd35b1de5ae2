"""URLs of objective pages: detail, check-ins, create and edit, close a cycle."""

from django.urls import URLPattern, path

urlpatterns: list[URLPattern] = []
