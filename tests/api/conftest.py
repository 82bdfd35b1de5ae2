"""The people and OKRs of the API tests, and a client that sends a token.

The world is the shared one (tests.factories.World): Acme has an admin, an owner and a
teammate in the platform team, and an outsider (a member who is in no team). The platform
team has a public and a private objective in 2026-Q2. Globex is another organization.
"""

from typing import Any

import pytest
from django.test import Client

from pacer.accounts.models import User
from pacer.api.tokens import token_create
from tests import factories

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


class World(factories.World):
    """The shared world (tests.factories.World), with an API client for each person."""

    def client(self, user: User, scope: str = "write") -> ApiClient:
        _, plain = token_create(user=user, name="test", scope=scope, expires_in_days=None)
        return ApiClient(plain)


@pytest.fixture
def world(db: Any) -> World:
    return factories.make_world(World)


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
