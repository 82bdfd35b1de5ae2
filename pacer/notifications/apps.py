from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "pacer.notifications"
    label = "notifications"
    verbose_name = "Notifications"
