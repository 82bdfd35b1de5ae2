"""URLs of the objective form's suggested parents (htmx; under objectives/new/, beside the
new form's other htmx URLs)."""

from django.urls import URLPattern, path

from pacer.web.views import suggestions

urlpatterns: list[URLPattern] = [
    path(
        "objectives/new/suggested-parents/",
        suggestions.parent_suggestions,
        name="parent_suggestions",
    ),
    path("objectives/new/use-parent/", suggestions.parent_use, name="parent_use"),
]
