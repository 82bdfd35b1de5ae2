"""URLs of the inbox, the notification preferences and the Follow buttons."""

from django.urls import URLPattern, path

from pacer.notifications import views

urlpatterns: list[URLPattern] = [
    path("notifications/", views.inbox, name="notifications"),
    path("notifications/read/", views.read_all, name="notifications_read_all"),
    path("notifications/<int:notification_id>/", views.open_notification, name="notification_open"),
    path("settings/notifications/", views.notification_settings, name="notification_settings"),
    path(
        "objectives/<slug:ref>/follow/",
        views.objective_follow,
        {"on": True},
        name="objective_follow",
    ),
    path(
        "objectives/<slug:ref>/unfollow/",
        views.objective_follow,
        {"on": False},
        name="objective_unfollow",
    ),
    path("teams/<slug:ref>/follow/", views.team_follow, {"on": True}, name="team_follow"),
    path("teams/<slug:ref>/unfollow/", views.team_follow, {"on": False}, name="team_unfollow"),
]
