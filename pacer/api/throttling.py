"""API rate limits: django-ninja's throttles with rates read from settings.PACER_API_RATES at
each request ("1200/min"; "off" or empty disables that limit), so deployments set them by
environment and tests may change them. A refused request is a 429 problem with Retry-After.

The limit counts work, not only requests: a bulk request of N items costs N units of the
person's budget (`charge_items`), so one bulk of 100 check-ins weighs as much as 100 single
check-ins.
"""

import math
import time

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import Throttled
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

    def charge(self, request: HttpRequest, units: int) -> None:
        """Count `units` more requests now, or raise Throttled (429) and count none."""
        rate = self.current_rate()
        if rate is None or units <= 0:
            return
        allowed, duration = self.parse_rate(rate)
        assert allowed is not None and duration is not None
        key, now = self.get_cache_key(request), time.time()
        history = [moment for moment in self.cache.get(key, []) if moment > now - duration]
        excess = len(history) + units - allowed
        if excess > 0:
            # The oldest `excess` units must expire first; more than the whole budget never fits.
            frees_at = history[-excess] + duration if excess <= len(history) else now + duration
            raise Throttled(wait=max(math.ceil(frees_at - now), 1))
        self.cache.set(key, [now] * units + history, duration)


def charge_items(request: HttpRequest, count: int) -> None:
    """A request carrying `count` items costs `count` units: the throttle counted the request
    itself, this counts the other items (a 429 with Retry-After when the budget is spent)."""
    PersonRate().charge(request, count - 1)


class AddressRate(SettingsRate, AnonRateThrottle):
    """Per client address, for requests without authentication."""


THROTTLES: list[BaseThrottle] = [AddressRate(), PersonRate()]
