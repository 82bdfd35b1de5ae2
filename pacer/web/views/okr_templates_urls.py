"""URLs of the OKR templates by role: the page "Start from a template" opens."""

from django.urls import URLPattern, path

from pacer.web.views import okr_templates

urlpatterns: list[URLPattern] = [
    path("objectives/new/templates/", okr_templates.template_list, name="okr_templates"),
]
