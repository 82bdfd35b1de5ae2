"""The people and OKRs of the API tests, and a client that sends a token.

Acme has an admin, an owner and a teammate in the platform team, and an outsider (a member
who is in no team). The platform team has a public and a private objective in 2026-Q2.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client

from pacer.accounts.models import User
from pacer.api.tokens import token_create
from pacer.okrs.models import Cycle, KeyResult, Objective, Organization, Team
from tests.factories import (
    check_in,
    make_cycle,
    make_key_result,
    make_objective,
    make_organization,
    make_person,
    make_team,
)

API = "/api/v1"


class ApiClient(Client):
    """A test client that sends `Authorization: Bearer <token>` and JSON bodies."""

    def __init__(self, token: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token = token

    def call(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        headers = dict(extra.pop("headers", {}))
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        url = path if path.startswith("/") and path.startswith(API) else API + path
        send = getattr(self, method.lower())
        if body is None:
            return send(url, headers=headers, **extra)
        return send(url, body, content_type="application/json", headers=headers, **extra)

    def get_json(self, path: str, **extra: Any) -> Any:
        response = self.call("GET", path, **extra)
        assert response.status_code == 200, response.content
        return response.json()


@dataclass
class World:
    org: Organization
    admin: User
    owner: User
    teammate: User
    outsider: User
    team: Team
    cycle: Cycle
    public: Objective
    private: Objective
    adoption: KeyResult
    secret_kr: KeyResult

    def client(self, user: User, scope: str = "write") -> ApiClient:
        _, plain = token_create(user=user, name="test", scope=scope, expires_in_days=None)
        return ApiClient(plain)


@pytest.fixture
def world(db: Any) -> World:
    org = make_organization("Acme")
    admin = make_person(org, "admin@acme.test", admin=True)
    owner = make_person(org, "owner@acme.test")
    teammate = make_person(org, "teammate@acme.test")
    outsider = make_person(org, "outsider@acme.test")
    team = make_team(org, "platform", members=(owner, teammate), leads=(owner,))
    cycle = make_cycle(org, "2026-q2", date(2026, 4, 1), date(2026, 6, 30))
    public = make_objective(cycle, "delivery", owner, team=team, title="Deliver faster")
    private = make_objective(
        cycle, "secret-merger", owner, team=team, visibility="private", title="Buy Initech"
    )
    adoption = make_key_result(public, "adoption", target=90, unit="%")
    secret_kr = make_key_result(private, "secret-kr", title="Sign the term sheet")
    check_in(adoption, 30, date(2026, 4, 20))
    return World(
        org, admin, owner, teammate, outsider, team, cycle, public, private, adoption, secret_kr
    )


@pytest.fixture
def owner_api(world: World) -> ApiClient:
    return world.client(world.owner)


@pytest.fixture
def outsider_api(world: World) -> ApiClient:
    return world.client(world.outsider)


@pytest.fixture
def admin_api(world: World) -> ApiClient:
    return world.client(world.admin)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is problem details (RFC 9457) with this status."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "errors"}
    assert body["status"] == status
    return body
