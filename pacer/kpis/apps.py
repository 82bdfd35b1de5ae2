from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "pacer.kpis"
    label = "kpis"
    verbose_name = "KPIs"
