"""Trackers in the admins' settings, and an initiative's Sync now."""

from django.urls import URLPattern, path

from pacer.initiatives import views

urlpatterns: list[URLPattern] = [
    path("settings/trackers/", views.tracker_list, name="tracker_list"),
    path("settings/trackers/<int:connection_id>/", views.tracker_edit, name="tracker_edit"),
    path(
        "settings/trackers/<int:connection_id>/delete/",
        views.tracker_delete,
        name="tracker_delete",
    ),
    path("initiatives/<slug:ref>/sync/", views.sync_now, name="initiative_sync"),
]
