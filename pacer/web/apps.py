from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "pacer.web"
    label = "web"
    verbose_name = "Web app"
