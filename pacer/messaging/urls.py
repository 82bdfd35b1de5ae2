from django.urls import URLPattern, path

from pacer.messaging import views

urlpatterns: list[URLPattern] = [
    path("teams/<slug:ref>/channels/<slug:kind>/", views.team_channel, name="team_channel"),
]
