from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "pacer.api"
    label = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        from pacer.accounts.access import access_ended
        from pacer.api import tokens, tombstones

        tombstones.connect()
        access_ended.connect(tokens.revoke_when_access_ends, dispatch_uid="pacer-revoke-tokens")
