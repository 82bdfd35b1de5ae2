from django.urls import URLPattern, path

from pacer.reminders import settings_views, views

urlpatterns: list[URLPattern] = [
    path("settings/organization/", settings_views.rhythm, name="organization_rhythm"),
    path("reminders/link/<str:token>/", views.reminder_link, name="reminder_link"),
    path(
        "cycles/<slug:ref>/missing-checkins/nudge/",
        views.nudge,
        name="missing_checkins_nudge",
    ),
]
