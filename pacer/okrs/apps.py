from django.apps import AppConfig


class OkrsConfig(AppConfig):
    name = "pacer.okrs"
    label = "okrs"
    verbose_name = "OKRs"

    def ready(self) -> None:
        from pacer.okrs import history

        history.register()
