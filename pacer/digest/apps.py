from django.apps import AppConfig


class DigestConfig(AppConfig):
    """The weekly digest: no models (a digest is a Notification keyed by its ISO week)."""

    name = "pacer.digest"
    label = "digest"
    verbose_name = "Weekly digest"
