"""Key results fed by data sources: setting a source (metric key results only, by the people
who may check in, validated by field with nothing written), previewing it, and runs that
write a check-in by the source only when the value changed inside the key result's window,
logging every run and never crashing."""

import json
import sqlite3
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from pacer import secretbox
from pacer.datasources import services, tasks
from pacer.datasources.models import KEPT_RUNS, DataSource, SourceRun
from pacer.okrs.models import CheckIn, KeyResult
from tests.factories import World, fresh, make_key_result, refusal

pytestmark = pytest.mark.django_db


def http_source(world: World, receiver: Any, body: object, **config: Any) -> DataSource:
    receiver.documents["/metric"] = (200, json.dumps(body).encode())
    return services.source_set(
        key_result=world.adoption,
        by=world.owner,
        kind="http_json",
        url=f"{receiver.url}/metric",
        jsonpath="$.value",
        **config,
    )


def source_checkins(kr: KeyResult) -> list[CheckIn]:
    return list(kr.checkins.filter(author=None, note__startswith="From ").order_by("at", "id"))


def test_a_run_writes_one_checkin_by_the_source_with_where_it_came_from(
    world: World, http_receiver: Any
) -> None:
    source = http_source(world, http_receiver, {"value": 42.5})
    run = services.run_source(source.pk)
    assert run is not None and run.ok and run.value == Decimal("42.5")
    [checkin] = source_checkins(world.adoption)
    assert run.checkin == checkin and checkin.value == Decimal("42.5")
    assert checkin.note == f"From GET {http_receiver.url}/metric → $.value = 42.5"
    assert fresh(world.adoption).current == Decimal("42.5")
    source = fresh(source)
    assert source.last_value == Decimal("42.5") and source.failures == 0
    assert source.next_run_at > timezone.now() + timedelta(minutes=59)


def test_a_second_run_with_the_same_value_writes_no_checkin_but_is_logged(
    world: World, http_receiver: Any
) -> None:
    source = http_source(world, http_receiver, {"value": 42.5})
    services.run_source(source.pk)
    second = services.run_source(source.pk)
    assert second is not None and second.ok and second.checkin is None
    assert second.outcome == "unchanged: no check-in"
    assert len(source_checkins(world.adoption)) == 1
    assert source.runs.count() == 2


def test_a_value_a_person_already_checked_in_writes_nothing(
    world: World, http_receiver: Any
) -> None:
    source = http_source(world, http_receiver, {"value": 30})  # the world's check-in is 30
    run = services.run_source(source.pk)
    assert run is not None and run.checkin is None and not source_checkins(world.adoption)


def test_a_run_outside_the_key_results_window_writes_none_but_logs_the_run(
    world: World, http_receiver: Any
) -> None:
    KeyResult.objects.filter(pk=world.adoption.pk).update(
        due=timezone.localdate() - timedelta(days=1)
    )
    source = http_source(world, http_receiver, {"value": 50})
    run = services.run_source(source.pk)
    assert run is not None and run.ok and run.value == 50 and run.checkin is None
    assert run.outcome.startswith("not recorded: today lies outside the key result's window")
    assert not source_checkins(world.adoption)


def test_a_closed_cycle_is_a_failed_run_not_a_crash(world: World, http_receiver: Any) -> None:
    source = http_source(world, http_receiver, {"value": 50})
    world.cycle.state = "closed"
    world.cycle.save(update_fields=["state"])
    run = services.run_source(source.pk)
    assert run is not None and not run.ok and "closed" in run.error
    assert not source_checkins(world.adoption)
    assert not tasks.due(timezone.now() + timedelta(days=1)).exists()


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ((500, b"{}"), "the server answered HTTP 500"),
        ((200, b"<html>"), "the answer is not JSON"),
        ((200, b'{"other": 1}'), "$.value matches nothing in the answer"),
        ((200, b'{"value": "high"}'), "not a number"),
        ((200, b'{"value": 1e20}'), "too large for a key result"),
    ],
)
def test_failures_are_logged_and_backed_off_never_raised(
    world: World, http_receiver: Any, answer: tuple[int, bytes], error: str
) -> None:
    source = http_source(world, http_receiver, {"value": 1})
    http_receiver.documents["/metric"] = answer
    first = services.run_source(source.pk)
    second = services.run_source(source.pk)
    assert first is not None and second is not None and not first.ok
    assert error in first.error and second.error == first.error
    source = fresh(source)
    assert source.failures == 2 and error in source.last_error
    assert source.next_run_at == second.at + timedelta(minutes=61)  # the interval, a backoff
    assert not source_checkins(world.adoption)


