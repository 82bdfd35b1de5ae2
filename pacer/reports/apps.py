from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "pacer.reports"
    label = "reports"
    verbose_name = "Reports"
