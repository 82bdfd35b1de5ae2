"""Check-in reminders: who is due per cadence and time zone, once per period, the dry run,
the command's errors, the signed link and the nudge (pacer.reminders)."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from pacer.accounts.models import User
from pacer.notifications.models import Notification
from pacer.okrs.errors import DomainError
from pacer.reminders import links, services
from tests.factories import World, check_in, make_world, run_command

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 5, 4, tzinfo=UTC)  # in the world's cycle, 2026 Q2


@pytest.fixture
def world(db: Any) -> World:
    built = make_world()
    User.objects.filter(organization=built.org).update(time_zone="UTC")
    for person in (built.admin, built.owner, built.teammate, built.outsider):
        person.refresh_from_db()
    return built


def reminded(now: datetime, **options: Any) -> dict[str, services.Reminder]:
    return {r.person.email: r for r in services.send_reminders(now=now, **options)}


def test_weekly_reminders_go_out_at_the_reminder_time_and_list_what_awaits(world: World) -> None:
    assert reminded(MONDAY.replace(hour=8, minute=59)) == {}
    sent = reminded(MONDAY.replace(hour=9))
    assert list(sent) == ["owner@acme.test"]  # the only one answering for key results
    assert sent["owner@acme.test"].key == "reminder:2026-05-04"
    assert sorted(sent["owner@acme.test"].titles) == ["Adoption", "Sign the term sheet"]
    note = Notification.objects.get(person=world.owner)
    assert note.kind == "reminder" and "Sign the term sheet" in note.body
    assert note.url.startswith("/reminders/link/")
    assert links.person_of_token(note.url.split("/")[-2], now=MONDAY) == world.owner


def test_a_run_twice_in_one_period_sends_nothing_the_second_time(
    world: World, django_assert_max_num_queries: Any
) -> None:
    assert reminded(MONDAY.replace(hour=9))
    with django_assert_max_num_queries(2):  # the candidates, their reminders: then skipped
        assert reminded(MONDAY.replace(hour=15)) == {}
    assert reminded(MONDAY + timedelta(days=3)) == {}
    assert Notification.objects.filter(person=world.owner).count() == 1
    assert list(reminded(MONDAY + timedelta(days=7, hours=10))) == ["owner@acme.test"]


def test_a_checked_in_key_result_no_longer_awaits(world: World) -> None:
    check_in(world.adoption, 40, MONDAY.replace(hour=1))
    check_in(world.secret_kr, 1, MONDAY.replace(hour=2))
    assert reminded(MONDAY.replace(hour=9)) == {}


def test_the_reminder_moment_is_in_the_persons_time_zone(world: World) -> None:
    User.objects.filter(pk=world.owner.pk).update(time_zone="Pacific/Kiritimati")  # UTC+14
    sunday_evening = MONDAY - timedelta(hours=5)  # Monday 09:00 in Kiritimati
    sent = reminded(sunday_evening)
    assert sent["owner@acme.test"].key == "reminder:2026-05-04"
    User.objects.filter(pk=world.owner.pk).update(time_zone="America/Los_Angeles")
    Notification.objects.all().delete()
    assert reminded(MONDAY.replace(hour=15, minute=59)) == {}  # 08:59 in Los Angeles
    assert reminded(MONDAY.replace(hour=16))


def test_a_biweekly_team_counts_periods_from_the_cycles_start(world: World) -> None:
    world.team.checkin_cadence = "biweekly"
    world.team.save()
    # The cycle starts Wednesday 1 April: periods start 30 March, 13 April, 27 April...
    check_in(world.adoption, 40, datetime(2026, 4, 28, tzinfo=UTC))
    sent = reminded(MONDAY.replace(hour=10))
    assert sent["owner@acme.test"].key == "reminder:2026-04-27"
    assert sent["owner@acme.test"].titles == ["Sign the term sheet"]
    assert sent["owner@acme.test"].end == datetime(2026, 5, 11, tzinfo=UTC)


def test_a_monthly_organization_reminds_on_the_first_reminder_weekday(world: World) -> None:
    world.org.checkin_cadence = "monthly"
    world.org.save()
    assert reminded(datetime(2026, 5, 2, 12, tzinfo=UTC)) == {}  # Saturday the 2nd
    sent = reminded(MONDAY.replace(hour=9))  # the first Monday of May
    assert sent["owner@acme.test"].key == "reminder:2026-05-01"
    assert reminded(MONDAY + timedelta(days=7, hours=9)) == {}


def test_the_dry_run_prints_and_writes_nothing(world: World) -> None:
    out = run_command("reminders", "send", "--now", "2026-05-04T09:30", "--dry-run")
    assert "would remind owner@acme.test (reminder:2026-05-04): 2 awaiting" in out
    assert "1 reminder" in out
    assert not Notification.objects.exists()
    out = run_command("reminders", "send", "--now", "2026-05-04T09:30+00:00")
    assert "reminded owner@acme.test" in out
    assert run_command("reminders", "send", "--now", "2026-05-04T10:00").endswith("0 reminders\n")


def test_a_bad_now_is_refused_naming_it(world: World) -> None:
    with pytest.raises(CommandError) as refused:
        run_command("reminders", "send", "--now", "next monday")
    assert refused.value.returncode == 2
    assert "--now" in str(refused.value)
    assert not Notification.objects.exists()


# --- The signed link ------------------------------------------------------------------


def test_the_link_signs_its_person_in_and_lands_on_the_checkin(world: World) -> None:
    token = links.make_token(world.owner, datetime(2099, 1, 1, tzinfo=UTC))
    client = Client()
    answer = client.get(reverse("reminder_link", args=[token]))
    assert answer.status_code == 302 and answer["Location"] == reverse("checkin_week")
    assert client.get(reverse("checkin_week")).status_code == 200
    assert int(client.session["_auth_user_id"]) == world.owner.pk


@pytest.mark.parametrize("why", ["expired", "tampered", "password", "deactivated"])
def test_a_bad_link_says_why_and_signs_nobody_in(world: World, why: str) -> None:
    expires = (
        datetime(2020, 1, 1, tzinfo=UTC) if why == "expired" else datetime(2099, 1, 1, tzinfo=UTC)
    )
    token = links.make_token(world.owner, expires)
    if why == "tampered":
        token = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    if why == "password":
        world.owner.set_password("a new secret 123")
        world.owner.save()
    if why == "deactivated":
        User.objects.filter(pk=world.owner.pk).update(is_active=False)
    client = Client()
    answer = client.get(reverse("reminder_link", args=[token]))
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "This link does not work" in text
    assert {"expired": "expired", "tampered": "not valid"}.get(why, "no longer works") in text
    assert "_auth_user_id" not in client.session


def test_someone_elses_link_is_refused_to_a_signed_in_person(world: World) -> None:
    token = links.make_token(world.owner, datetime(2099, 1, 1, tzinfo=UTC))
    client = Client()
    client.force_login(world.teammate)
    answer = client.get(reverse("reminder_link", args=[token]))
    assert answer.status_code == 403 and "another person" in answer.content.decode()
    assert int(client.session["_auth_user_id"]) == world.teammate.pk


def test_garbage_tokens_never_fail() -> None:
    client = Client()
    for token in ["x", "a:b:c", "%00", "e30:1abc:zzz"]:
        assert client.get(f"/reminders/link/{token}/").status_code in (400, 404)


# --- Nudges ---------------------------------------------------------------------------


def test_admins_and_leads_of_the_persons_team_may_nudge(world: World) -> None:
    now = MONDAY.replace(hour=12)
    with pytest.raises(DomainError):
        services.nudge(actor=world.outsider, person=world.teammate, now=now)
    with pytest.raises(DomainError):
        services.nudge(actor=world.teammate, person=world.owner, now=now)  # not a lead
    with pytest.raises(DomainError):
        services.nudge(actor=world.stranger, person=world.owner, now=now)  # other organization
    assert services.nudge(actor=world.owner, person=world.teammate, now=now)  # the team's lead
    note = services.nudge(actor=world.admin, person=world.owner, now=now)
    assert note.key == "nudge:2026-05-04" and "Sign the term sheet" in note.body
    assert note.title.startswith("Admin asks you to check in")


def test_a_person_is_nudged_once_a_day(world: World) -> None:
    now = MONDAY.replace(hour=12)
    services.nudge(actor=world.admin, person=world.owner, now=now)
    with pytest.raises(DomainError, match="already nudged today"):
        services.nudge(actor=world.owner, person=world.owner, now=now + timedelta(hours=3))
    assert services.nudge(actor=world.admin, person=world.owner, now=now + timedelta(days=1))
    assert Notification.objects.filter(person=world.owner).count() == 2


def test_the_nudge_buttons_of_who_has_not_checked_in(world: World, settings: Any) -> None:
    client = Client()
    client.force_login(world.admin)
    page = reverse("missing_checkins", args=[world.cycle.ref])
    assert "Nudge all" in client.get(page).content.decode()
    nudge = reverse("missing_checkins_nudge", args=[world.cycle.ref])
    answer = client.post(nudge, {"person": world.owner.pk}, follow=True)
    assert "Nudged Owner." in answer.content.decode()
    answer = client.post(nudge, {"all": "1"}, follow=True)
    assert "already nudged today" in answer.content.decode()
    assert Notification.objects.filter(person=world.owner, kind="reminder").count() == 1
    client.force_login(world.outsider)
    assert client.post(nudge, {"all": "1"}).status_code == 403
    assert Notification.objects.count() == 1


def test_a_nudge_for_someone_not_listed_names_the_field(world: World) -> None:
    client = Client()
    client.force_login(world.admin)
    nudge = reverse("missing_checkins_nudge", args=[world.cycle.ref])
    answer = client.post(nudge, {"person": "nobody"}, follow=True)
    assert "person: choose someone listed" in answer.content.decode()
    assert not Notification.objects.exists()


def test_reminders_only_for_active_cycles(world: World) -> None:
    assert reminded(datetime(2026, 7, 6, 10, tzinfo=UTC)) == {}  # after the cycle
    assert date(2026, 7, 6).weekday() == 0


def test_the_worker_sends_reminders_on_its_schedule(world: World) -> None:
    from django.utils import timezone

    from pacer.jobs.schedule import SCHEDULE
    from pacer.jobs.worker import run_once
    from pacer.okrs.models import Cycle, Organization

    assert "pacer.reminders.tasks.send_due_reminders" in {p.task for p in SCHEDULE}
    today = timezone.localdate()
    Cycle.objects.filter(pk=world.cycle.pk).update(
        start=today - timedelta(days=30), end=today + timedelta(days=30)
    )
    # Monday 00:00: the reminder moment has passed whatever day the test runs.
    Organization.objects.filter(pk=world.org.pk).update(reminder_time="00:00")
    run_once()
    assert Notification.objects.filter(person=world.owner, key__startswith="reminder:").count() == 1
    run_once()
    assert Notification.objects.filter(person=world.owner).count() == 1


def test_the_reminder_reaches_the_mailbox_with_its_link(world: World, smtp_server: Any) -> None:
    from django.conf import settings

    from pacer.jobs.worker import run_once

    assert reminded(MONDAY.replace(hour=9))
    run_once()  # pacer.messaging: reminders are not held for batching
    smtp_server.wait_for(1)
    mail = smtp_server.messages[0]
    assert mail["To"] == "owner@acme.test"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Sign the term sheet" in text
    assert settings.PACER_BASE_URL + "/reminders/link/" in text
