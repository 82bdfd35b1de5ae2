"""URLs of the Settings page and the personal API tokens page."""

from django.urls import URLPattern, path

from pacer.web.views import settings_hub, tokens

urlpatterns: list[URLPattern] = [
    path("settings/", settings_hub.settings_index, name="settings"),
    path("settings/tokens/", tokens.api_tokens, name="api_tokens"),
    path(
        "settings/tokens/<int:token_id>/revoke/",
        tokens.api_token_revoke,
        name="api_token_revoke",
    ),
]
