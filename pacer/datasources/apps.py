from django.apps import AppConfig


class DataSourcesConfig(AppConfig):
    name = "pacer.datasources"
    label = "datasources"
    verbose_name = "Data sources"
