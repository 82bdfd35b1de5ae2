from django.apps import AppConfig


class RemindersConfig(AppConfig):
    """Check-in reminders and nudges: no models of their own (a reminder is a Notification
    whose key names its period, which makes it once per period)."""

    name = "pacer.reminders"
    label = "reminders"
    verbose_name = "Reminders"
