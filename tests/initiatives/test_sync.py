"""Initiatives linked to trackers, synced against the fake GitHub of tests/trackers/fakes.py:
counts, progress and the roll-up; failures that keep the last good counts; rate limits;
closed cycles; the bounded, idempotent schedule; connections (admins, private addresses,
the token encrypted and never shown); and Sync now."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pacer.initiatives import connections, services, sync
from pacer.initiatives.models import Initiative, TrackerConnection
from pacer.initiatives.services import InitiativeSpec
from pacer.jobs.worker import run_once
from pacer.okrs import services as okr_services
from pacer.okrs.models import KeyResult
from tests.factories import World, fresh, make_key_result, make_world, refusal
from tests.trackers.conftest import running
from tests.trackers.fakes import RESET_EPOCH, FakeGitHub, Reply

pytestmark = pytest.mark.django_db

MILESTONE = "https://github.com/acme/web/milestone/3"  # 4 open, 8 closed in the fake


@pytest.fixture
def world(db: Any) -> World:
    return make_world()


@pytest.fixture
def github(settings: Any) -> Iterator[FakeGitHub]:
    yield from running(FakeGitHub(), settings)


def connect(world: World, fake: FakeGitHub, token: str | None = None) -> TrackerConnection:
    """The organization's GitHub connection, its API pointed at the fake."""
    return connections.connection_set(
        by=world.admin,
        tracker="github",
        base_url=fake.base_url,
        api_url=fake.url,
        token=fake.token if token is None else token,
    )


def work_kr(world: World) -> KeyResult:
    return make_key_result(world.public, "work", type="initiatives", title="Ship the projects")


def linked(world: World, title: str = "Ship v1", **fields: Any) -> Initiative:
    fields.setdefault("link_url", MILESTONE)
    spec = InitiativeSpec(title=title, owner=world.owner, **fields)
    return services.initiative_create(cycle=world.cycle, spec=spec)


def synced(world: World, github: FakeGitHub) -> Initiative:
    """An initiative whose last good sync saw 4 open and 8 closed."""
    connect(world, github)
    initiative = linked(world, key_results=[work_kr(world)])
    assert sync.sync_initiative.call(initiative.pk) is True
    return fresh(initiative)


def test_a_sync_sets_the_counts_q_and_the_key_result(world: World, github: FakeGitHub) -> None:
    kr = work_kr(world)
    connect(world, github)
    initiative = linked(world, key_results=[kr])
    assert fresh(initiative).progress == 0  # linked, not synced yet

    assert sync.sync_initiative.call(initiative.pk) is True
    initiative = fresh(initiative)
    assert (initiative.link_open, initiative.link_closed) == (4, 8)
    assert initiative.synced_at is not None and initiative.sync_error == ""
    assert initiative.progress == Decimal("0.666666666667")  # 8 closed of 12
    assert fresh(kr).progress == initiative.progress  # the mean of its one initiative
    [request] = github.requests
    assert request.path == ["repos", "acme", "web", "milestones", "3"]
    assert request.headers["authorization"] == f"Bearer {github.token}"
    assert initiative.sync_next_at is not None
    assert initiative.sync_next_at > timezone.now() + timedelta(minutes=14)


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (Reply(500, {"message": "boom"}), "server error (500)"),
        (Reply(502, b"<html>Bad gateway</html>", {"Content-Type": "text/html"}), "(502)"),
        (Reply(200, b"{not json", {"Content-Type": "text/html"}), "not JSON"),
        (Reply(200, {"open_issues": "4", "closed_issues": -1}), "usable count"),
        (Reply(200, []), "unexpected shape"),
    ],
)
def test_a_bad_answer_is_a_failed_sync_keeping_the_last_counts(
    world: World, github: FakeGitHub, reply: Reply, said: str
) -> None:
    initiative = synced(world, github)
    github.canned = reply
    assert sync.sync_initiative.call(initiative.pk) is False
    after = fresh(initiative)
    assert (after.link_open, after.link_closed, after.progress) == (4, 8, initiative.progress)
    assert after.synced_at == initiative.synced_at
    assert said in after.sync_error and after.sync_failures == 1
    assert after.sync_failed_at is not None


