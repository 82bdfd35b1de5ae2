"""URLs of the confidence calibration pages. Included before the overview's
`teams/<ref>/` (a deeper path, so no clash either way)."""

from django.urls import URLPattern, path

from pacer.web.views import calibration

urlpatterns: list[URLPattern] = [
    path(
        "people/<int:person_id>/calibration/",
        calibration.person_calibration,
        name="person_calibration",
    ),
    path("teams/<slug:ref>/calibration/", calibration.team_calibration, name="team_calibration"),
]
