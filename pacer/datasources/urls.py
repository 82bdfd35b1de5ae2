"""A key result's data source page, its Run now and Remove."""

from django.urls import URLPattern, path

from pacer.datasources import views

SOURCE = "objectives/<slug:ref>/key-results/<slug:kr_ref>/source/"

urlpatterns: list[URLPattern] = [
    path(SOURCE, views.source_page, name="key_result_source"),
    path(f"{SOURCE}run/", views.source_run, name="key_result_source_run"),
    path(f"{SOURCE}remove/", views.source_remove, name="key_result_source_remove"),
]
