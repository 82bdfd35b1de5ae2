from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "pacer.events"
    label = "events"
    verbose_name = "Events"
