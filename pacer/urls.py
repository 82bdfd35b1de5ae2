from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/", include("pacer.api.urls")),
    path("", include("pacer.messaging.urls")),  # a team's Slack and Teams channels
    path("", include("pacer.web.urls")),
]
