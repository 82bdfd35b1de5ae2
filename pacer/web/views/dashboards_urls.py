"""URLs of the dashboards (organization, team, person), the lists behind their numbers, TV
links and the TV screen."""

from django.urls import URLPattern, path

from pacer.web.views import dashboards

urlpatterns: list[URLPattern] = [
    path("dashboard/", dashboards.dashboard_home, name="dashboard_home"),
    path(
        "dashboard/people/<int:person_id>/",
        dashboards.person_dashboard_home,
        name="dashboard_person_home",
    ),
    path(
        "cycles/<slug:ref>/dashboard/",
        dashboards.organization_dashboard,
        name="dashboard_organization",
    ),
    path(
        "cycles/<slug:ref>/dashboard/teams/<slug:team_ref>/",
        dashboards.team_dashboard,
        name="dashboard_team",
    ),
    path(
        "cycles/<slug:ref>/dashboard/people/<int:person_id>/",
        dashboards.person_dashboard,
        name="dashboard_person",
    ),
    path(
        "cycles/<slug:ref>/dashboard/tv-links/",
        dashboards.tv_link_create,
        name="tv_link_create",
    ),
    path(
        "cycles/<slug:ref>/dashboard/tv-links/<int:link_id>/revoke/",
        dashboards.tv_link_revoke,
        name="tv_link_revoke",
    ),
    path(
        "cycles/<slug:ref>/dashboard/<slug:kind>/",
        dashboards.dashboard_list,
        name="dashboard_list",
    ),
    path("tv/<str:token>/", dashboards.tv_screen, name="tv"),
    path("tv/<str:token>/<int:screen>/", dashboards.tv_screen, name="tv_screen"),
]