def test_a_refused_token_and_a_silent_tracker_fail_without_the_token(
    world: World, github: FakeGitHub, settings: Any
) -> None:
    initiative = synced(world, github)
    connections.connection_set(
        by=world.admin,
        connection=TrackerConnection.objects.get(),
        tracker="github",
        base_url=github.base_url,
        api_url=github.url,
        token="ghp_wrongToken99999999",
    )
    sync.sync_initiative.call(initiative.pk)
    after = fresh(initiative)
    assert "refused the credentials (401)" in after.sync_error
    assert after.sync_failures == 1 and (after.link_open, after.link_closed) == (4, 8)

    settings.PACER_OUTBOUND_TIMEOUT = 0.3
    github.stall = True
    sync.sync_initiative.call(initiative.pk)
    after = fresh(initiative)
    assert "no answer within" in after.sync_error and after.sync_failures == 2
    for row in Initiative.objects.values_list("sync_error", flat=True):
        assert github.token not in row and "ghp_wrongToken" not in row


def test_the_tracker_echoing_the_token_is_blanked(world: World, github: FakeGitHub) -> None:
    initiative = synced(world, github)
    github.canned = Reply(403, {"message": f"token {github.token} lacks a scope"})
    sync.sync_initiative.call(initiative.pk)
    after = fresh(initiative)
    assert "[token]" in after.sync_error and github.token not in after.sync_error


def test_a_rate_limit_is_waited_for(world: World, github: FakeGitHub) -> None:
    initiative = synced(world, github)
    github.rate_limited = True
    Initiative.objects.update(sync_next_at=None)
    assert sync.sync_due.call() == 1
    run_once()
    after = fresh(initiative)
    reset = datetime.fromtimestamp(RESET_EPOCH, UTC)
    assert "rate limit" in after.sync_error
    assert after.sync_retry_after == reset and after.sync_next_at == reset
    assert not sync.due(timezone.now() + timedelta(days=30)).exists()
    assert list(sync.due(reset)) == [after]
    # Sync now waits for it too, without asking the tracker.
    asked = len(github.requests)
    outcome = sync.sync_requested(initiative=after, by=world.owner)
    assert not outcome.ok and "wait until" in outcome.message
    assert len(github.requests) == asked


def test_a_closed_cycle_is_not_synced(world: World, github: FakeGitHub) -> None:
    initiative = synced(world, github)
    Initiative.objects.update(sync_next_at=None)
    okr_services.cycle_close(cycle=world.cycle)
    asked = len(github.requests)
    assert not sync.has_work() and sync.sync_due.call() == 0
    assert sync.sync_initiative.call(initiative.pk) is False
    assert len(github.requests) == asked
    assert "cycle" in refusal(lambda: sync.sync_requested(initiative=fresh(initiative), by=None))


def test_sync_due_is_bounded_and_queues_each_link_once(
    world: World, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync, "BATCH", 3)
    connect(world, github)
    Initiative.objects.bulk_create(
        Initiative(
            organization=world.org,
            cycle=world.cycle,
            ref=f"work-{n}",
            title=f"Work {n}",
            owner=world.owner,
            link_url=MILESTONE,
        )
        for n in range(5)
    )
    Initiative.objects.create(
        organization=world.org,
        cycle=world.cycle,
        ref="unlinked",
        title="No link",
        owner=world.owner,
    )
    queued = DBTaskResult.objects.filter(task_path="pacer.initiatives.sync.sync_initiative")
    again = DBTaskResult.objects.filter(task_path="pacer.initiatives.sync.sync_due")
    assert sync.has_work()
    assert sync.sync_due.call() == 3 and queued.count() == 3
    assert again.count() == 1  # a full batch: it goes on behind the syncs it queued
    assert sync.sync_due.call() == 2 and queued.count() == 5 and again.count() == 1
    assert sync.sync_due.call() == 0 and not sync.has_work()
    DBTaskResult.objects.all().delete()
    Initiative.objects.update(sync_next_at=None)
    run_once()  # the schedule queues sync_due, which queues 3, then itself, then 2
    assert len(github.requests) == 5
    assert Initiative.objects.filter(link_open=4, link_closed=8).count() == 5
    assert sync.sync_due.call() == 0  # not due again before the interval


