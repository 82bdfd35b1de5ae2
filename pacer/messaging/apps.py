from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "pacer.messaging"
    label = "messaging"
    verbose_name = "Messaging"
