from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "pacer.initiatives"
    label = "initiatives"
    verbose_name = "Initiatives"
