"""URLs of the OKR coach: the objective forms' live hints (htmx), and the lint rules
(Settings, admins)."""

from django.urls import URLPattern, path

from pacer.web.views import coach

urlpatterns: list[URLPattern] = [
    path("coach/hints/", coach.objective_hints, name="coach_hints"),
    path("settings/lint-rules/", coach.lint_rule_settings, name="lint_rule_settings"),
]
