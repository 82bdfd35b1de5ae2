"""The check-in rhythm: the admin page /settings/organization/, a team's cadence on its
edit form, and the API's organization and team resources."""

from datetime import time
from typing import Any

import pytest
from django.test import Client

from pacer.okrs import services
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Organization, Team
from tests.api.conftest import World, assert_problem
from tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> World:
    return make_world(World)


def test_the_service_checks_every_field_and_changes_nothing_on_error(world: World) -> None:
    with pytest.raises(DomainError) as refused:
        services.organization_rhythm_update(
            organization=world.org, checkin_cadence="daily", reminder_weekday=7
        )
    assert {f for f, _ in refused.value.problems} == {"checkin_cadence", "reminder_weekday"}
    org = Organization.objects.get(pk=world.org.pk)
    assert (org.checkin_cadence, org.reminder_weekday) == ("weekly", 0)
    services.organization_rhythm_update(organization=world.org, reminder_time=time(16, 30))
    org = Organization.objects.get(pk=world.org.pk)
    assert (org.checkin_cadence, org.reminder_time) == ("weekly", time(16, 30))


def test_admins_set_the_rhythm_on_the_settings_page(world: World) -> None:
    client = Client()
    client.force_login(world.admin)
    assert "/settings/organization/" in client.get("/settings/").content.decode()
    page = client.get("/settings/organization/")
    assert page.status_code == 200 and "Check-in cadence" in page.content.decode()
    bad = client.post(
        "/settings/organization/",
        {"checkin_cadence": "daily", "reminder_weekday": "9", "reminder_time": "25:00"},
    )
    assert bad.status_code == 400
    assert Organization.objects.get(pk=world.org.pk).checkin_cadence == "weekly"
    saved = client.post(
        "/settings/organization/",
        {"checkin_cadence": "monthly", "reminder_weekday": "2", "reminder_time": "08:15"},
        follow=True,
    )
    assert "Saved the check-in rhythm." in saved.content.decode()
    org = Organization.objects.get(pk=world.org.pk)
    assert (org.checkin_cadence, org.reminder_weekday, org.reminder_time) == (
        "monthly",
        2,
        time(8, 15),
    )
    client.force_login(world.owner)
    assert client.get("/settings/organization/").status_code == 403


def test_a_team_chooses_its_cadence_on_its_edit_form(world: World) -> None:
    client = Client()
    client.force_login(world.admin)
    edit = f"/teams/{world.team.ref}/edit/"
    assert "Check-in cadence" in client.get(edit).content.decode()
    body = {"name": world.team.name, "parent": "", "checkin_cadence": "biweekly"}
    assert client.post(edit, body).status_code == 302
    assert Team.objects.get(pk=world.team.pk).checkin_cadence == "biweekly"
    assert client.post(edit, {**body, "checkin_cadence": "hourly"}).status_code == 400
    client.post(edit, {**body, "checkin_cadence": ""})
    assert Team.objects.get(pk=world.team.pk).checkin_cadence == ""


def test_the_api_reads_and_changes_the_rhythm(
    world: World,
) -> None:
    owner_api, admin_api = world.client(world.owner), world.client(world.admin)
    read = owner_api.get_json("/organization")
    assert (read["checkin_cadence"], read["reminder_weekday"], read["reminder_time"]) == (
        "weekly",
        0,
        "09:00",
    )
    assert owner_api.get_json("/teams/platform")["checkin_cadence"] == ""
    body = {"checkin_cadence": "biweekly", "reminder_weekday": 4, "reminder_time": "16:30"}
    assert_problem(owner_api.call("PATCH", "/organization", body), 403)
    bad = admin_api.call("PATCH", "/organization", {**body, "checkin_cadence": "daily"})
    assert "checkin_cadence" in assert_problem(bad, 422)["errors"][0]["field"]
    changed = admin_api.call("PATCH", "/organization", body).json()
    assert (changed["checkin_cadence"], changed["reminder_weekday"], changed["reminder_time"]) == (
        "biweekly",
        4,
        "16:30",
    )
    assert admin_api.call("PATCH", "/organization", {"at_risk_gap": 0.05}).status_code == 200
    assert owner_api.get_json("/organization")["checkin_cadence"] == "biweekly"


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ("21:40:52.9Z", "without a time zone"),
        ("09:00+02:00", "without a time zone"),
        ("09:00:30", "whole minutes"),
    ],
)
def test_a_reminder_time_with_a_zone_or_seconds_is_refused_by_name(
    world: World, sent: str, message: str
) -> None:
    """Found by schemathesis: an aware time was a 500 on SQLite. The reminder goes out at a
    local time in each person's zone, in whole minutes, so anything else is refused."""
    admin_api = world.client(world.admin)
    refused = assert_problem(admin_api.call("PATCH", "/organization", {"reminder_time": sent}), 422)
    assert refused["errors"][0]["field"].endswith("reminder_time")
    assert message in refused["errors"][0]["message"]
    assert Organization.objects.get(pk=world.org.pk).reminder_time == time(9, 0)
