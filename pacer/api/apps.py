from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "pacer.api"
    label = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        from pacer.api import tombstones

        tombstones.connect()
