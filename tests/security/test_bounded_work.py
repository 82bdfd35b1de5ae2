"""Finding 2 of issue 10: one member could lock every other writer out.

Twenty bulks of 500 check-ins, or one check-in at the bottom of a chain of 300 objectives
following one another, held SQLite's write lock for seconds; another person's check-in then
failed with a 500 "database is locked". Now the work one request may cause is bounded (100
items a bulk, 10 links a chain, one roll-up per objective a request), bulk items count
against the rate limit one by one, and a write that cannot get the lock answers 503 with
Retry-After: nothing written, never a 500.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacer import busy
from pacer.okrs import rules, services
from pacer.okrs.errors import DomainError
from pacer.okrs.models import CheckIn, KeyResult, Objective
from pacer.okrs.okrfile.importer import ImportFailed
from tests.api.conftest import ApiClient, World, assert_problem, world  # noqa: F401
from tests.factories import (
    database_state,
    import_yaml,
    line_number,
    make_key_result,
    make_objective,
    refusal,
)

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 5, 1, tzinfo=UTC)


def bulk(kr: str, count: int, first_hour: int = 0) -> dict[str, Any]:
    """`count` check-ins on `kr`, an hour apart (a key result has one check-in a moment)."""
    hours = range(first_hour, first_hour + count)
    return {
        "items": [
            {"key_result": kr, "value": n, "at": (DAY + timedelta(hours=n)).isoformat()}
            for n in hours
        ]
    }


# --- Bulk size -----------------------------------------------------------------------------


def test_a_bulk_of_more_than_100_items_is_refused_naming_items(world: World) -> None:  # noqa: F811
    api = world.client(world.owner)
    before = database_state()
    problem = assert_problem(api.call("POST", "/checkins/bulk", bulk("adoption", 101)), 422)
    assert [e["field"] for e in problem["errors"]] == ["body.items"]
    assert "100" in problem["errors"][0]["message"]
    assert database_state() == before

    items = [services.CheckInInput(world.adoption, Decimal(n), at=DAY) for n in range(101)]
    refused = refusal(lambda: services.checkin_create_many(items=items, author=world.owner))
    assert refused == {"items": "at most 100 check-ins at once, not 101"}

    response = api.call("POST", "/checkins/bulk", bulk("adoption", rules.MAX_BULK_CHECKINS))
    assert response.status_code == 201, response.content
    assert world.adoption.checkins.count() == 1 + rules.MAX_BULK_CHECKINS


# --- Link chains ---------------------------------------------------------------------------


def follow(objective: Objective, followed: Objective) -> KeyResult:
    """A linked key result of `objective` following `followed`, through the service."""
    spec = services.KeyResultSpec(
        title=f"{followed.ref} done", type="linked", linked_objective=followed
    )
    return services.key_result_create(objective=objective, spec=spec)


def chain(world: World, prefix: str, links: int) -> list[Objective]:  # noqa: F811
    """`links + 1` objectives; each one after the first follows the one before it."""
    objectives = [
        make_objective(world.cycle, f"{prefix}-{n}", world.owner, team=world.team)
        for n in range(links + 1)
    ]
    for lower, upper in pairwise(objectives):
        follow(upper, lower)
    return objectives


def test_a_link_may_not_make_a_chain_longer_than_10_links(world: World) -> None:  # noqa: F811
    objectives = chain(world, "c", rules.MAX_LINK_DEPTH)  # the longest chain allowed
    top, bottom = objectives[-1], objectives[0]
    above = make_objective(world.cycle, "above", world.owner, team=world.team)
    below = make_objective(world.cycle, "below", world.owner, team=world.team)

    message = "would make a chain of 11 links of objectives following one another (at most 10)"
    assert message in refusal(lambda: follow(above, top))["linked_objective"]
    assert message in refusal(lambda: follow(bottom, below))["linked_objective"]
    # Joining two chains: 5 links + the new one + 5 links.
    left, right = chain(world, "l", 5), chain(world, "r", 5)
    assert "chain of 11 links" in refusal(lambda: follow(right[0], left[-1]))["linked_objective"]

    # The API names the field; a side branch of the same chain is fine.
    api = world.client(world.owner)
    body = {"title": "Top done", "type": "linked", "linked_objective": top.ref}
    problem = assert_problem(api.call("POST", "/objectives/above/key-results", body), 422)
    assert problem["errors"][0]["field"] == "body.linked_objective"
    body["linked_objective"] = objectives[5].ref
    assert api.call("POST", "/objectives/above/key-results", body).status_code == 201


def test_a_chain_stored_before_the_limit_keeps_its_links_but_grows_no_longer(
    world: World,  # noqa: F811
) -> None:
    objectives = [
        make_objective(world.cycle, f"old-{n}", world.owner, team=world.team) for n in range(13)
    ]
    links = [
        make_key_result(upper, f"old-link-{n}", type="linked", linked_objective=lower)
        for n, (lower, upper) in enumerate(pairwise(objectives))
    ]
    # Editing a link that stays as it is is not refused...
    kr = links[5]
    edited = services.key_result_update(
        key_result=kr, spec=services.key_result_spec(kr, title="Renamed")
    )
    assert edited.title == "Renamed"
    # ...but pointing it elsewhere on the long chain is.
    spec = services.key_result_spec(kr, linked_objective=objectives[4])
    problems = refusal(lambda: services.key_result_update(key_result=kr, spec=spec))
    assert "at most 10" in problems["linked_objective"]


def test_the_importer_applies_the_same_chain_limit(world: World, tmp_path: Path) -> None:  # noqa: F811
    lines = [
        "organization: Chains",
        "people:",
        "  - {email: ada@chains.test, name: Ada, admin: true}",
        "cycles:",
        "  - {ref: q, name: Q, start: 2026-04-01, end: 2026-06-30}",
        "objectives:",
    ]
    for n in range(12):  # 11 links
        key_result = (
            f"{{ref: kr-{n}, title: Follows, type: linked, objective: o-{n - 1}}}"
            if n
            else "{ref: kr-0, title: Metric, type: metric, start: 0, target: 1}"
        )
        lines += [
            f"  - {{ref: o-{n}, title: Objective {n}, cycle: q, owner: ada@chains.test,",
            f"     key_results: [{key_result}]}}",
        ]
    text = "\n".join(lines) + "\n"
    with pytest.raises(ImportFailed) as failure:
        import_yaml(tmp_path, text)
    message = str(failure.value)
    assert "chain of 11 links" in message
    assert f":{line_number(text, 'ref: kr-1,')}:" in message  # every link of the chain
    assert not Objective.objects.filter(ref="o-0").exists()


# --- One roll-up per objective and request ---------------------------------------------------


def objective_updates(queries: CaptureQueriesContext) -> int:
    return sum(q["sql"].startswith('UPDATE "okrs_objective"') for q in queries.captured_queries)


def test_a_bulk_on_one_chain_refreshes_each_objective_once(world: World) -> None:  # noqa: F811
    objectives = chain(world, "c", rules.MAX_LINK_DEPTH)
    metrics = [make_key_result(o, f"m-{o.ref}", target=100) for o in objectives]
    # 45 items on the bottom metric, then one on each objective's metric from the top down
    # (the order in which a walk per item would redo the most).
    items = [
        services.CheckInInput(metrics[0], Decimal(n), at=DAY + timedelta(hours=n))
        for n in range(45)
    ]
    items += [services.CheckInInput(m, Decimal(50), at=DAY) for m in reversed(metrics[1:])]
    with CaptureQueriesContext(connection) as queries:
        created = services.checkin_create_many(items=items, author=world.owner)
    assert len(created) == len(items)
    assert objective_updates(queries) == len(objectives)  # each once, bottom to top
    assert KeyResult.objects.get(pk=metrics[0].pk).current == 44  # the latest `at` wins
    call_command("recompute", "--check")  # every stored number as a full recomputation says
    top = Objective.objects.get(pk=objectives[-1].pk)
    assert 0 < top.progress < 1


def test_a_refused_bulk_item_still_writes_nothing(world: World) -> None:  # noqa: F811
    objectives = chain(world, "c", 3)
    metric = make_key_result(objectives[0], "bottom", target=100)
    items = [
        services.CheckInInput(metric, Decimal(n), at=DAY + timedelta(hours=n)) for n in range(5)
    ]
    items.append(services.CheckInInput(metric, Decimal(1), at=datetime(2999, 1, 1, tzinfo=UTC)))
    problems = refusal(lambda: services.checkin_create_many(items=items, author=world.owner))
    assert list(problems) == ["items[5].at"]


# --- Rate limit counts items -----------------------------------------------------------------


@pytest.fixture
def rates(settings: Any) -> Iterator[Any]:
    cache.clear()
    settings.PACER_API_RATES = {"auth": "10/min", "anon": "off"}
    yield settings
    cache.clear()


def test_each_bulk_item_counts_against_the_rate_limit(world: World, rates: Any) -> None:  # noqa: F811
    api = world.client(world.owner)
    assert api.call("POST", "/checkins/bulk", bulk("adoption", 8)).status_code == 201
    before = database_state()
    refused = api.call("POST", "/checkins/bulk", bulk("adoption", 3))  # 8 + 3 > 10
    problem = assert_problem(refused, 429)
    assert problem["type"] == "urn:pacer:problem:too-many-requests"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert database_state() == before
    # The refused bulk cost one request (9 of 10): one more request fits, then none.
    assert api.call("GET", "/organization").status_code == 200
    assert api.call("GET", "/organization").status_code == 429
    # Another person has their own budget.
    other = world.client(world.teammate)
    assert other.call("POST", "/checkins/bulk", bulk("adoption", 10, 24)).status_code == 201


# --- A busy database: 503 with Retry-After, nothing written -----------------------------------


class WriteLock:
    """Another connection holding the database's write lock (SQLite: BEGIN IMMEDIATE), or
    the objectives' rows (PostgreSQL: an EXCLUSIVE lock on the table), until released."""

    def __init__(self) -> None:
        self.taken, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self.hold, daemon=True)

    def hold(self) -> None:
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            other = sqlite3.connect(settings["NAME"], uri=True, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
        else:
            import psycopg

            other = psycopg.connect(
                dbname=settings["NAME"],
                user=settings["USER"],
                password=settings["PASSWORD"],
                host=settings["HOST"],
                port=settings["PORT"],
            )
            other.execute("LOCK TABLE okrs_objective IN EXCLUSIVE MODE")
        self.taken.set()
        self.release.wait(60)
        other.rollback()
        other.close()

    def __enter__(self) -> WriteLock:
        self.thread.start()
        assert self.taken.wait(30)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(30)


@pytest.fixture
def short_lock_wait() -> Iterator[None]:
    """The configured wait (30 s) made short for the test; production's value is asserted."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            assert connection.settings_dict["OPTIONS"]["timeout"] == 30
            cursor.execute("PRAGMA busy_timeout = 200")
        else:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "30s"
            cursor.execute("SET lock_timeout = '200ms'")
    yield
    with connection.cursor() as cursor:
        cursor.execute(
            "PRAGMA busy_timeout = 30000" if connection.vendor == "sqlite" else "RESET lock_timeout"
        )


@pytest.mark.django_db(transaction=True)
def test_a_busy_database_answers_503_with_retry_after_and_writes_nothing(
    world: World,  # noqa: F811
    short_lock_wait: None,
) -> None:
    api = world.client(world.owner)
    assert api.call("GET", "/organization").status_code == 200  # the token's last use is noted
    web = Client()
    web.force_login(world.teammate)
    before = database_state()
    with WriteLock():
        refused = api.call("POST", "/key-results/adoption/checkins", {"value": 45})
        page = web.post(
            reverse("key_result_checkin", args=["delivery", "adoption"]),
            {f"kr{world.adoption.pk}-value": "46"},
        )
        bulk_refused = api.call("POST", "/checkins/bulk", bulk("adoption", 3))
    problem = assert_problem(refused, 503)
    assert problem["type"] == "urn:pacer:problem:busy"
    assert refused["Retry-After"] == str(busy.RETRY_AFTER_SECONDS)
    assert assert_problem(bulk_refused, 503)["status"] == 503
    assert page.status_code == 503
    assert page["Retry-After"] == str(busy.RETRY_AFTER_SECONDS)
    assert "Nothing was saved" in page.content.decode()
    assert database_state() == before

    # Once the lock is released, the same request goes through.
    response = api.call("POST", "/key-results/adoption/checkins", {"value": 45})
    assert response.status_code == 201, response.content
    assert CheckIn.objects.filter(key_result=world.adoption).count() == 2


def test_only_lock_errors_count_as_busy(tmp_path: Path) -> None:
    """A real "database is locked" from a SQLite file, as Django raises it, is busy; any other
    database error is a bug (a 500)."""
    path = tmp_path / "busy.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(path, timeout=0, isolation_level=None)

    def wrapped(statement: str) -> OperationalError:
        try:
            waiter.execute(statement)
        except sqlite3.OperationalError as error:
            django_error = OperationalError(*error.args)
            django_error.__cause__ = error
            return django_error
        raise AssertionError(f"{statement} did not fail")

    assert busy.is_busy(wrapped("BEGIN IMMEDIATE"))
    assert not busy.is_busy(wrapped("SELECT * FROM missing"))
    assert not busy.is_busy(DomainError("is required", "value"))
    holder.close()
    waiter.close()
