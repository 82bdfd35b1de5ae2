"""URLs of the personal API tokens page."""

from django.urls import URLPattern, path

from pacer.web.views import tokens

urlpatterns: list[URLPattern] = [
    path("settings/tokens/", tokens.api_tokens, name="api_tokens"),
    path(
        "settings/tokens/<int:token_id>/revoke/",
        tokens.api_token_revoke,
        name="api_token_revoke",
    ),
]
