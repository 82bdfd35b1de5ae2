"""API rate limits: django-ninja's throttles with rates read from settings.PACER_API_RATES at
each request ("1200/min"; "off" or empty disables that limit), so deployments set them by
environment and tests may change them. A refused request is a 429 problem with Retry-After.
"""

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import AnonRateThrottle, AuthRateThrottle, BaseThrottle, SimpleRateThrottle

OFF = {"", "off", "none", "0"}


class SettingsRate(SimpleRateThrottle):
    def __init__(self) -> None:
        super().__init__(rate="1/s")  # replaced from the settings at each request

    def current_rate(self) -> str | None:
        rate = str(getattr(settings, "PACER_API_RATES", {}).get(self.scope) or "").strip()
        return None if rate.lower() in OFF else rate

    def allow_request(self, request: HttpRequest) -> bool:
        rate = self.current_rate()
        if rate is None:
            return True
        if rate != self.rate:
            self.rate = rate
            self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request)


class PersonRate(SettingsRate, AuthRateThrottle):
    """Per person, whether the token or the session authenticated them."""

    def get_cache_key(self, request: HttpRequest) -> str:
        person = getattr(request, "auth", None)
        ident = f"user-{person.pk}" if person is not None else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressRate(SettingsRate, AnonRateThrottle):
    """Per client address, for requests without authentication."""


THROTTLES: list[BaseThrottle] = [AddressRate(), PersonRate()]
