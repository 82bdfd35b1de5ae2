from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pacer.accounts"
    label = "accounts"
    verbose_name = "People"
