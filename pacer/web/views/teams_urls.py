"""URLs of managing teams. Included before the overview's `teams/<ref>/`, so that
`teams/new/` is this page (no team takes the ref `new`: rules.RESERVED_TEAM_REFS)."""

from django.urls import URLPattern, path

from pacer.web.views import teams

urlpatterns: list[URLPattern] = [
    path("teams/new/", teams.team_new, name="team_new"),
    path("teams/<slug:ref>/edit/", teams.team_edit, name="team_edit"),
    path("teams/<slug:ref>/archive/", teams.team_archive, name="team_archive"),
    path("teams/<slug:ref>/restore/", teams.team_restore, name="team_restore"),
    path("teams/<slug:ref>/members/", teams.team_member_add, name="team_member_add"),
    path(
        "teams/<slug:ref>/members/<int:person_id>/lead/",
        teams.team_member_lead,
        name="team_member_lead",
    ),
    path(
        "teams/<slug:ref>/members/<int:person_id>/remove/",
        teams.team_member_remove,
        name="team_member_remove",
    ),
]
