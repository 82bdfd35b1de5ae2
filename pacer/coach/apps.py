from django.apps import AppConfig


class CoachConfig(AppConfig):
    name = "pacer.coach"
    label = "coach"
    verbose_name = "Coach"