def test_values_are_rounded_to_the_fields_places(world: World, http_receiver: Any) -> None:
    source = http_source(world, http_receiver, {"value": 1.23456789})
    run = services.run_source(source.pk)
    assert run is not None and run.value == Decimal("1.234568")
    assert services.fitted(Decimal("123456789012.3456789")) == Decimal("123456789012.346")


def test_an_sql_source_reads_its_one_number(world: World, metrics_db: Path) -> None:
    source = services.source_set(
        key_result=world.adoption,
        by=world.owner,
        kind="sql",
        database="warehouse",
        query="SELECT count(*) FROM signups WHERE plan = 'team'",
    )
    run = services.run_source(source.pk)
    assert run is not None and run.ok and run.value == 2
    [checkin] = source_checkins(world.adoption)
    assert checkin.note.startswith("From SQL warehouse: SELECT count(*)")


@pytest.mark.parametrize(
    "query",
    [
        "DELETE FROM signups",
        "UPDATE signups SET plan = 'x'",
        "SELECT 1; DROP TABLE signups",
        "WITH d AS (DELETE FROM signups RETURNING id) SELECT count(*) FROM d",
    ],
)
def test_sql_write_statements_are_refused_by_name(
    world: World, metrics_db: Path, query: str
) -> None:
    problems = refusal(
        lambda: services.source_set(
            key_result=world.adoption, by=world.owner, kind="sql", database="warehouse", query=query
        )
    )
    assert set(problems) == {"query"}
    with sqlite3.connect(metrics_db) as connection:
        assert connection.execute("SELECT count(*) FROM signups").fetchone() == (3,)


def test_a_private_url_is_refused_by_name(world: World) -> None:
    problems = refusal(
        lambda: services.source_set(
            key_result=world.adoption,
            by=world.owner,
            kind="http_json",
            url="http://169.254.169.254/latest/meta-data",
            jsonpath="$.v",
        )
    )
    assert list(problems) == ["url"]


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"kind": "ftp"}, "kind"),
        ({"kind": "http_json", "url": "https://93.184.215.14/m", "jsonpath": "$["}, "jsonpath"),
        ({"kind": "sql", "database": "nowhere", "query": "SELECT 1"}, "database"),
        ({"kind": "tracker", "url": "https://github.com/acme/web/milestone/3"}, "count"),
        ({"kind": "tracker", "url": "https://example.com/x", "count": "open"}, "url"),
        (
            {"kind": "http_json", "url": "https://93.184.215.14/m", "jsonpath": "$.v",
             "interval_minutes": 1},
            "interval_minutes",
        ),
        ({"kind": "http_json", "url": "https://93.184.215.14/m\x00", "jsonpath": "$.v"}, "url"),
    ],
)  # fmt: skip
def test_bad_configurations_are_refused_by_field_writing_nothing(
    world: World, config: dict[str, Any], field: str
) -> None:
    problems = refusal(
        lambda: services.source_set(key_result=world.adoption, by=world.owner, **config)
    )
    assert list(problems) == [field]


def test_only_metric_key_results_take_a_source(world: World) -> None:
    done = make_key_result(world.public, "shipped", type="boolean", title="Shipped")
    problems = refusal(
        lambda: services.source_set(
            key_result=done,
            by=world.owner,
            kind="http_json",
            url="https://93.184.215.14/m",
            jsonpath="$.v",
        )
    )
    assert list(problems) == ["type"]


