"""The weekly digest: Monday 08:00 in the person's time zone, once a week, what they own
and follow, never a private objective they cannot see, each section bounded.

The shared world (tests.factories.World): in 2026-Q2 (1 April to 30 June) the platform team
(owner, teammate) has "Deliver faster" (public, key result Adoption with a check-in of 30 on
20 April) and "Buy Initech" (private, key result "Sign the term sheet", never checked in).
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management.base import CommandError

from pacer.digest import services
from pacer.events import kinds as events
from pacer.events.models import Event
from pacer.notifications import kinds
from pacer.notifications.models import Follow, Notification
from pacer.notifications.services import preference_set
from tests.factories import World, check_in, make_objective, run_command

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 5, 4, 8, 30, tzinfo=UTC)  # the week 2026-W19


def acme(digests: list[services.Digest]) -> list[object]:
    """Who got one in Acme (Globex's admin gets his own, about "Globex plan")."""
    return [d.person for d in digests if d.person.organization.name == "Acme"]


def body_of(person: object) -> str:
    return Notification.objects.get(person=person, kind=kinds.WEEKLY_DIGEST).body


def status_event(world: World, objective: object, title: str, to: str) -> Event:
    return Event.objects.create(
        organization=world.org,
        kind=events.KEY_RESULT_STATUS_CHANGED,
        objective=objective,
        payload={"key_result": {"title": title}, "from": "on_track", "to": to},
        created_at=MONDAY - timedelta(days=2),
    )


def test_the_owner_hears_of_progress_slips_stale_results_and_empty_objectives(
    world: World,
) -> None:
    check_in(world.adoption, 45, date(2026, 5, 1), confidence="at_risk")
    status_event(world, world.public, "Adoption", "at_risk")
    make_objective(world.cycle, "hire", world.owner, team=world.team, title="Hire two people")
    sent = services.send_digests(now=MONDAY)
    assert acme(sent) == [world.owner]  # the others own and follow nothing
    body = body_of(world.owner)
    assert (
        "Adoption (Deliver faster): 30% → 45%, 50% done; confidence no confidence → at risk" in body
    )
    assert "Adoption: became at risk" in body
    assert "Sign the term sheet (Buy Initech): no check-in yet" in body  # stale: his own
    assert "Objectives without key results (1)\n- Hire two people" in body
    assert "People in your teams without OKRs this cycle (1)\n- Teammate" in body
    notification = Notification.objects.get(person=world.owner)
    assert notification.key == "digest:2026-W19" and notification.by_email


def test_a_follower_never_hears_of_a_private_objective_they_cannot_see(world: World) -> None:
    Follow.objects.create(person=world.outsider, objective=world.public)
    Follow.objects.create(person=world.outsider, objective=world.private)  # since left
    Follow.objects.create(person=world.outsider, team=world.team)
    status_event(world, world.private, "Sign the term sheet", "off_track")
    status_event(world, world.public, "Adoption", "off_track")
    make_objective(world.cycle, "quiet", world.owner, team=world.team, visibility="private")
    services.send_digests(now=MONDAY)
    body = body_of(world.outsider)
    assert "Adoption: became off track" in body
    for secret in ("Buy Initech", "Sign the term sheet", "Quiet"):
        assert secret not in body
    assert "became at risk or off track (1)" in body.lower()


def test_once_a_week_and_not_before_monday_eight_in_their_time_zone(world: World) -> None:
    world.owner.time_zone = "America/New_York"  # 08:30 UTC is 04:30 there
    world.owner.save()
    assert acme(services.send_digests(now=MONDAY)) == []
    later = MONDAY + timedelta(hours=4)  # 08:30 in New York
    assert acme(services.send_digests(now=later)) == [world.owner]
    assert acme(services.send_digests(now=later + timedelta(minutes=15))) == []
    assert acme(services.send_digests(now=MONDAY + timedelta(days=2))) == []  # not on Wednesday
    next_week = later + timedelta(days=7)
    assert [d.key for d in services.send_digests(now=next_week) if d.person == world.owner] == [
        "digest:2026-W20"
    ]
    assert Notification.objects.filter(person=world.owner).count() == 2


def test_nobody_who_turned_it_off_gets_one(world: World) -> None:
    preference_set(person=world.owner, kind=kinds.WEEKLY_DIGEST, channel=kinds.EMAIL, enabled=False)
    assert acme(services.send_digests(now=MONDAY)) == []
    preference_set(person=world.owner, kind=kinds.WEEKLY_DIGEST, channel=kinds.IN_APP, enabled=True)
    assert acme(services.send_digests(now=MONDAY)) == [world.owner]
    assert not Notification.objects.get(person=world.owner).by_email


def test_each_section_is_bounded(world: World) -> None:
    for n in range(8):
        make_objective(world.cycle, f"empty-{n}", world.owner, title=f"Empty {n}")
    services.send_digests(now=MONDAY)
    body = body_of(world.owner)
    section = body.split("Objectives without key results (8)\n")[1].split("\n\n")[0]
    assert section.count("\n- ") + 1 == services.LINES and section.endswith("and 3 more")


def test_the_command_dry_run_prints_and_sends_nothing(world: World) -> None:
    out = run_command("digest", "send", "--now", "2026-05-04T08:30:00+00:00", "--dry-run")
    assert "would send owner@acme.test (digest:2026-W19)" in out
    assert "would send xavier@globex.test" in out and "2 digests" in out
    assert not Notification.objects.exists()
    out = run_command("digest", "send", "--now", "2026-05-04T08:30:00+00:00")
    assert "sent owner@acme.test" in out
    assert Notification.objects.filter(kind=kinds.WEEKLY_DIGEST).count() == 2


def test_a_bad_now_names_the_option() -> None:
    with pytest.raises(CommandError, match="--now: 'monday' is not a date"):
        run_command("digest", "send", "--now", "monday")