def test_the_interval_is_a_setting(world: World, github: FakeGitHub, settings: Any) -> None:
    settings.PACER_SYNC_INTERVAL_MINUTES = 60
    initiative = synced(world, github)
    assert initiative.sync_next_at is not None
    assert initiative.sync_next_at > timezone.now() + timedelta(minutes=59)
    assert not sync.due(timezone.now() + timedelta(minutes=30)).exists()
    assert sync.due(timezone.now() + timedelta(minutes=61)).exists()


def test_a_link_changed_during_a_sync_keeps_nothing_of_the_old_one(
    world: World, github: FakeGitHub
) -> None:
    connect(world, github)
    initiative = linked(world)
    sync.record_success(
        initiative.pk, "https://github.com/acme/web/milestone/9", sync.trackers.Counts(1, 1)
    )
    assert fresh(initiative).synced_at is None


# --- Links and connections ---------------------------------------------------------------


def test_a_link_pacer_cannot_read_is_refused_by_field_with_the_supported_list(
    world: World, settings: Any
) -> None:
    problems = refusal(lambda: linked(world, link_url="https://tracker.test/epic/1"))
    assert set(problems) == {"link"}
    assert "No tracker is connected for tracker.test" in problems["link"]
    assert "GitHub milestone: https://github.com/" in problems["link"]
    assert "\n" not in problems["link"]
    problems = refusal(lambda: linked(world, link_url="https://github.com/acme"))
    assert "not a GitHub link" in problems["link"]
    settings.PACER_OUTBOUND_ALLOW = ["127.0.0.1"]  # no network here: its API is local
    connections.connection_set(
        by=world.admin,
        tracker="jira",
        base_url="https://acme.atlassian.net",
        api_url="http://127.0.0.1:9/rest/api/2",
        token="a@b.c:tok",
    )
    linked(world, link_url="https://acme.atlassian.net/browse/WEB-12")  # accepted now


def test_connections_are_admins_and_refuse_private_addresses(world: World, settings: Any) -> None:
    with pytest.raises(PermissionDenied):
        connections.connection_set(by=world.owner, tracker="github", base_url="https://x.test")
    with pytest.raises(PermissionDenied):
        connections.connections_list(world.owner)

    def add(url: str) -> dict[str, str]:
        return refusal(
            lambda: connections.connection_set(by=world.admin, tracker="gitlab", base_url=url)
        )

    for url in ("http://10.0.0.5", "http://127.0.0.2:8080", "http://169.254.169.254"):
        assert "private, loopback or link-local" in add(url)["base_url"]
        assert not TrackerConnection.objects.exists()
    problems = refusal(
        lambda: connections.connection_set(by=world.admin, tracker="svn", base_url="", token="a b")
    )
    assert set(problems) == {"tracker", "base_url", "token"}
    problems = refusal(
        lambda: connections.connection_set(
            by=world.admin, tracker="gitlab", base_url="https://git.test", api_url="http://10.0.0.5"
        )
    )
    assert set(problems) == {"api_url"}  # the address Pacer would call
    settings.PACER_OUTBOUND_ALLOW = ["10.0.0.5"]
    connections.connection_set(by=world.admin, tracker="gitlab", base_url="http://10.0.0.5/")
    assert TrackerConnection.objects.get().base_url == "http://10.0.0.5"


def test_the_token_is_encrypted_masked_kept_and_removed(world: World, github: FakeGitHub) -> None:
    row = connect(world, github)
    assert github.token not in row.token_encrypted and row.token_masked == "…6789"
    assert connections.connections_of(world.org.pk)[0].token == github.token
    assert connections.connections_of(world.other_org.pk) == []
    change = {"by": world.admin, "connection": row, "tracker": "github"}
    connections.connection_set(**change, base_url=github.base_url, api_url=github.url, token=None)
    assert connections.connections_of(world.org.pk)[0].token == github.token  # kept
    connections.connection_set(**change, base_url=github.base_url, api_url=github.url, token="")
    assert connections.connections_of(world.org.pk)[0].token == ""
    assert fresh(row).token_masked == ""


