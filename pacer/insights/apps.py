from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "pacer.insights"
    label = "insights"
    verbose_name = "Insights"
