from django.apps import AppConfig


class OkrsConfig(AppConfig):
    name = "pacer.okrs"
    label = "okrs"
    verbose_name = "OKRs"
