"""Creating an objective tells nothing about objectives one may not see.

The review's attack: an outsider creates an objective with the ref of a private one (and is
told `ref: ... is already taken`) or with its title (the generated ref gets `-2`), and so
learns that the private objective exists. Private objectives and their key results now
hold refs with a random tail (pacer/okrs/services/refs.py), so every probe answers exactly
as it would in an organization without them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from pacer.accounts.models import User
from pacer.api.tokens import token_create
from pacer.okrs import services
from pacer.okrs.models import KeyResult, Objective
from pacer.okrs.services.refs import TAIL_LENGTH
from tests.factories import World

pytestmark = pytest.mark.django_db

TAILED = re.compile(rf"^[a-z0-9-]+-[a-z0-9]{{{TAIL_LENGTH}}}$")


def api(person: User) -> Client:
    _, plain = token_create(user=person, scope="write", expires_in_days=1)
    return Client(headers={"Authorization": f"Bearer {plain}"})


def create(person: User, **fields: Any) -> Any:
    body = {"cycle": "2026-q2", "title": "Anything"} | fields
    return api(person).post("/api/v1/objectives", body, content_type="application/json")


def hidden(world: World) -> Objective:
    """A private objective of the platform team, made as the web and the API make them."""
    return services.objective_create(
        cycle=world.cycle,
        owner=world.owner,
        team=world.team,
        visibility="private",
        title="Acquire Hooli",
        key_results=[yes_no("Close the deal")],
    )


def yes_no(title: str) -> services.KeyResultSpec:
    return services.KeyResultSpec(title, type="boolean")


def test_the_ref_of_a_hidden_objective_is_free_to_an_outsider(world: World) -> None:
    secret = services.objective_create(
        cycle=world.cycle, owner=world.owner, team=world.team, title="X", visibility="private",
        ref="hooli",
    )  # fmt: skip
    response = create(world.outsider, ref="hooli")
    assert response.status_code == 201, response.content
    assert response.json()["ref"] == "hooli"
    assert secret.ref != "hooli" and TAILED.match(secret.ref)


def test_the_title_of_a_hidden_objective_gives_the_plain_ref(world: World) -> None:
    hidden(world)
    response = create(world.outsider, title="Acquire Hooli")
    assert response.status_code == 201, response.content
    assert response.json()["ref"] == "acquire-hooli"  # not acquire-hooli-2


def test_key_result_refs_do_not_reveal_a_hidden_key_result(world: World) -> None:
    """The hidden key result's ref would have been acquire-hooli-close-the-deal."""
    hidden(world)
    response = create(
        world.outsider,
        ref="acquire-hooli-close",
        key_results=[{"title": "The deal", "type": "boolean"}],
    )
    assert response.status_code == 201, response.content
    assert response.json()["key_results"] == ["acquire-hooli-close-the-deal"]


def test_private_refs_carry_a_random_tail_and_work_for_those_who_see_them(world: World) -> None:
    secret = hidden(world)
    [kr] = secret.key_results.all()
    assert TAILED.match(secret.ref) and secret.ref.startswith("acquire-hooli-")
    assert TAILED.match(kr.ref) and kr.ref.startswith(f"{secret.ref}-close-the-deal-")
    assert api(world.teammate).get(f"/api/v1/objectives/{secret.ref}").status_code == 200
    assert api(world.outsider).get(f"/api/v1/objectives/{secret.ref}").status_code == 404
    added = services.key_result_create(objective=secret, spec=yes_no("Board"))
    assert TAILED.match(added.ref)


def test_a_copy_of_a_private_objective_gets_its_own_tail(world: World) -> None:
    secret = hidden(world)
    copy = services.objective_copy(objective=secret, cycle=world.cycle, key_results=[])
    assert TAILED.match(copy.ref) and copy.ref != secret.ref


def test_a_taken_public_ref_is_refused_in_the_same_words_for_everyone(world: World) -> None:
    """`delivery` is the public objective, which everyone in Acme sees."""
    answers = set()
    for person in (world.outsider, world.owner, world.admin):
        response = create(person, ref="delivery")
        assert response.status_code == 422
        answers.add(str(response.json()["errors"]))
    assert len(answers) == 1
    assert "delivery is already taken in this organization" in answers.pop()


def test_a_chosen_ref_of_a_private_objective_keeps_its_words(world: World) -> None:
    response = create(world.owner, ref="zephyr", team="platform", visibility="private")
    assert response.status_code == 201, response.content
    assert response.json()["ref"].startswith("zephyr-")
    assert not Objective.objects.filter(ref="zephyr").exists()
    assert not KeyResult.objects.filter(ref__startswith="zephyr").exists()
