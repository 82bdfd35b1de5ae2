"""URLs of the KPI pages (docs/kpis.md)."""

from django.urls import URLPattern, path

from pacer.web.views import kpis

urlpatterns: list[URLPattern] = [
    path("kpis/", kpis.kpi_list, name="kpi_list"),
    path("kpis/new/", kpis.kpi_new, name="kpi_new"),
    path("kpis/<slug:ref>/", kpis.kpi_detail, name="kpi_detail"),
    path("kpis/<slug:ref>/edit/", kpis.kpi_edit, name="kpi_edit"),
    path("kpis/<slug:ref>/archive/", kpis.kpi_archive, name="kpi_archive"),
    path("kpis/<slug:ref>/delete/", kpis.kpi_delete, name="kpi_delete"),
    path("kpis/<slug:ref>/values/", kpis.kpi_value_add, name="kpi_value_add"),
    path(
        "kpis/<slug:ref>/values/<int:value_id>/delete/",
        kpis.kpi_value_delete,
        name="kpi_value_delete",
    ),
    path("kpis/<slug:ref>/follow/", kpis.kpi_follow, name="kpi_follow"),
    path("kpis/<slug:ref>/unfollow/", kpis.kpi_unfollow, name="kpi_unfollow"),
    path("kpis/<slug:ref>/source/", kpis.kpi_source, name="kpi_source"),
    path("kpis/<slug:ref>/source/run/", kpis.kpi_source_run, name="kpi_source_run"),
    path("kpis/<slug:ref>/source/remove/", kpis.kpi_source_remove, name="kpi_source_remove"),
    path(  # from the key result's edit page
        "objectives/<slug:ref>/key-results/<slug:kr_ref>/kpi/",
        kpis.key_result_kpi,
        name="key_result_kpi",
    ),
]