def test_an_unreadable_token_fails_the_sync_by_name(world: World, github: FakeGitHub) -> None:
    initiative = synced(world, github)
    TrackerConnection.objects.update(token_encrypted="gAAAAA-not-ours")
    sync.sync_initiative.call(initiative.pk)
    assert "enters it again in Settings" in fresh(initiative).sync_error


# --- Pages -------------------------------------------------------------------------------


def signed_in(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_the_trackers_page_lists_adds_and_refuses_by_field(
    world: World, github: FakeGitHub, django_assert_max_num_queries: Any
) -> None:
    admin = signed_in(world.admin)
    assert 'href="/settings/trackers/"' in admin.get("/settings/").content.decode()
    answer = admin.post(
        "/settings/trackers/", {"tracker": "github", "base_url": "http://10.1.2.3", "token": "t"}
    )
    assert answer.status_code == 422 and not TrackerConnection.objects.exists()
    assert 'id="id_base_url-error"' in answer.content.decode()
    answer = admin.post(
        "/settings/trackers/",
        {"tracker": "github", "base_url": github.base_url, "api_url": github.url,
         "token": github.token},
    )  # fmt: skip
    assert answer.status_code == 302
    for n in range(5):
        TrackerConnection.objects.create(
            organization=world.org, tracker="jira", base_url=f"https://j{n}.test", token_masked="…"
        )
    with django_assert_max_num_queries(8):
        page = admin.get("/settings/trackers/").content.decode()
    assert "…6789" in page and github.token not in page
    row = TrackerConnection.objects.get(tracker="github")
    page = admin.get(f"/settings/trackers/{row.pk}/").content.decode()
    assert github.token not in page and 'name="token" value=""' in page
    assert admin.post(f"/settings/trackers/{row.pk}/delete/").status_code == 302
    assert not TrackerConnection.objects.filter(pk=row.pk).exists()
    member = signed_in(world.owner)
    assert member.get("/settings/trackers/").status_code == 403
    other = TrackerConnection.objects.first()
    assert other is not None
    assert signed_in(world.stranger).get(f"/settings/trackers/{other.pk}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_sync_now_shows_the_counts_or_the_error_and_never_the_token(
    github: FakeGitHub,
) -> None:
    world = make_world()
    connect(world, github)
    initiative = linked(world, key_results=[world.adoption])
    url = f"/initiatives/{initiative.ref}/sync/"
    assert signed_in(world.stranger).post(url).status_code == 404
    assert signed_in(world.outsider).post(url).status_code == 403
    owner = signed_in(world.owner)
    assert owner.get(url).status_code == 405
    page = owner.post(url, follow=True).content.decode()
    assert "Synced: 8 closed, 4 open." in page
    assert "8 closed, 4 open" in page and "Last synced" in page
    github.canned = Reply(401, {"message": f"Bad credentials {github.token}"})
    page = owner.post(url, follow=True).content.decode()
    assert "The sync failed" in page and "refused the credentials" in page
    assert "8 closed, 4 open" in page  # the last good counts stay
    assert github.token not in page


def test_the_bench_syncs_every_initiative_through_the_worker(settings: Any) -> None:
    from pacer.bench import sync as bench

    settings.PACER_OUTBOUND_ALLOW = []  # the bench's own change is undone with the fixture
    result = bench.measure(12, timeout=60)
    assert (result["synced"], result["failed"]) == (12, 0)
    assert Initiative.objects.filter(link_open=1, link_closed=1).exists()  # milestone 1


def test_a_nul_in_a_connection_is_refused_by_name_before_any_query(world: Any) -> None:
    """PostgreSQL refuses NUL in any query: found by the bad-input sweep (a 500)."""
    from pacer.initiatives import connections
    from pacer.initiatives.models import TrackerConnection
    from pacer.okrs.errors import DomainError

    with pytest.raises(DomainError) as refused:
        connections.connection_set(
            by=world.admin, tracker="github", base_url="https://ghe.example.com/\x00", token=""
        )
    assert [f for f, _ in refused.value.problems] == ["base_url"]
    assert not TrackerConnection.objects.exists()
