"""Initiatives, tasks and status updates are in the change history, and the history never
shows private work to someone who may not see it."""

import json
from typing import Any

import pytest

from pacer.initiatives import services
from pacer.initiatives.services import InitiativeSpec
from tests.factories import World, make_world, run_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> World:
    return make_world()


def history(*args: str) -> list[dict[str, Any]]:
    return json.loads(run_command("history", "export", *args))["history"]


def test_work_is_in_the_history_and_private_work_only_for_those_who_see_it(world: World) -> None:
    spec = InitiativeSpec(
        title="Zephyr diligence", owner=world.owner, key_results=[world.secret_kr]
    )
    secret = services.initiative_create(cycle=world.cycle, spec=spec)
    task = services.task_create(initiative=secret, title="Zephyr data room")
    services.task_set_done(task=task, done=True)
    services.initiative_set_status(initiative=secret, status="blocked", note="Zephyr lawyers")
    open_spec = InitiativeSpec(
        title="Billing move", owner=world.owner, key_results=[world.adoption]
    )
    services.initiative_create(cycle=world.cycle, spec=open_spec)

    models = {e["model"] for e in history()}
    assert {"initiative", "task", "statusupdate"} <= models
    task_changes = [e["changes"].get("done") for e in history() if e["model"] == "task"]
    assert ["False", "True"] in task_changes  # ticked
    assert all("progress" not in e["changes"] for e in history() if e["model"] == "initiative")

    as_outsider = run_command("history", "export", "--as", "outsider@acme.test")
    assert "Zephyr" not in as_outsider and "Billing move" in as_outsider
    as_teammate = run_command("history", "export", "--as", "teammate@acme.test")
    assert "Zephyr diligence" in as_teammate and "Zephyr data room" in as_teammate
