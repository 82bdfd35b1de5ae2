"""pacer.okrs.services.checkins: check-ins keep a key result's current value and progress."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from pacer.okrs import services
from pacer.okrs.models import CheckIn
from tests.factories import D, World, check_in, fresh, make_key_result, midnight, refusal

pytestmark = pytest.mark.django_db

APRIL_25 = midnight(date(2026, 4, 25))


def test_a_checkin_sets_current_and_rolls_up_to_the_objective(world: World) -> None:
    checkin = services.checkin_create(
        key_result=world.adoption,
        value=D(45),
        confidence="at_risk",
        note="pilot live",
        author=world.teammate,
        at=APRIL_25,
    )
    assert (checkin.value, checkin.author, checkin.note) == (45, world.teammate, "pilot live")
    adoption = fresh(world.adoption)
    assert (adoption.current, adoption.confidence, adoption.progress) == (45, "at_risk", D("0.5"))
    assert adoption.last_checkin_at == APRIL_25
    assert fresh(world.public).progress == D("0.5")


def test_a_checkin_without_a_moment_is_dated_now(world: World) -> None:
    before = timezone.now()
    checkin = services.checkin_create(key_result=world.adoption, value=D(60))
    assert before <= checkin.at <= timezone.now()
    assert fresh(world.adoption).current == 60


def test_a_backdated_checkin_does_not_replace_the_newer_current(world: World) -> None:
    services.checkin_create(key_result=world.adoption, value=D(10), at=midnight(date(2026, 4, 10)))
    assert fresh(world.adoption).current == 30  # the check-in of April 20 stays the latest
    assert CheckIn.objects.filter(key_result=world.adoption).count() == 2


def test_derived_key_results_take_a_checkin_without_value(world: World) -> None:
    plan = make_key_result(world.public, "plan", type="milestones")
    checkin = services.checkin_create(key_result=plan, value=None, confidence="on_track")
    assert checkin.value is None
    assert fresh(plan).confidence == "on_track"


def test_a_checkin_without_a_value_keeps_the_last_value(world: World) -> None:
    checkin = services.checkin_create(
        key_result=world.adoption, value=None, confidence="at_risk", at=APRIL_25
    )
    assert (checkin.value, checkin.confidence) == (30, "at_risk")  # April 20's value
    adoption = fresh(world.adoption)
    assert (adoption.current, adoption.confidence, adoption.last_checkin_at) == (
        30,
        "at_risk",
        APRIL_25,
    )
    note_only = services.checkin_create(key_result=world.adoption, value=None, note="Slow")
    assert (note_only.value, note_only.confidence, note_only.note) == (30, "", "Slow")


def test_a_backdated_checkin_without_a_value_keeps_the_value_it_followed(world: World) -> None:
    services.checkin_create(key_result=world.adoption, value=D(50), at=APRIL_25)
    earlier = services.checkin_create(
        key_result=world.adoption, value=None, note="late note", at=midnight(date(2026, 4, 22))
    )
    assert earlier.value == 30  # April 20's, not April 25's
    assert fresh(world.adoption).current == 50


def test_a_checkin_without_a_value_and_nothing_to_keep_is_refused(world: World) -> None:
    kr = make_key_result(world.public, "fresh", target=10)
    before = refusal(lambda: services.checkin_create(key_result=kr, value=None, at=APRIL_25))
    assert before == {"value": "is required"}


@pytest.mark.parametrize(
    ("kr_type", "value", "field"),
    [
        ("boolean", None, "value"),  # no earlier check-in whose value it could keep
        ("milestones", Decimal(1), "value"),
        ("boolean", Decimal(2), "value"),
        ("metric", Decimal("NaN"), "value"),
        ("metric", Decimal("0.1234567"), "value"),
        ("metric", Decimal(10) ** 18, "value"),
    ],
)
def test_a_value_that_does_not_suit_the_type_is_refused(
    world: World, kr_type: str, value: Decimal | None, field: str
) -> None:
    kr = world.adoption if kr_type == "metric" else make_key_result(world.public, "k", kr_type)
    assert set(refusal(lambda: services.checkin_create(key_result=kr, value=value))) == {field}


def test_an_unknown_confidence_is_refused(world: World) -> None:
    problems = refusal(
        lambda: services.checkin_create(key_result=world.adoption, value=D(1), confidence="meh")
    )
    assert set(problems) == {"confidence"}


def test_a_checkin_in_the_future_is_refused(world: World) -> None:
    tomorrow = timezone.now() + timedelta(days=1)
    problems = refusal(
        lambda: services.checkin_create(key_result=world.adoption, value=D(1), at=tomorrow)
    )
    assert set(problems) == {"at"}
    assert "in the future" in problems["at"]


def test_every_problem_of_one_checkin_is_named_at_once(world: World) -> None:
    tomorrow = timezone.now() + timedelta(days=1)
    problems = refusal(
        lambda: services.checkin_create(
            key_result=world.adoption, value=Decimal("NaN"), confidence="meh", at=tomorrow
        )
    )
    assert set(problems) == {"value", "confidence", "at"}


# --- Deleting ----------------------------------------------------------------------------


def test_deleting_the_latest_checkin_brings_back_the_one_before(world: World) -> None:
    newer = check_in(world.adoption, 72, date(2026, 5, 1))
    assert fresh(world.adoption).current == 72
    services.checkin_delete(checkin=newer)
    adoption = fresh(world.adoption)
    assert (adoption.current, adoption.progress) == (30, D("0.333333333333"))
    assert not CheckIn.objects.filter(pk=newer.pk).exists()


def test_deleting_the_only_checkin_brings_the_metric_back_to_its_start(world: World) -> None:
    services.checkin_delete(checkin=CheckIn.objects.get(key_result=world.adoption))
    adoption = fresh(world.adoption)
    assert (adoption.current, adoption.progress, adoption.last_checkin_at) == (0, 0, None)
    assert fresh(world.public).progress == 0


# --- Many at once ------------------------------------------------------------------------


def test_checkin_create_many_writes_every_item(world: World) -> None:
    created = services.checkin_create_many(
        items=[
            services.CheckInInput(key_result=world.adoption, value=D(45), at=APRIL_25),
            services.CheckInInput(key_result=world.secret_kr, value=D(20), note="draft"),
        ],
        author=world.owner,
    )
    assert [c.author for c in created] == [world.owner, world.owner]
    assert fresh(world.adoption).current == 45
    assert fresh(world.secret_kr).current == 20


def test_checkin_create_many_writes_nothing_if_one_item_is_wrong(world: World) -> None:
    problems = refusal(
        lambda: services.checkin_create_many(
            items=[
                services.CheckInInput(key_result=world.adoption, value=D(45)),
                services.CheckInInput(key_result=world.secret_kr, value=None),
                services.CheckInInput(
                    key_result=world.adoption, value=D(1), confidence="meh", at=an_hour_ago()
                ),
            ],
            author=world.owner,
        )
    )
    assert set(problems) == {"items[1].value", "items[2].confidence"}


def an_hour_ago() -> datetime:
    return timezone.now() - timedelta(hours=1)


def test_checkin_create_many_names_the_item_of_an_archived_objective(world: World) -> None:
    services.objective_archive(objective=world.private)
    problems = refusal(
        lambda: services.checkin_create_many(
            items=[
                services.CheckInInput(key_result=world.adoption, value=D(45)),
                services.CheckInInput(key_result=world.secret_kr, value=D(1)),
            ],
            author=None,
        )
    )
    assert set(problems) == {"items[1].archived"}


def test_two_checkins_of_one_key_result_in_one_request_keep_the_latest(world: World) -> None:
    may = datetime(2026, 5, 2, 9, 30, tzinfo=timezone.get_current_timezone())
    services.checkin_create_many(
        items=[
            services.CheckInInput(key_result=world.adoption, value=D(80), at=may),
            services.CheckInInput(key_result=world.adoption, value=D(50), at=APRIL_25),
        ],
        author=None,
    )
    assert fresh(world.adoption).current == 80


def test_an_author_of_another_organization_is_refused(world: World) -> None:
    """Found by the round-trip state machine: the export named them, the import could not."""
    problems = refusal(
        lambda: services.checkin_create(
            key_result=world.adoption, value=Decimal(50), author=world.stranger
        )
    )
    assert problems == {"author": "belongs to another organization"}
