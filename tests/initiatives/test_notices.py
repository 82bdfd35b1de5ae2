"""Notices about work (notification kind `work`): to the right person, once, never about
work they may not see, never about their own doing."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from pacer.initiatives import notices, services
from pacer.initiatives.services import InitiativeSpec
from pacer.notifications import kinds
from pacer.notifications.models import Notification
from tests.factories import World, make_cycle, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> World:
    return make_world()


def told(person: Any) -> list[str]:
    found = Notification.objects.filter(person=person, kind=kinds.WORK).order_by("pk")
    return [n.title for n in found]


def test_a_task_assigned_to_someone_else_tells_them_once(world: World) -> None:
    spec = InitiativeSpec(title="Billing", owner=world.owner, key_results=[world.adoption])
    billing = services.initiative_create(cycle=world.cycle, spec=spec, by=world.owner)
    task = services.task_create(
        initiative=billing, title="Write the plan", assignee=world.teammate, by=world.owner
    )
    services.task_create(initiative=billing, title="Mine", assignee=world.owner, by=world.owner)
    services.task_update(
        task=task, title="Write the plan", assignee=world.teammate, due=None, by=world.owner
    )
    assert told(world.teammate) == ["Task for you: “Write the plan” (Billing)"]
    assert told(world.owner) == []
    assert Notification.objects.get(person=world.teammate).url == f"/initiatives/{billing.ref}/"


def test_private_work_is_never_told_to_someone_who_cannot_see_it(world: World) -> None:
    spec = InitiativeSpec(title="Diligence", owner=world.owner, key_results=[world.secret_kr])
    secret = services.initiative_create(cycle=world.cycle, spec=spec)
    services.task_create(initiative=secret, title="Read the books", assignee=world.outsider)
    services.task_create(initiative=secret, title="Call lawyers", assignee=world.teammate)
    assert told(world.outsider) == []
    notice = Notification.objects.get(person=world.teammate)
    assert notice.objective == world.private  # the inbox hides it if they lose access


def test_the_owner_hears_when_work_is_blocked_overdue_or_failing_to_sync(world: World) -> None:
    today = timezone.localdate()
    cycle = make_cycle(world.org, "now", today - timedelta(days=30), today + timedelta(days=30))
    spec = InitiativeSpec(
        title="Billing",
        owner=world.owner,
        due=today - timedelta(days=1),
        link_url="https://github.com/acme/web/milestone/3",
    )
    billing = services.initiative_create(cycle=cycle, spec=spec)
    services.initiative_set_status(
        initiative=billing, status="blocked", note="Vendor", by=world.admin
    )
    services.initiative_set_status(
        initiative=billing, status="blocked", note="Still", by=world.admin
    )
    assert notices.notify_overdue(today) == 1
    assert notices.notify_overdue(today) == 1  # looked at again, told once
    for n in range(4):
        billing.refresh_from_db()
        services.sync_failed(initiative=billing, error=f"HTTP 500 ({n})")
    assert told(world.owner) == [
        "“Billing” is blocked",
        f"“Billing” is overdue (due {today - timedelta(days=1)})",
        "The link of “Billing” failed to sync 3 times: HTTP 500 (2)",
    ]
