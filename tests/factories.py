"""Builders shared by the OKR tests.

Two ways to build data: small ORM builders (`make_*`) for tests of services and selectors,
and OKR files (`import_yaml`) for tests of the importer, the exporter and the CLI. Check-ins
always go through `services.checkin_create`, so stored progress is what the product stores.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.core.management import call_command

from pacer.accounts.models import User
from pacer.okrs import rollup, services
from pacer.okrs.errors import DomainError
from pacer.okrs.models import (
    Alignment,
    CheckIn,
    Cycle,
    KeyResult,
    Membership,
    Milestone,
    Objective,
    Organization,
    Team,
)
from pacer.okrs.okrfile.importer import ImportReport, import_file

FIXTURES = Path(__file__).parent / "fixtures"
ISSUE_EXAMPLE = FIXTURES / "issue_example.yaml"
ALL_TYPES = FIXTURES / "all_types.yaml"

# Every table an import or a check-in may write, parents before children.
MODELS = (
    Organization,
    User,
    Team,
    Membership,
    Cycle,
    Objective,
    Alignment,
    KeyResult,
    Milestone,
    CheckIn,
)


def D(value: object) -> Decimal:
    return Decimal(str(value))


def midnight(day: date) -> datetime:
    """A date as the moment an OKR file means by it: midnight UTC."""
    return datetime.combine(day, time.min, tzinfo=UTC)


# --- ORM builders ------------------------------------------------------------------------


def make_organization(name: str = "Acme", **fields: Any) -> Organization:
    return Organization.objects.create(name=name, **fields)


def make_person(
    organization: Organization | None, email: str, *, name: str = "", admin: bool = False
) -> User:
    role = User.Role.ADMIN if admin else User.Role.MEMBER
    return User.objects.create_user(
        email, name=name or email.split("@")[0].title(), organization=organization, role=role
    )


def make_team(
    organization: Organization,
    ref: str,
    *,
    members: tuple[User, ...] = (),
    leads: tuple[User, ...] = (),
    parent: Team | None = None,
) -> Team:
    team = Team.objects.create(organization=organization, ref=ref, name=ref.title(), parent=parent)
    for person in members:
        Membership.objects.create(team=team, person=person, is_lead=person in leads)
    return team


def make_cycle(
    organization: Organization, ref: str, start: date, end: date, *, state: str = "active"
) -> Cycle:
    return Cycle.objects.create(
        organization=organization, ref=ref, name=ref.upper(), start=start, end=end, state=state
    )


def make_objective(
    cycle: Cycle,
    ref: str,
    owner: User,
    *,
    team: Team | None = None,
    visibility: str = "public",
    kind: str = "aspirational",
    **fields: Any,
) -> Objective:
    fields.setdefault("forecast_progress", Decimal(0))  # no key results: as the roll-up says
    return Objective.objects.create(
        organization=cycle.organization,
        cycle=cycle,
        ref=ref,
        title=fields.pop("title", ref.replace("-", " ").capitalize()),
        owner=owner,
        team=team,
        visibility=visibility,
        kind=kind,
        **fields,
    )


def make_key_result(
    objective: Objective, ref: str, type: str = "metric", **fields: Any
) -> KeyResult:
    """A key result; a metric runs from 0 to 100 unless told otherwise."""
    if type == "metric":
        fields.setdefault("start", Decimal(0))
        fields.setdefault("target", Decimal(100))
    kr = KeyResult.objects.create(
        organization=objective.organization,
        objective=objective,
        ref=ref,
        title=fields.pop("title", ref.replace("-", " ").capitalize()),
        type=type,
        **fields,
    )
    # A new key result stands at its derived values (a metric's current is its start).
    rollup.refresh_after_change(kr)
    kr.refresh_from_db()
    return kr


def make_milestones(kr: KeyResult, *items: tuple[str, object, bool]) -> list[Milestone]:
    return [
        Milestone.objects.create(
            key_result=kr, title=title, weight=D(weight), done=done, position=i
        )
        for i, (title, weight, done) in enumerate(items)
    ]


def check_in(
    kr: KeyResult, value: object, on: date | datetime, *, confidence: str = "", **fields: Any
) -> CheckIn:
    at = on if isinstance(on, datetime) else midnight(on)
    return services.checkin_create(
        key_result=kr,
        value=None if value is None else D(value),
        confidence=confidence,
        at=at,
        **fields,
    )


def fresh(obj: Any) -> Any:
    """The row as stored now."""
    return type(obj).objects.get(pk=obj.pk)


# --- The shared world --------------------------------------------------------------------


@dataclass
class World:
    """The people and OKRs of permission and service tests, one cast for every suite.

    Acme: `admin` administers it; `owner` leads the platform team, where `teammate` is a
    member; `outsider` is a member in no team. In 2026-Q2 (`cycle`, active) the platform
    team has a public objective (`public`, "Deliver faster", whose metric `adoption` runs
    0 -> 90 % and holds one check-in of 30) and a private one (`private`, "Buy Initech",
    with `secret_kr`). Globex (`other_org`) is another organization: `stranger` is its admin
    and owns its public objective `foreign`.
    """

    org: Organization
    admin: User
    owner: User
    teammate: User
    outsider: User
    team: Team
    cycle: Cycle
    public: Objective
    private: Objective
    adoption: KeyResult
    secret_kr: KeyResult
    other_org: Organization
    stranger: User
    foreign: Objective


W = TypeVar("W", bound=World)


def make_world(cls: type[W] = World) -> W:  # type: ignore[assignment]
    """Build the shared world; `cls` may be a subclass that adds helpers (an API client)."""
    org = make_organization("Acme")
    admin = make_person(org, "admin@acme.test", admin=True)
    owner = make_person(org, "owner@acme.test")
    teammate = make_person(org, "teammate@acme.test")
    outsider = make_person(org, "outsider@acme.test")
    team = make_team(org, "platform", members=(owner, teammate), leads=(owner,))
    cycle = make_cycle(org, "2026-q2", date(2026, 4, 1), date(2026, 6, 30))
    public = make_objective(cycle, "delivery", owner, team=team, title="Deliver faster")
    private = make_objective(
        cycle, "secret-merger", owner, team=team, visibility="private", title="Buy Initech"
    )
    adoption = make_key_result(public, "adoption", target=90, unit="%")
    secret_kr = make_key_result(private, "secret-kr", title="Sign the term sheet")
    check_in(adoption, 30, date(2026, 4, 20))
    other_org = make_organization("Globex")
    stranger = make_person(other_org, "xavier@globex.test", admin=True)
    other_cycle = make_cycle(other_org, "globex-2026-q2", date(2026, 4, 1), date(2026, 6, 30))
    foreign = make_objective(other_cycle, "globex-plan", stranger, title="Globex plan")
    return cls(
        org=org,
        admin=admin,
        owner=owner,
        teammate=teammate,
        outsider=outsider,
        team=team,
        cycle=cycle,
        public=public,
        private=private,
        adoption=adoption,
        secret_kr=secret_kr,
        other_org=other_org,
        stranger=stranger,
        foreign=foreign,
    )


# --- OKR files ---------------------------------------------------------------------------


def write_file(directory: Path, text: str, name: str = "okrs.yaml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def import_yaml(
    directory: Path, text: str, *, dry_run: bool = False, name: str = "okrs.yaml"
) -> ImportReport:
    return import_file(str(write_file(directory, text, name)), dry_run=dry_run)


def import_fixture(path: Path = ISSUE_EXAMPLE) -> ImportReport:
    return import_file(str(path))


def line_number(text: str, needle: str) -> int:
    """The 1-based line of the one line of `text` that contains `needle`."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(found) == 1, f"{needle!r} is on lines {found}"
    return found[0]


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


