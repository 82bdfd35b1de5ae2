from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "pacer.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
