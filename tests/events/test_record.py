"""Services record events in their own transaction (the outbox)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import transaction

from pacer.events import kinds
from pacer.events.models import Event
from pacer.okrs import services
from pacer.okrs.errors import DomainError
from tests.factories import World, make_objective

pytestmark = pytest.mark.django_db


def kinds_recorded() -> list[str]:
    return list(Event.objects.order_by("id").values_list("kind", flat=True))


def test_a_checkin_records_checkin_created_with_a_snapshot(world: World) -> None:
    Event.objects.all().delete()
    checkin = services.checkin_create(
        key_result=world.adoption, value=Decimal(45), note="halfway", author=world.owner
    )
    event = Event.objects.get(kind=kinds.CHECKIN_CREATED)
    assert event.objective == world.public and event.actor == world.owner
    assert event.payload["checkin"] == {
        "id": checkin.pk,
        "value": "45",
        "confidence": None,
        "note": "halfway",
        "at": checkin.at.isoformat(),
        "author": "owner@acme.test",
    }
    assert event.payload["key_result"]["ref"] == world.adoption.ref
    assert event.payload["objective"]["ref"] == world.public.ref
    assert event.payload["objective"]["url"].endswith(f"/objectives/{world.public.ref}/")
    assert event.dispatched_at is None


def test_a_refused_checkin_records_nothing(world: World) -> None:
    Event.objects.all().delete()
    with pytest.raises(DomainError):
        services.checkin_create(key_result=world.adoption, value=None, confidence="bogus")
    assert kinds_recorded() == []


def test_a_rolled_back_write_takes_its_event_with_it(world: World) -> None:
    Event.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.checkin_create(key_result=world.adoption, value=Decimal(50))
        raise RuntimeError("the caller fails later")
    assert kinds_recorded() == []


def test_a_checkin_that_moves_the_status_records_the_change_once(world: World) -> None:
    """The cycle is over (expected progress 1): 30 of 90 is off track, 90 of 90 done."""
    Event.objects.all().delete()
    services.checkin_create(key_result=world.adoption, value=Decimal(90))
    services.checkin_create(key_result=world.adoption, value=Decimal(90), note="still")
    changes = Event.objects.exclude(kind=kinds.CHECKIN_CREATED).order_by("id")
    assert [(e.kind, e.payload["from"], e.payload["to"]) for e in changes] == [
        (kinds.KEY_RESULT_STATUS_CHANGED, "off_track", "done"),
        (kinds.OBJECTIVE_STATUS_CHANGED, "off_track", "done"),
    ]
    assert changes[0].payload["key_result"]["status"] == "done"


def test_bulk_checkins_record_one_event_each(world: World) -> None:
    Event.objects.all().delete()
    items = [
        services.CheckInInput(world.adoption, Decimal(40), at=datetime(2026, 4, 3, tzinfo=UTC)),
        services.CheckInInput(world.adoption, Decimal(50), at=datetime(2026, 4, 4, tzinfo=UTC)),
    ]
    services.checkin_create_many(items=items, author=world.owner)
    assert kinds_recorded().count(kinds.CHECKIN_CREATED) == 2


def test_objectives_alignments_and_closing_record_their_events(world: World) -> None:
    Event.objects.all().delete()
    child = make_objective(world.cycle, "child", world.teammate, title="Child")
    services.objective_align(child=child, parent=world.public)
    services.objective_unalign(child=child, parent=world.public)
    services.cycle_close(cycle=world.cycle)
    assert kinds_recorded()[-3:] == [
        kinds.OBJECTIVE_ALIGNED,
        kinds.OBJECTIVE_UNALIGNED,
        kinds.CYCLE_CLOSED,
    ]
    closed = Event.objects.get(kind=kinds.CYCLE_CLOSED)
    assert closed.objective is None and closed.payload["cycle"]["ref"] == world.cycle.ref