# --- Commands and exports ----------------------------------------------------------------


def run_command(name: str, *args: str, **options: Any) -> str:
    """call_command, returning what the command wrote to stdout."""
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def export_text(fmt: str = "json", *args: str) -> str:
    return run_command("export", "--format", fmt, *args)


def export_json(*args: str, as_of: str = "2026-11-15") -> dict[str, Any]:
    return json.loads(export_text("json", "--as-of", as_of, *args))


def objectives_by_ref(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["ref"]: o for o in document["objectives"]}


def key_results_by_ref(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {kr["ref"]: kr for o in document["objectives"] for kr in o["key_results"]}


def database_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of every OKR table, to prove that a refused write changed nothing."""
    return {
        model.__name__: [dict(row) for row in model.objects.order_by("pk").values()]
        for model in MODELS
    }


def refusal(call: Callable[[], object]) -> dict[str, str]:
    """Call a write that must be refused: its problems as {field: message}. The call must
    raise DomainError and leave every row as it was."""
    before = database_state()
    with pytest.raises(DomainError) as refused:
        call()
    assert database_state() == before, "a refused write wrote something"
    return dict(refused.value.problems)


def full_snapshot() -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """The rows and a full JSON export of every organization (computed fields included)."""
    exports = [
        export_text("json", "--as-of", "2026-11-15", "--organization", org.name)
        for org in Organization.objects.order_by("name")
    ]
    return database_state(), exports


def wipe_database() -> None:
    """Delete every organization and person, children first (most relations PROTECT)."""
    from pacer.kpis.models import KPI  # KPIs are not in the OKR file: nothing to keep

    KPI.objects.all().delete()  # with their values and follows
    CheckIn.objects.all().delete()
    Milestone.objects.all().delete()
    KeyResult.objects.all().delete()
    Alignment.objects.all().delete()
    Objective.objects.all().delete()
    Membership.objects.all().delete()
    Team.objects.update(parent=None)
    Team.objects.all().delete()
    Cycle.objects.all().delete()
    User.objects.all().delete()
    Organization.objects.all().delete()


# --- The real console script -------------------------------------------------------------


def pacer_executable() -> list[str]:
    script = shutil.which("pacer", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "pacer"]


def run_pacer(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `pacer ARGS` in a subprocess on its own SQLite database in `data_dir`.

    The subprocess cannot see the test database, so callers run `migrate` first.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(PACER_DATA_DIR=str(data_dir), DEBUG="1", DJANGO_SETTINGS_MODULE="pacer.settings")
    return subprocess.run(
        [*pacer_executable(), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- Commands ------------------------------------------------------------------------------


def run_argv(capsys: Any, name: str, *args: str) -> tuple[int, str, str]:
    """`pacer NAME ARGS` as the console script runs it: its exit code, stdout and stderr.

    From its argv, not through ManagementUtility.execute(): that calls django.setup() again,
    which rebuilds the logging handlers on capsys's stream, closed after the test (later
    tests that read the log then failed). run_from_argv() closes every database connection
    as it ends, as a process about to exit should; here that connection holds the test's
    transaction (PostgreSQL then answers "the connection is closed"), so it stays open."""
    from unittest import mock

    from django.core.management import ManagementUtility

    argv = ["pacer", name, *args]
    code = 0
    try:
        with mock.patch("django.core.management.base.connections.close_all"):
            ManagementUtility(argv).fetch_command(name).run_from_argv(argv)
    except SystemExit as stop:
        code = int(stop.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err
