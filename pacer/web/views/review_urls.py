"""URL of a cycle's quarterly review. Included before the overview's `cycles/<ref>/`."""

from django.urls import URLPattern, path

from pacer.web.views import review

urlpatterns: list[URLPattern] = [
    path("cycles/<slug:ref>/review/", review.cycle_review, name="cycle_review"),
]
