"""Finding 4 of issue 10: dates in a sane range, digit strings refused, no stored date breaks
a page.

A check-in dated in year 1 was accepted and then broke the objective page for everyone
(OverflowError drawing the chart with a TIME_ZONE west of UTC); `"at": "20261005"` was read
as a Unix timestamp (1970-08-23). Now a check-in's `at` lies in its cycle's window (from the
cycle's first day in the earliest time zone to now), cycles lie in the years 2000 to 2100,
the API takes dates only as ISO 8601 text, and pages show a stored extreme date instead of
failing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from pacer.bench.generate import SCALES, generate
from pacer.okrs import rollup, rules, services
from pacer.okrs.models import CheckIn, Cycle
from pacer.okrs.okrfile.importer import ImportFailed
from tests.api.conftest import World, assert_problem, world  # noqa: F401
from tests.factories import database_state, import_yaml, line_number, refusal

pytestmark = pytest.mark.django_db

YEAR_ONE = datetime(1, 1, 1, tzinfo=UTC)
CHECKIN = "/key-results/adoption/checkins"


# --- Check-ins lie in their cycle's window -----------------------------------------------


def test_a_checkin_in_year_one_is_refused_everywhere(world: World, tmp_path: Path) -> None:  # noqa: F811
    api = world.client(world.owner)
    before = database_state()
    for path, body, field in (
        (CHECKIN, {"value": 1, "at": "0001-01-01T00:00:00Z"}, "body.at"),
        (
            "/checkins/bulk",
            {"items": [{"key_result": "adoption", "value": 1, "at": "0001-01-01T00:00:00Z"}]},
            "body.items[0].at",
        ),
    ):
        problem = assert_problem(api.call("POST", path, body), 422)
        assert [e["field"] for e in problem["errors"]] == [field]
        assert "lies before its cycle, which starts on 2026-04-01" in problem["detail"]
    assert database_state() == before

    refused = refusal(
        lambda: services.checkin_create(key_result=world.adoption, value=Decimal(1), at=YEAR_ONE)
    )
    assert list(refused) == ["at"]


def test_the_window_opens_on_the_cycles_first_day_in_the_earliest_time_zone() -> None:
    start = date(2026, 4, 1)
    now = datetime(2026, 5, 1, tzinfo=UTC)

    def problems(at: datetime) -> list[rules.Problem]:
        return rules.checkin_problems(
            type="metric", value=Decimal(1), confidence="", at=at, now=now, cycle_start=start
        )

    # 00:00 on 1 April at UTC+14 (Kiritimati) is 10:00 UTC on 31 March.
    assert rules.checkin_earliest(start) == datetime(2026, 3, 31, 10, tzinfo=UTC)
    assert problems(datetime(2026, 3, 31, 10, tzinfo=UTC)) == []
    assert problems(datetime(2026, 4, 1, tzinfo=UTC)) == []  # a plain date in a file
    assert problems(now) == []
    assert [f for f, _ in problems(datetime(2026, 3, 31, 9, 59, tzinfo=UTC))] == ["at"]
    assert [f for f, _ in problems(now + timedelta(seconds=1))] == ["at"]  # the future
    assert [f for f, _ in problems(YEAR_ONE)] == ["at"]


def test_the_importer_refuses_a_checkin_before_its_cycle(world: World, tmp_path: Path) -> None:  # noqa: F811
    text = """\
organization: Dates
people:
  - {email: ada@dates.test, name: Ada, admin: true}
cycles:
  - {ref: q2, name: Q2, start: 2026-04-01, end: 2026-06-30}
objectives:
  - ref: goal
    title: Goal
    cycle: q2
    owner: ada@dates.test
    key_results:
      - ref: metric
        title: Metric
        type: metric
        start: 0
        target: 10
        checkins:
          - {at: 2026-04-01, value: 1}
          - {at: 0001-01-01, value: 2}
