"""API rate limits: past the configured rate a caller gets a 429 problem with Retry-After;
the limit counts per person, and "off" disables it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from pacer.api.tokens import token_create
from tests.api.conftest import ApiClient
from tests.factories import make_organization, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings: Any) -> Any:
    cache.clear()
    settings.PACER_API_RATES = {"auth": "3/min", "anon": "2/min"}
    yield settings
    cache.clear()


def api_for(email: str) -> ApiClient:
    person = make_person(make_organization(f"Org of {email}"), email)
    _, plain = token_create(user=person, name="t", scope="read", expires_in_days=None)
    return ApiClient(plain)


def test_a_person_past_the_rate_gets_429_problem(rates: Any) -> None:
    ada = api_for("ada@acme.test")
    for _ in range(3):
        assert ada.call("GET", "/organization").status_code == 200
    refused = ada.call("GET", "/organization")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:pacer:problem:too-many-requests"
    assert refused.json()["status"] == 429
    assert 0 < int(refused["Retry-After"]) <= 60

    # Another person has their own allowance.
    assert api_for("bob@acme.test").call("GET", "/organization").status_code == 200


def test_off_disables_the_limit(rates: Any) -> None:
    rates.PACER_API_RATES = {"auth": "off", "anon": "off"}
    ada = api_for("ada@acme.test")
    for _ in range(10):
        assert ada.call("GET", "/organization").status_code == 200


def test_unauthenticated_calls_are_refused_before_any_work(rates: Any) -> None:
    anonymous = ApiClient()
    for _ in range(5):
        assert anonymous.call("GET", "/organization").status_code == 401
