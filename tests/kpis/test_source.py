"""A KPI fed by a data source (docs/kpis.md, "A KPI fed by a data source"): a run adds a
value by the source, which flows to a following key result; the same value writes
nothing; an archived KPI is a failed run; the schedule picks KPI sources up."""

import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from pacer.datasources import services as sources
from pacer.datasources import tasks
from pacer.kpis import services
from pacer.kpis.models import KPI, KPIValue
from pacer.kpis.services import KPISpec
from pacer.okrs.errors import DomainError
from tests.factories import World

QUERY = "SELECT count(*) FROM signups WHERE plan = 'team'"


@pytest.fixture
def warehouse(tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "metrics.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE signups (id INTEGER PRIMARY KEY, plan TEXT)")
        connection.executemany("INSERT INTO signups (plan) VALUES (?)", [("team",), ("team",)])
    connection.close()
    settings.PACER_SQL_SOURCES = {"warehouse": f"sqlite:///{path}"}
    return path


def teams_kpi(world: World) -> KPI:
    spec = KPISpec(name="Team plans", owner=world.owner, kind="stay_above", threshold=Decimal(1))
    return services.kpi_create(organization=world.org, spec=spec)


def test_a_run_adds_a_value_by_the_source(world: World, warehouse: Path) -> None:
    kpi = teams_kpi(world)
    source = sources.kpi_source_set(
        kpi=kpi, by=world.owner, kind="sql", database="warehouse", query=QUERY
    )
    assert list(tasks.due(timezone.now())) == [source]
    run = sources.run_source(source.pk)
    assert run is not None and run.ok and run.outcome == "value written"
    value = KPIValue.objects.get()
    assert (value.value, value.author, value.from_source) == (2, None, True)
    assert value.note.startswith("From SQL warehouse: SELECT count(*)")
    again = sources.run_source(source.pk)
    assert again is not None and again.outcome == "unchanged: no value"
    kpi.refresh_from_db()
    assert kpi.current == 2 and kpi.status == "healthy"


def test_an_archived_kpi_is_a_failed_run_and_not_scheduled(world: World, warehouse: Path) -> None:
    kpi = teams_kpi(world)
    source = sources.kpi_source_set(
        kpi=kpi, by=world.owner, kind="sql", database="warehouse", query=QUERY
    )
    services.kpi_archive(kpi=kpi)
    assert list(tasks.due(timezone.now())) == []
    run = sources.run_source(source.pk)
    assert run is not None and not run.ok and not KPIValue.objects.exists()


def test_only_its_changers_set_the_source(world: World, warehouse: Path) -> None:
    kpi = teams_kpi(world)
    with pytest.raises(PermissionDenied):
        sources.kpi_source_set(
            kpi=kpi, by=world.outsider, kind="sql", database="warehouse", query=QUERY
        )
    with pytest.raises(DomainError):
        sources.kpi_source_set(kpi=kpi, by=world.owner, kind="sql", database="nowhere", query=QUERY)


def test_a_following_key_result_takes_no_source(world: World, warehouse: Path) -> None:
    services.kpi_follow(key_result=world.adoption, kpi=teams_kpi(world))
    with pytest.raises(DomainError):
        sources.source_set(
            key_result=world.adoption, by=world.owner, kind="sql", database="warehouse", query=QUERY
        )