"""
    with pytest.raises(ImportFailed) as failure:
        import_yaml(tmp_path, text)
    message = str(failure.value)
    assert f":{line_number(text, '0001-01-01')}:" in message
    assert "lies before its cycle, which starts on 2026-04-01" in message
    assert "2026-04-01T00:00:00" not in message  # the first day is inside


# --- Digit strings are not dates ---------------------------------------------------------


def test_digit_strings_and_numbers_are_not_dates(world: World) -> None:  # noqa: F811
    api = world.client(world.owner)
    admin = world.client(world.admin)
    before = database_state()
    for value in ("20261005", 20261005, "1780000000", 1780000000.5):
        problem = assert_problem(api.call("POST", CHECKIN, {"value": 1, "at": value}), 422)
        assert [e["field"] for e in problem["errors"]] == ["body.at"]
        assert "ISO 8601" in problem["errors"][0]["message"]
    cycle = {"ref": "2027-q1", "name": "Q1", "start": "20270101", "end": "2027-03-31"}
    problem = assert_problem(admin.call("POST", "/cycles", cycle), 422)
    assert [e["field"] for e in problem["errors"]] == ["body.start"]
    kr = {"title": "Due as a number", "target": 1, "due": 1780000000}
    problem = assert_problem(api.call("POST", "/objectives/delivery/key-results", kr), 422)
    assert [e["field"] for e in problem["errors"]] == ["body.due"]
    for query, field in (
        ("/checkins?since=1780000000", "query.since"),
        ("/checkins?updated_since=0", "query.updated_since"),
        ("/objectives?as_of=0", "query.as_of"),
        ("/key-results/adoption?as_of=20261005", "query.as_of"),
        ("/deletions?since=1780000000", "query.since"),
    ):
        problem = assert_problem(api.call("GET", query), 422)
        assert [e["field"] for e in problem["errors"]] == [field], query
    assert database_state() == before

    # ISO 8601 text still works, with or without a time and a zone.
    for at in ("2026-05-01", "2026-05-01T09:30:00", "2026-05-01T09:30:00+02:00"):
        assert api.call("POST", CHECKIN, {"value": 1, "at": at}).status_code == 201, at
    assert api.call("GET", "/checkins?since=2026-05-01T00:00:00Z").status_code == 200


# --- Cycles lie in the years 2000 to 2100 ------------------------------------------------


def test_cycle_dates_lie_in_the_years_2000_to_2100(world: World, tmp_path: Path) -> None:  # noqa: F811
    admin = world.client(world.admin)
    before = database_state()
    for start, end, field in (
        ("0001-01-01", "2026-03-31", "body.start"),
        ("2026-01-01", "9999-12-31", "body.end"),
        ("1999-12-31", "2026-03-31", "body.start"),
    ):
        body = {"ref": "odd", "name": "Odd", "start": start, "end": end}
        problem = assert_problem(admin.call("POST", "/cycles", body), 422)
        assert [e["field"] for e in problem["errors"]] == [field]
        assert "must lie in the years 2000 to 2100" in problem["errors"][0]["message"]
    patch = assert_problem(admin.call("PATCH", "/cycles/2026-q2", {"end": "2101-01-01"}), 422)
    assert [e["field"] for e in patch["errors"]] == ["body.end"]
    assert database_state() == before
    assert rules.cycle_problems(start=date(2000, 1, 1), end=date(2100, 12, 31)) == []

    text = """\
organization: Far
cycles:
  - {ref: far, name: Far, start: 0001-01-01, end: 2026-12-31}
"""
    with pytest.raises(ImportFailed) as failure:
        import_yaml(tmp_path, text)
    assert f":{line_number(text, '0001-01-01')}:" in str(failure.value)
    assert "must lie in the years 2000 to 2100" in str(failure.value)


# --- What Pacer generates lies in its cycles -----------------------------------------------


def assert_checkins_lie_in_their_cycles() -> None:
    checkins = CheckIn.objects.select_related("key_result__objective__cycle")
    assert checkins.exists()
    outside = [
        (c.key_result.ref, c.at)
        for c in checkins
        if c.at < rules.checkin_earliest(c.key_result.objective.cycle.start)
    ]
    assert outside == []
    for cycle in Cycle.objects.all():
        assert rules.cycle_problems(start=cycle.start, end=cycle.end) == []


def test_the_demo_dates_within_its_cycles() -> None:
    call_command("demo")
    assert_checkins_lie_in_their_cycles()


def test_the_bench_generator_dates_within_its_cycles() -> None:
    generate(SCALES["tiny"], seed=1, name="Bench Dates")
    assert_checkins_lie_in_their_cycles()


# --- No stored date breaks a page ----------------------------------------------------------


@override_settings(TIME_ZONE="America/New_York")
def test_pages_survive_a_checkin_stored_in_year_one(world: World) -> None:  # noqa: F811
    """A check-in stored before dates were checked (written here through the ORM, as an old
    database holds it) is shown, not a 500, with a time zone where year 1 cannot be drawn."""
    CheckIn.objects.filter(key_result=world.adoption).delete()
    CheckIn.objects.create(
        key_result=world.adoption, value=Decimal(10), at=YEAR_ONE, author=world.owner
    )
    rollup.refresh_after_change(world.adoption)
    client = Client()
    client.force_login(world.admin)
    for url in (
        reverse("objective_detail", args=["delivery"]),
        reverse("focus"),
        reverse("checkin_week"),
        reverse("cycle_overview", args=["2026-q2"]),
        reverse("missing_checkins", args=["2026-q2"]),
        reverse("team_detail", args=["platform"]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    html = client.get(reverse("objective_detail", args=["delivery"])).content.decode()
    assert "1 Jan 0001" in html  # shown in UTC, where it can be
