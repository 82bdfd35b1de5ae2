from django.urls import URLPattern, path

from pacer.reminders import views

urlpatterns: list[URLPattern] = [
    path("reminders/link/<str:token>/", views.reminder_link, name="reminder_link"),
    path(
        "cycles/<slug:ref>/missing-checkins/nudge/",
        views.nudge,
        name="missing_checkins_nudge",
    ),
]
