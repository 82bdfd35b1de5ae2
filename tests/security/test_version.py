"""An objective's `version` (the API's and the edit form's stale-edit guard) is made of what
its reader may see.

The review's attack: the version hashed every parent's id, so it changed when an admin
aligned a public objective to a private parent, and trying the ids over the public fields
recovered which one. Now an alignment to a parent hidden from the reader leaves their
version as it was, and the version is a function of the visible fields and visible parents
alone; stale edits are still refused.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pacer.accounts.models import User
from pacer.api.tokens import token_create
from pacer.okrs import selectors, services
from pacer.okrs.models import Objective
from tests.factories import World, fresh, make_objective

pytestmark = pytest.mark.django_db


def api(person: User) -> Client:
    _, plain = token_create(user=person, scope="write", expires_in_days=1)
    return Client(headers={"Authorization": f"Bearer {plain}"})


def read(person: User, objective: Objective) -> dict[str, Any]:
    response = api(person).get(f"/api/v1/objectives/{objective.ref}")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def board_plan(world: World) -> Objective:
    """A private objective of the admin, in no team: only admins see it."""
    return make_objective(world.cycle, "board-plan", world.admin, visibility="private")


def test_aligning_to_a_hidden_parent_leaves_the_version_of_those_who_cannot_see_it(
    world: World,
) -> None:
    before = read(world.outsider, world.public)["version"]
    services.objective_align(child=world.public, parent=world.private)
    after = read(world.outsider, world.public)
    assert after["parents"] == []
    assert after["version"] == before
    # The team sees the new parent, so its version moves.
    assert read(world.teammate, world.public)["version"] != before


def test_the_version_is_made_of_visible_fields_and_parents_only(world: World) -> None:
    services.objective_align(child=world.public, parent=world.private)
    assert read(world.outsider, world.public)["version"] == selectors.version_of(
        fresh(world.public), []
    )


def test_an_editor_who_cannot_see_a_parent_saves_and_keeps_it(
    world: World, board_plan: Objective
) -> None:
    services.objective_align(child=world.public, parent=board_plan)
    client = Client()
    client.force_login(world.owner)
    url = reverse("objective_edit", args=[world.public.ref])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in ("title", "description", "kind", "version")}
    data |= {"team": world.team.pk, "visibility": "public", "parents": []}
    data["title"] = "Deliver much faster"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert fresh(world.public).title == "Deliver much faster"
    assert list(world.public.parents.all()) == [board_plan]


def test_the_api_keeps_a_hidden_parent_and_its_version_stays_valid(
    world: World, board_plan: Objective
) -> None:
    version = read(world.owner, world.public)["version"]
    services.objective_align(child=world.public, parent=board_plan)
    assert read(world.owner, world.public)["version"] == version
    response = api(world.owner).patch(
        f"/api/v1/objectives/{world.public.ref}",
        {"title": "Deliver much faster", "version": version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert list(world.public.parents.all()) == [board_plan]


def test_a_stale_version_is_still_refused(world: World) -> None:
    version = read(world.owner, world.public)["version"]
    services.objective_update(
        objective=world.public, version=version, title="Someone else's words", team=world.team
    )
    response = api(world.owner).patch(
        f"/api/v1/objectives/{world.public.ref}",
        {"title": "Mine", "version": version},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert fresh(world.public).title == "Someone else's words"
