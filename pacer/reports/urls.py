from django.urls import path

from pacer.reports import views

urlpatterns = [
    path("cycles/<slug:ref>/report.<str:fmt>", views.cycle_report, name="cycle_report"),
    path("reports/<int:pk>/", views.report_status, name="report_status"),
    path("reports/<int:pk>/file/", views.report_file, name="report_file"),
]
