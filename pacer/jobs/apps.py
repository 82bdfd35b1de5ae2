from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "pacer.jobs"
    label = "jobs"
    verbose_name = "Background work"