def test_only_people_who_may_check_in_set_preview_run_or_remove(
    world: World, http_receiver: Any
) -> None:
    config = {"kind": "http_json", "url": "https://93.184.215.14/m", "jsonpath": "$.v"}
    for person in (world.outsider, world.stranger):
        with pytest.raises(PermissionDenied):
            services.source_set(key_result=world.adoption, by=person, **config)
        with pytest.raises(PermissionDenied):
            services.source_preview(key_result=world.adoption, by=person, **config)
    source = services.source_set(key_result=world.adoption, by=world.teammate, **config)
    with pytest.raises(PermissionDenied):
        services.source_run_now(source=source, by=world.outsider)
    with pytest.raises(PermissionDenied):
        services.source_remove(source=source, by=world.outsider)
    services.source_remove(source=source, by=world.teammate)
    assert not DataSource.objects.exists()


def test_the_url_and_headers_are_stored_encrypted_and_kept_when_not_given_again(
    world: World, http_receiver: Any
) -> None:
    url = f"{http_receiver.url}/metric?token=s3cret-token"
    http_receiver.documents["/metric?token=s3cret-token"] = (200, b'{"value": 7}')
    source = services.source_set(
        key_result=world.adoption,
        by=world.owner,
        kind="http_json",
        url=url,
        jsonpath="$.value",
        headers={"Authorization": "Bearer hunter2-hunter2"},
    )
    stored = DataSource.objects.values().get(pk=source.pk)
    assert "s3cret" not in json.dumps(stored, default=str)
    assert "hunter2" not in json.dumps(stored, default=str)
    assert secretbox.decrypt(source.url_encrypted) == url
    assert source.url_masked == "http://127.0.0.1/…oken" and source.header_names == [
        "Authorization"
    ]
    again = services.source_set(
        key_result=world.adoption, by=world.owner, kind="http_json", jsonpath="$.value"
    )
    assert secretbox.decrypt(again.url_encrypted) == url and again.header_names == ["Authorization"]
    run = services.run_source(source.pk)
    assert run is not None and run.ok and "s3cret" not in run.detail
    assert http_receiver.received[-1].headers["Authorization"] == "Bearer hunter2-hunter2"


def test_preview_reads_without_writing_and_names_the_field_of_a_failure(
    world: World, http_receiver: Any
) -> None:
    http_receiver.documents["/metric"] = (200, b'{"value": 12}')
    config = {"kind": "http_json", "url": f"{http_receiver.url}/metric"}
    reading = services.source_preview(
        key_result=world.adoption, by=world.owner, jsonpath="$.value", **config
    )
    assert reading.value == 12 and "$.value = 12" in reading.detail
    assert refusal(
        lambda: services.source_preview(
            key_result=world.adoption, by=world.owner, jsonpath="$.missing", **config
        )
    ) == {"jsonpath": f"GET {http_receiver.url}/metric: $.missing matches nothing in the answer"}
    http_receiver.documents["/metric"] = (503, b"")
    problems = refusal(
        lambda: services.source_preview(
            key_result=world.adoption, by=world.owner, jsonpath="$.value", **config
        )
    )
    assert list(problems) == ["url"] and "HTTP 503" in problems["url"]


def test_the_sync_log_keeps_the_last_runs(
    world: World, http_receiver: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("pacer.datasources.services.KEPT_RUNS", 3)
    source = http_source(world, http_receiver, {"value": 1})
    for _ in range(5):
        services.run_source(source.pk)
    assert source.runs.count() == 3
    assert KEPT_RUNS == 200


def test_a_run_of_a_configuration_changed_meanwhile_is_dropped(
    world: World, http_receiver: Any
) -> None:
    source = http_source(world, http_receiver, {"value": 5})
    assert services.record(source.pk, source.updated_at - timedelta(seconds=1)) is None
    assert not SourceRun.objects.exists()


def test_the_schedule_queues_due_sources_once(
    world: World, http_receiver: Any, monkeypatch: Any
) -> None:
    source = http_source(world, http_receiver, {"value": 5})
    queued: list[int] = []
    monkeypatch.setattr(tasks, "enqueue", lambda task, *args: queued.append(args[0] if args else 0))
    assert tasks.has_work()
    assert tasks.run_due_sources.call() == 1 and queued == [source.pk]
    assert not tasks.has_work() and tasks.run_due_sources.call() == 0
    assert tasks.run_source_task.call(source.pk) is True
    assert len(source_checkins(world.adoption)) == 1
