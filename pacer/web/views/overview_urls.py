"""URLs of the overview pages: my focus, cycles, teams, alignment map."""

from django.urls import URLPattern, path

from pacer.web.views import overview

urlpatterns: list[URLPattern] = [
    path("", overview.focus, name="focus"),
    path("cycles/", overview.cycle_list, name="cycle_list"),
    path("cycles/<slug:ref>/", overview.cycle_overview, name="cycle_overview"),
    path("cycles/<slug:ref>/map/", overview.alignment_map, name="alignment_map"),
    path(
        "cycles/<slug:ref>/map/children/<slug:objective_ref>/",
        overview.map_children,
        name="alignment_map_children",
    ),
    path(
        "cycles/<slug:ref>/missing-checkins/",
        overview.missing_checkins,
        name="missing_checkins",
    ),
    path("teams/", overview.team_list, name="team_list"),
    path("teams/<slug:ref>/", overview.team_detail, name="team_detail"),
]
