"""The bench organization: a company of a chosen size, the same for the same seed and day.

Everything is drawn from one `random.Random(seed)` in a fixed order. Rows are written with
explicit keys in bulk (`bulk.insert`), and the stored numbers (current value, confidence,
progress of key results and objectives, final scores of closed cycles) are computed in
Python with the engine's own functions (`rollup.derive_key_result`,
`progress.objective_progress`) while generating, so `pacer recompute --check` passes.

The work behind the key results (initiatives, their tasks and status updates, issue 13) is
drawn from a second `random.Random` of the same seed after the OKR rows are planned, so the
OKR rows are the same as before initiatives existed; each initiative's q and the progress
of the key results of type `initiatives` it feeds are computed with the engine's
`initiative_progress` and `mean_initiative_progress`.
"""

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils.text import slugify

from pacer.accounts.models import User, server_time_zone
from pacer.bench import bulk
from pacer.initiatives import impacts
from pacer.initiatives.models import Initiative, StatusUpdate, Task
from pacer.okrs import progress as engine
from pacer.okrs import rollup
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

DEFAULT_NAME = "Pacer Bench"
BENCH_PASSWORD = "pacer-bench"
TEAM_DEPTH = 5
SIX = Decimal("0.000001")


@dataclass(frozen=True)
class Scale:
    name: str
    people: int
    teams: int
    objectives: int
    key_results: int
    checkins: int
    import_objectives: int  # size of the OKR file `bench run` imports


SCALES = {
    "tiny": Scale("tiny", 12, 6, 30, 120, 1_000, 20),
    "small": Scale("small", 50, 8, 250, 1_000, 10_000, 1_000),
    "medium": Scale("medium", 500, 60, 2_500, 10_000, 100_000, 10_000),
    "large": Scale("large", 5_000, 600, 25_000, 100_000, 1_000_000, 10_000),
}

# Key result types, weighted: linked ones only where the objective has aligned children.
# An `initiatives` key result is fed by the generated work (one no initiative chose stays 0).
KR_TYPE_WEIGHTS = {
    engine.METRIC: 45,
    engine.BOOLEAN: 10,
    engine.MILESTONES: 10,
    engine.STAY_ABOVE: 8,
    engine.STAY_BELOW: 8,
    engine.RANGE: 8,
    engine.LINKED: 11,
    engine.INITIATIVES: 6,
}
CONFIDENCES = [engine.ON_TRACK] * 6 + [engine.AT_RISK] * 2 + [engine.OFF_TRACK, ""]
VERBS = ["Improve", "Grow", "Reduce", "Launch", "Scale", "Simplify", "Win", "Deliver"]
TOPICS = [
    "onboarding",
    "checkout conversion",
    "release cadence",
    "customer satisfaction",
    "infrastructure cost",
    "support backlog",
    "partner revenue",
    "hiring pipeline",
    "mobile retention",
    "data quality",
    "security posture",
    "enterprise pipeline",
]
AREAS = ["Product", "Engineering", "Sales", "Marketing", "Operations", "Finance", "People"]
FIRST = ["Ada", "Ben", "Chloé", "Dev", "Ema", "Finn", "Gia", "Hugo", "Ines", "Jon", "Kai", "Lea"]
# Work: on average 4 initiatives and 20 tasks per objective (so 5 per initiative).
INITIATIVES_PER_OBJECTIVE = 4
TASKS_PER_INITIATIVE = 5
# Statuses by the cycle's state: finished work in closed cycles, mostly planned in planning.
WORK_STATUS_WEIGHTS = {
    Cycle.State.CLOSED: {
        engine.DONE: 70,
        engine.CANCELLED: 15,
        engine.IN_PROGRESS: 8,
        engine.BLOCKED: 4,
        engine.PLANNED: 3,
    },
    Cycle.State.ACTIVE: {
        engine.IN_PROGRESS: 45,
        engine.PLANNED: 25,
        engine.BLOCKED: 10,
        engine.DONE: 14,
        engine.CANCELLED: 6,
    },
    Cycle.State.PLANNING: {engine.PLANNED: 85, engine.IN_PROGRESS: 12, engine.BLOCKED: 3},
}
# The share of an initiative's tasks that are done, drawn per initiative by status.
DONE_SHARE = {
    engine.DONE: (1.0, 1.0),
    engine.CANCELLED: (0.0, 0.5),
    engine.IN_PROGRESS: (0.1, 0.9),
    engine.BLOCKED: (0.0, 0.6),
    engine.PLANNED: (0.0, 0.1),
}
WORK_VERBS = ["Build", "Migrate", "Roll out", "Pilot", "Automate", "Redesign", "Audit"]
TASK_VERBS = ["Draft", "Review", "Ship", "Test", "Document", "Measure", "Agree on", "Fix"]
LAST = ["Adams", "Berg", "Costa", "Diaz", "Evans", "Fischer", "Garcia", "Haas", "Ito", "Jones"]


class AlreadyThere(Exception):
    """The database already holds the bench organization (use replace=True)."""


@dataclass
class Report:
    organization: str
    scale: str
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    database: str = ""

    def summary(self) -> str:
        parts = ", ".join(f"{n:,} {kind}" for kind, n in self.counts.items())
        return (
            f"{self.organization} ({self.scale}, seed {self.seed}) on {self.database}: "
            f"{parts} in {self.seconds:.1f} s"
        )


def bench_domain(name: str) -> str:
    return f"{slugify(name)}.example"


def admin_email(name: str = DEFAULT_NAME) -> str:
    return f"admin@{bench_domain(name)}"


def member_email(name: str = DEFAULT_NAME) -> str:
    return f"member@{bench_domain(name)}"


def delete_organization(organization: Organization) -> None:
    """Remove an organization and everything in it, children before parents.

    The OKR rows go with plain DELETE statements (no per-row signals, so no history or
    tombstone rows for a bench organization); people go through the ORM, which also
    clears what other apps attach to them (API tokens). The history entries written by the
    organization's people (django-auditlog, if installed) are deleted with it, since the
    history refuses to lose an author.
    """

    def raw(queryset: Any) -> None:
        queryset._raw_delete(connection.alias)

    with transaction.atomic():
        krs = KeyResult.objects.filter(organization=organization).values("pk")
        objectives = Objective.objects.filter(organization=organization).values("pk")
        work = Initiative.objects.filter(organization=organization).values("pk")
        raw(Task.objects.filter(initiative__in=work))
        raw(StatusUpdate.objects.filter(initiative__in=work))
        raw(Initiative.key_results.through.objects.filter(initiative__in=work))
        raw(Initiative.objects.filter(organization=organization))
        raw(CheckIn.objects.filter(key_result__in=krs))
        raw(Milestone.objects.filter(key_result__in=krs))
        raw(KeyResult.objects.filter(organization=organization))
        raw(Alignment.objects.filter(child__in=objectives))
        raw(Alignment.objects.filter(parent__in=objectives))
        raw(Objective.objects.filter(organization=organization))
        raw(Cycle.objects.filter(organization=organization))
        raw(Membership.objects.filter(team__organization=organization))
        Team.objects.filter(organization=organization).update(parent=None)
        raw(Team.objects.filter(organization=organization))
        if apps.is_installed("auditlog"):  # the organization's history goes with it
            from auditlog.models import LogEntry

            raw(LogEntry.objects.filter(actor__organization=organization))
        User.objects.filter(organization=organization).delete()
        organization.delete()


def generate(
    scale: Scale,
    *,
    seed: int = 1,
    today: date | None = None,
    name: str = DEFAULT_NAME,
    replace: bool = False,
    log: Callable[[str], None] = lambda line: None,
) -> Report:
    existing = Organization.objects.filter(name=name).first()
    if existing is not None:
        if not replace:
            raise AlreadyThere(
                f"the database already holds an organization named {name!r}; "
                "pass --replace to delete it and generate it again"
            )
        started = time.perf_counter()
        delete_organization(existing)
        log(f"deleted the previous {name!r} in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    builder = _Builder(scale, seed=seed, today=today or date.today(), name=name, log=log)
    with transaction.atomic():
        counts = builder.build()
    bulk.reset_sequences(
        Organization, User, Team, Membership, Cycle, Objective, Alignment, KeyResult, Milestone
    )
    bulk.reset_sequences(CheckIn)
    bulk.reset_sequences(Initiative, Task, StatusUpdate, Initiative.key_results.through)
    if connection.vendor == "postgresql":  # fresh planner statistics, as autovacuum would
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    report = Report(name, scale.name, seed, counts, database=connection.vendor)
    report.seconds = time.perf_counter() - started
    return report


# --- The builder -------------------------------------------------------------------------


@dataclass
class _Obj:
    id: int
    ref: str
    cycle: int  # index into cycles
    team: int | None  # index into teams
    owner: int  # index into people
    depth: int
    children: list[int] = field(default_factory=list)
    krs: list[KeyResult] = field(default_factory=list)
    progress: Decimal | None = None
    forecast_progress: Decimal | None = None


@dataclass
class _Work:
    id: int
    ref: str
    title: str
    cycle: int  # index into cycles
    owner: int  # index into people
    team: int | None  # index into teams
    status: str
    start: date | None
    due: date | None
    krs: list[KeyResult]
    done_share: float  # the chance each of its tasks is done
    done: int = 0
    total: int = 0
    progress: Decimal = Decimal(0)


class _Builder:
    def __init__(
        self, scale: Scale, *, seed: int, today: date, name: str, log: Callable[[str], None]
    ) -> None:
        self.scale = scale
        self.rng = random.Random(seed)
        self.today = today
        # Check-ins lie before today, so they are never in the future whatever the hour.
        self.last_moment = datetime(today.year, today.month, today.day, tzinfo=UTC) - timedelta(
            hours=1
        )
        self.seed = seed
        self.name = name
        self.domain = bench_domain(name)
        self.log = log
        self.stamp = datetime(today.year, 1, 1, tzinfo=UTC)
        self.started = time.perf_counter()

    def step(self, what: str) -> None:
        self.log(f"{time.perf_counter() - self.started:7.1f} s  {what}")

    def build(self) -> dict[str, int]:
        self.ids = bulk.next_ids(
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
            Initiative,
            Task,
            StatusUpdate,
            Initiative.key_results.through,
        )
        self.organization = Organization.objects.create(name=self.name)
        counts: dict[str, int] = {}
        counts["people"] = self.people()
        counts["teams"], counts["memberships"] = self.teams()
        counts["cycles"] = self.cycles()
        self.step("people, teams, cycles")
        self.plan_objectives()
        counts["alignments"] = self.alignments()
        self.step("objectives planned, alignments written")
        self.plan_key_results()
        self.step("key results planned")
        counts["checkins"], counts["milestones"] = self.checkins_and_milestones()
        self.step("check-ins and milestones written")
        counts["tasks"] = self.plan_work()
        self.step("initiatives planned, tasks written")
        self.compute()
        counts["objectives"] = self.write_objectives()
        counts["key_results"] = self.write_key_results()
        self.step("objectives and key results written")
        counts["initiatives"], counts["supports"], counts["status_updates"] = self.write_work()
        self.step("initiatives, their key results and status updates written")
        impacts.refresh_organization(self.organization)  # as the services keep it
        self.step("impacts stored")
        counts["alignments"] = self.alignments()
        return counts

    # People, teams, cycles ----------------------------------------------------------------

    def people(self) -> int:
        rng, n = self.rng, max(self.scale.people, 3)
        hashed, time_zone = make_password(BENCH_PASSWORD), server_time_zone()
        first = self.ids[User]
        self.person_ids = [first + i for i in range(n)]
        rows = []
        for i, pk in enumerate(self.person_ids):
            if i == 0:
                email, person_name, password, role = "admin", "Bench Admin", hashed, "admin"
            elif i == 1:
                email, person_name, password, role = "member", "Bench Member", hashed, "member"
            else:
                email = f"person{i:05d}"
                person_name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                password = "!" + "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=40))
                role = "admin" if i % 500 == 2 else "member"
            stamp = bulk.db_datetime(self.stamp)
            rows.append(
                (
                    pk,
                    password,
                    False,
                    f"{email}@{self.domain}",
                    person_name,
                    self.organization.pk,
                    role,
                    True,
                    False,
                    stamp,
                    time_zone,
                )
            )
        names = ["id", "password", "is_superuser", "email", "name", "organization", "role"]
        return bulk.insert(
            User, [*names, "is_active", "is_staff", "date_joined", "time_zone"], rows
        )

    def teams(self) -> tuple[int, int]:
        rng, n = self.rng, max(self.scale.teams, TEAM_DEPTH + 1)
        # Level sizes: 1 root, then growing levels; the rest at the deepest level.
        sizes = [1, max(1, n // 100), max(1, n * 4 // 100), max(1, n * 20 // 100)]
        sizes.append(n - sum(sizes))
        self.team_ids: list[int] = []
        self.team_parent: list[int | None] = []
        self.team_depth: list[int] = []
        levels: list[list[int]] = []
        first = self.ids[Team]
        stamp = bulk.db_datetime(self.stamp)
        rows = []
        for depth, size in enumerate(sizes):
            level = []
            for _ in range(size):
                index = len(self.team_ids)
                parent = rng.choice(levels[depth - 1]) if depth else None
                self.team_ids.append(first + index)
                self.team_parent.append(parent)
                self.team_depth.append(depth)
                level.append(index)
                area = AREAS[index % len(AREAS)]
                parent_id = None if parent is None else self.team_ids[parent]
                ref = f"t-{index:04d}"
                team_name = "Company" if depth == 0 else f"{area} {index:04d}"
                # checkin_cadence "": the organization's rhythm (NOT NULL, no default in SQL).
                rows.append(
                    (first + index, self.organization.pk, ref, team_name, parent_id, stamp, "")
                )
            levels.append(level)
        names = ["id", "organization", "ref", "name", "parent", "updated_at", "checkin_cadence"]
        bulk.insert(Team, names, rows)
        self.levels = levels

        # Memberships: everyone but the admin in one team, a tenth in a second one.
        people = len(self.person_ids)
        self.member_team = [0] * people
        self.team_members: list[list[int]] = [[] for _ in range(n)]
        member_team = levels[2][0]  # the bench member's team has sub-teams below it
        for person in range(1, people):
            team = member_team if person == 1 else (person - 2) % n if person - 2 < n else None
            if team is None:
                team = rng.randrange(n)
            self.member_team[person] = team
            self.team_members[team].append(person)
        self.team_members[0].append(0)  # the admin sits in the root team
        for person in range(2, people):
            if rng.random() < 0.1:
                other = rng.randrange(n)
                if person not in self.team_members[other]:
                    self.team_members[other].append(person)
        membership_rows: list[tuple[int, int, int, bool]] = []
        pk = self.ids[Membership]
        for team, members in enumerate(self.team_members):
            for position, person in enumerate(members):
                membership_rows.append(
                    (pk, self.team_ids[team], self.person_ids[person], position == 0)
                )
                pk += 1
        names = ["id", "team", "person", "is_lead"]
        memberships = bulk.insert(Membership, names, membership_rows)
        return n, memberships

    def cycles(self) -> int:
        year = self.today.year
        self.cycle_rows: list[dict] = []
        for y in (year - 1, year):
            self.cycle_rows.append(
                {"ref": f"fy{y}", "name": str(y), "start": date(y, 1, 1), "end": date(y, 12, 31)}
            )
        for y in (year - 1, year):
            for q in range(4):
                start = date(y, 3 * q + 1, 1)
                end = (date(y + 1, 1, 1) if q == 3 else date(y, 3 * q + 4, 1)) - timedelta(1)
                self.cycle_rows.append(
                    {"ref": f"{y}-q{q + 1}", "name": f"{y} Q{q + 1}", "start": start, "end": end}
                )
        rows = []
        for index, cycle in enumerate(self.cycle_rows):
            if cycle["end"] < self.today:
                state = Cycle.State.CLOSED
            elif cycle["start"] > self.today:
                state = Cycle.State.PLANNING
            else:
                state = Cycle.State.ACTIVE
            cycle["state"] = state
            cycle["id"] = self.ids[Cycle] + index
            cycle["yearly"] = index < 2
            cycle["year_index"] = 0 if cycle["start"].year == year - 1 else 1
            closed_at = bulk.db_datetime(self.stamp) if state == Cycle.State.CLOSED else None
            rows.append(
                (
                    cycle["id"],
                    self.organization.pk,
                    cycle["ref"],
                    cycle["name"],
                    cycle["start"],
                    cycle["end"],
                    state,
                    closed_at,
                    bulk.db_datetime(self.stamp),
                )
            )
        names = ["id", "organization", "ref", "name", "start", "end", "state", "closed_at"]
        return bulk.insert(Cycle, [*names, "updated_at"], rows)

    # Objectives and alignments -------------------------------------------------------------

    def plan_objectives(self) -> None:
        rng, n = self.rng, self.scale.objectives
        # A twentieth of the objectives in each year, the rest spread over the quarters.
        per_cycle = [max(1, n // 20)] * 2
        quarters = n - sum(per_cycle)
        per_cycle += [quarters // 8 + (1 if q < quarters % 8 else 0) for q in range(8)]
        active_quarter = next(
            i
            for i, c in enumerate(self.cycle_rows)
            if not c["yearly"] and c["state"] != Cycle.State.CLOSED
        )
        self.active_quarter = active_quarter
        member_team = self.member_team[1]
        self.objectives: list[_Obj] = []
        pools: dict[tuple[int, int], list[int]] = {}
        first = self.ids[Objective]
        for cycle, count in enumerate(per_cycle):
            for k in range(count):
                index = len(self.objectives)
                if cycle == active_quarter and k < 4:  # the bench member's own objectives
                    team, owner = member_team, 1
                    if k == 0:
                        self.member_objective = len(self.objectives)
                elif rng.random() < 0.08:  # a personal objective
                    team, owner = None, rng.randrange(1, len(self.person_ids))
                else:
                    # Deeper levels hold more teams; company and area objectives are fewer.
                    team = rng.randrange(len(self.team_ids))
                    if cycle < 2 and self.team_depth[team] > 2 and rng.random() < 0.7:
                        team = rng.choice(self.levels[rng.randrange(3)])
                    owner = rng.choice(self.team_members[team] or [0])
                depth = self.team_depth[team] if team is not None else TEAM_DEPTH + 1
                obj = _Obj(first + index, f"o-{index:05d}", cycle, team, owner, depth)
                self.objectives.append(obj)
                if team is not None:
                    pools.setdefault((team, cycle), []).append(index)
        self.pools = pools

    def alignments(self) -> int:
        """Plan (first call) or write (second call) the alignments."""
        if hasattr(self, "alignment_rows"):
            return bulk.insert(Alignment, ["id", "child", "parent", "created_at"], self.rows())
        rng = self.rng
        self.alignment_rows: list[tuple[int, int]] = []
        for index, obj in enumerate(self.objectives):
            pool = self.parent_pool(obj)
            if not pool:
                continue
            draw = rng.random()
            wanted = 2 if draw < 0.36 and len(pool) > 1 else 1 if draw < 0.88 else 0
            for parent in rng.sample(pool, wanted):
                self.alignment_rows.append((index, parent))
                self.objectives[parent].children.append(index)
        # The bench member's first objective has an aligned child (its first key result
        # follows it), so every measured list shows a linked key result at every scale.
        first = self.member_objective
        if not self.objectives[first].children:
            child = next(
                (
                    i
                    for i, o in enumerate(self.objectives)
                    if o.cycle == self.active_quarter and o.depth > self.objectives[first].depth
                ),
                None,
            )
            if child is not None:
                self.alignment_rows.append((child, first))
                self.objectives[first].children.append(child)
        return len(self.alignment_rows)

    def rows(self) -> list[tuple]:
        stamp = bulk.db_datetime(self.stamp)
        first = self.ids[Alignment]
        return [
            (first + i, self.objectives[child].id, self.objectives[parent].id, stamp)
            for i, (child, parent) in enumerate(self.alignment_rows)
        ]

    def parent_pool(self, obj: _Obj) -> list[int]:
        """Objectives of the parent team (same cycle or the enclosing year); a quarter's
        objective may also support its own team's yearly one. Parents are always higher in
        (team depth, yearly before quarterly), so the graph has no loop."""
        cycle = self.cycle_rows[obj.cycle]
        year = cycle["year_index"]
        team = obj.team if obj.team is not None else self.member_team[obj.owner]
        pool: list[int] = []
        if obj.team is None:  # personal: the owner's team, any of its objectives
            pool += self.pools.get((team, obj.cycle), [])
            if not cycle["yearly"]:
                pool += self.pools.get((team, year), [])
            return pool
        if not cycle["yearly"]:
            pool += self.pools.get((team, year), [])
        parent = self.team_parent[team]
        while parent is not None and not pool:
            pool += self.pools.get((parent, obj.cycle), [])
            if not cycle["yearly"]:
                pool += self.pools.get((parent, year), [])
            parent = self.team_parent[parent]
        return pool

    # Key results, milestones, check-ins ------------------------------------------------------

    def plan_key_results(self) -> None:
        rng = self.rng
        n, objectives = self.scale.key_results, self.objectives
        # Every objective gets at least one key result; the rest land at random.
        per_objective = [1] * len(objectives)
        for _ in range(n - len(objectives)):
            per_objective[rng.randrange(len(objectives))] += 1
        types, weights = list(KR_TYPE_WEIGHTS), list(KR_TYPE_WEIGHTS.values())
        first = self.ids[KeyResult]
        self.krs: list[KeyResult] = []
        for index, obj in enumerate(objectives):
            cycle = self.cycle_rows[obj.cycle]
            for position in range(per_objective[index]):
                kind = rng.choices(types, weights)[0]
                if index == self.member_objective and position == 0:
                    kind = engine.LINKED
                if kind == engine.LINKED and not obj.children:
                    kind = engine.METRIC
                kr = KeyResult(
                    id=first + len(self.krs),
                    organization_id=self.organization.pk,
                    objective_id=obj.id,
                    ref=f"k-{len(self.krs):06d}",
                    title=f"{rng.choice(VERBS)} {rng.choice(TOPICS)} ({kind})",
                    type=kind,
                    position=position,
                    weight=Decimal(rng.choice([1, 1, 1, 1, 1, 1, 2, 3])),
                )
                self.shape(kr, cycle)
                if kind == engine.LINKED:
                    kr.linked_index = rng.choice(obj.children)  # type: ignore[attr-defined]
                    kr.linked_objective_id = objectives[kr.linked_index].id  # type: ignore[attr-defined]
                if rng.random() < 0.3:
                    kr.owner_id = self.person_ids[rng.randrange(1, len(self.person_ids))]
                kr.objective_index = index  # type: ignore[attr-defined]
                obj.krs.append(kr)
                self.krs.append(kr)

    def shape(self, kr: KeyResult, cycle: dict) -> None:
        rng = self.rng
        if kr.type == engine.METRIC:
            low, high = Decimal(rng.randrange(0, 50)), Decimal(rng.randrange(60, 1000))
            kr.start, kr.target = (high, low) if rng.random() < 0.25 else (low, high)
            kr.unit = rng.choice(["%", "EUR", "tickets", "users", "days"])
        elif kr.type in (engine.STAY_ABOVE, engine.STAY_BELOW):
            kr.threshold = Decimal(rng.randrange(10, 100))
            kr.unit = "%"
        elif kr.type == engine.RANGE:
            kr.low = Decimal(rng.randrange(10, 50))
            kr.high = kr.low + rng.randrange(5, 40)
            kr.unit = "ms"
        if rng.random() < 0.1:
            span = (cycle["end"] - cycle["start"]).days
            kr.due = cycle["start"] + timedelta(days=rng.randrange(span // 2, span + 1))

    def checkins_and_milestones(self) -> tuple[int, int]:
        rng = self.rng
        eligible = [
            kr
            for kr in self.krs
            if self.cycle_rows[self.objectives[kr.objective_index].cycle]["state"]  # type: ignore[attr-defined]
            != Cycle.State.PLANNING
        ]
        average = self.scale.checkins / max(1, len(eligible))
        self.latest: dict[int, CheckIn] = {}
        # Each metric's exact forecast, computed as its check-ins are drawn (a million
        # check-ins never sit in memory at once), as `rollup.compute_all` computes it.
        self.forecasts: dict[int, Fraction | None] = {}
        self.milestones: dict[int, list[Milestone]] = {}
        milestone_rows: list[tuple] = []
        ids = {"checkin": self.ids[CheckIn], "milestone": self.ids[Milestone]}
        stamp = bulk.db_datetime(self.stamp)

        def checkin_rows():  # a generator: a million rows never sit in memory at once
            for kr in eligible:
                obj = self.objectives[kr.objective_index]  # type: ignore[attr-defined]
                cycle = self.cycle_rows[obj.cycle]
                count = max(0, round(average * (0.5 + rng.random())))
                start = datetime.combine(cycle["start"], datetime.min.time(), tzinfo=UTC)
                end = min(
                    datetime.combine(cycle["end"], datetime.min.time(), tzinfo=UTC),
                    self.last_moment,
                )
                span = max(3600, int((end - start).total_seconds()))
                reached = rng.uniform(0.0, 1.2)  # how far along this key result got
                author = self.person_ids[obj.owner]
                if kr.type == engine.MILESTONES:
                    total = rng.randrange(3, 6)
                    self.milestones[kr.id] = []
                    for position in range(total):
                        done = position < int(total * min(1.0, reached))
                        weight = Decimal(rng.choice([1, 1, 2]))
                        self.milestones[kr.id].append(Milestone(weight=weight, done=done))
                        milestone_rows.append(
                            (
                                ids["milestone"],
                                kr.id,
                                f"Step {position + 1}",
                                weight,
                                done,
                                position,
                                stamp,
                            )
                        )
                        ids["milestone"] += 1
                moments = sorted(rng.sample(range(span), min(count, span)))
                drawn: list[tuple[datetime, Decimal | None]] = []
                for j, offset in enumerate(moments):
                    at = start + timedelta(seconds=offset)
                    value = self.value(kr, reached * (j + 1) / len(moments))
                    confidence = rng.choice(CONFIDENCES)
                    note = "Steady progress." if rng.random() < 0.2 else ""
                    pk = ids["checkin"]
                    ids["checkin"] += 1
                    if j == len(moments) - 1:
                        self.latest[kr.id] = CheckIn(
                            id=pk, value=value, confidence=confidence, at=at
                        )
                    drawn.append((at, value))
                    yield (pk, kr.id, value, confidence, note, author, bulk.db_datetime(at), stamp)
                dates = (cycle["start"], cycle["end"])
                self.forecasts[kr.id] = rollup.metric_forecast(kr, dates, drawn)

        checkins = bulk.insert(
            CheckIn,
            ["id", "key_result", "value", "confidence", "note", "author", "at", "created_at"],
            checkin_rows(),
        )
        milestones = bulk.insert(
            Milestone,
            ["id", "key_result", "title", "weight", "done", "position", "updated_at"],
            milestone_rows,
        )
        return checkins, milestones

    def value(self, kr: KeyResult, fraction: float) -> Decimal | None:
        rng = self.rng
        if kr.type in engine.DERIVED_TYPES:
            return None
        if kr.type == engine.BOOLEAN:
            return Decimal(1 if fraction >= 1 else 0)
        if kr.type == engine.METRIC:
            assert kr.start is not None and kr.target is not None
            raw = kr.start + (kr.target - kr.start) * Decimal(f"{fraction:.3f}")
            return raw.quantize(Decimal("0.1"))
        if kr.type in (engine.STAY_ABOVE, engine.STAY_BELOW):
            assert kr.threshold is not None
            return kr.threshold + rng.randrange(-10, 11)
        assert kr.low is not None and kr.high is not None
        return Decimal(rng.randrange(int(kr.low) - 5, int(kr.high) + 6))

    # Initiatives, tasks, status updates (issue 13) ------------------------------------------

    def plan_work(self) -> int:
        """Plan the initiatives, write their tasks (as they are drawn), and compute each
        initiative's q and the mean that feeds each key result of type `initiatives`.
        Returns how many tasks were written."""
        rng = random.Random(f"initiatives-{self.seed}")  # its own stream: OKR rows unchanged
        self.work_rng = rng
        objectives = self.objectives
        per_objective = [0] * len(objectives)
        # The bench member's objectives of the current quarter have work at every scale.
        for index, obj in enumerate(objectives):
            if obj.owner == 1 and obj.cycle == self.active_quarter:
                per_objective[index] = 3
        total = INITIATIVES_PER_OBJECTIVE * len(objectives)
        for _ in range(max(0, total - sum(per_objective))):
            per_objective[rng.randrange(len(objectives))] += 1
        in_cycle: dict[int, list[KeyResult]] = {}
        for kr in self.krs:
            in_cycle.setdefault(objectives[kr.objective_index].cycle, []).append(kr)  # type: ignore[attr-defined]
        first = self.ids[Initiative]
        self.work: list[_Work] = []
        for index, obj in enumerate(objectives):
            for _ in range(per_objective[index]):
                self.work.append(self.plan_initiative(first + len(self.work), obj, in_cycle))
        # Tasks land at random on the initiatives: 5 on average, some with none.
        per_work = [0] * len(self.work)
        for _ in range(TASKS_PER_INITIATIVE * len(self.work)):
            per_work[rng.randrange(len(self.work))] += 1
        names = ["id", "initiative", "title", "done", "assignee", "due", "position", "done_at"]
        tasks = bulk.insert(Task, [*names, "created_at", "updated_at"], self.task_rows(per_work))
        gathered: dict[int, list[tuple[str, Decimal]]] = {}
        for work in self.work:
            facts = engine.InitiativeFacts(
                status=work.status, tasks_done=work.done, tasks_total=work.total
            )
            work.progress = engine.quantize_progress(engine.initiative_progress(facts))
            for kr in work.krs:
                if kr.type == engine.INITIATIVES:
                    gathered.setdefault(kr.id, []).append((work.status, work.progress))
        self.work_of = {
            kr_id: engine.mean_initiative_progress(pairs) for kr_id, pairs in gathered.items()
        }
        return tasks

    def plan_initiative(self, pk: int, obj: _Obj, in_cycle: dict[int, list[KeyResult]]) -> "_Work":
        rng = self.work_rng
        cycle = self.cycle_rows[obj.cycle]
        weights = WORK_STATUS_WEIGHTS[cycle["state"]]
        status = rng.choices(list(weights), list(weights.values()))[0]
        team = obj.team
        if team is None and rng.random() < 0.5:  # personal objectives: the owner's team or none
            team = self.member_team[obj.owner]
        members = self.team_members[team] if team is not None else []
        if obj.owner == 1 and rng.random() < 0.5:
            owner = 1
        elif rng.random() < 0.4 or not members:
            owner = obj.owner
        else:
            owner = rng.choice(members)
        span = max(1, (cycle["end"] - cycle["start"]).days)
        start = cycle["start"] + timedelta(days=rng.randrange(max(1, span // 3)))
        due = start + timedelta(days=rng.randrange(max(1, span // 4), span))
        due = min(due, cycle["end"])
        if rng.random() < 0.1:
            start = None
        if rng.random() < 0.15:
            due = None
        # The key results it supports: 1-3, mostly of its own objective; an `initiatives`
        # key result of its objective first more often than not.
        own = obj.krs
        fed = [kr for kr in own if kr.type == engine.INITIATIVES]
        chosen = [rng.choice(fed) if fed and rng.random() < 0.6 else rng.choice(own)]
        for _ in range(rng.choices([0, 1, 2], [50, 35, 15])[0]):
            pool = own if rng.random() < 0.7 else in_cycle[obj.cycle]
            kr = rng.choice(pool)
            if kr not in chosen:
                chosen.append(kr)
        index = pk - self.ids[Initiative]
        title = f"{rng.choice(WORK_VERBS)} {rng.choice(TOPICS)} #{index}"
        low, high = DONE_SHARE[status]
        return _Work(
            id=pk,
            ref=f"i-{index:06d}",
            title=title,
            cycle=obj.cycle,
            owner=owner,
            team=team,
            status=status,
            start=start,
            due=due,
            krs=chosen,
            done_share=rng.uniform(low, high),
        )

    def task_rows(self, per_work: list[int]) -> Iterable[tuple]:
        rng = self.work_rng
        pk = self.ids[Task]
        stamp = bulk.db_datetime(self.stamp)
        for work, count in zip(self.work, per_work, strict=True):
            cycle = self.cycle_rows[work.cycle]
            members = self.team_members[work.team] if work.team is not None else []
            first_day = work.start or cycle["start"]
            last_day = max(first_day, work.due or cycle["end"])
            window = (last_day - first_day).days + 1
            opened = datetime.combine(cycle["start"], datetime.min.time(), tzinfo=UTC)
            for position in range(count):
                done = rng.random() < work.done_share
                draw = rng.random()
                if draw < 0.7 and members:
                    assignee: int | None = self.person_ids[rng.choice(members)]
                elif draw < 0.85:
                    assignee = self.person_ids[work.owner]
                else:
                    assignee = None
                due = first_day + timedelta(rng.randrange(window)) if rng.random() < 0.5 else None
                done_at = None
                if done:
                    moment = opened + timedelta(hours=rng.randrange(24 * window))
                    done_at = bulk.db_datetime(min(moment, self.last_moment))
                title = f"{rng.choice(TASK_VERBS)} {rng.choice(TOPICS)}"
                work.total += 1
                work.done += done
                yield (pk, work.id, title, done, assignee, due, position, done_at, stamp, stamp)
                pk += 1

    def write_work(self) -> tuple[int, int, int]:
        rng = self.work_rng
        stamp = bulk.db_datetime(self.stamp)
        rows, supports, updates = [], [], []
        support_pk, update_pk = self.ids[Initiative.key_results.through], self.ids[StatusUpdate]
        for work in self.work:
            team = None if work.team is None else self.team_ids[work.team]
            rows.append(
                (
                    work.id,
                    self.organization.pk,
                    self.cycle_rows[work.cycle]["id"],
                    work.ref,
                    work.title,
                    "",
                    self.person_ids[work.owner],
                    team,
                    work.status,
                    work.start,
                    work.due,
                    "",
                    "",
                    0,
                    work.progress,
                    stamp,
                    stamp,
                )
            )
            for kr in work.krs:
                supports.append((support_pk, work.id, kr.id))
                support_pk += 1
            if work.status != engine.PLANNED:  # the update that set its status
                cycle = self.cycle_rows[work.cycle]
                opened = datetime.combine(cycle["start"], datetime.min.time(), tzinfo=UTC)
                span = max(1, (cycle["end"] - cycle["start"]).days)
                at = min(opened + timedelta(hours=rng.randrange(24 * span)), self.last_moment)
                note = "Waiting on another team." if work.status == engine.BLOCKED else ""
                author = self.person_ids[work.owner]
                updates.append(
                    (update_pk, work.id, author, work.status, note, bulk.db_datetime(at))
                )
                update_pk += 1
        names = ["id", "organization", "cycle", "ref", "title", "description", "owner", "team"]
        names += ["status", "start", "due", "link_url", "sync_error", "sync_failures", "progress"]
        initiatives = bulk.insert(Initiative, [*names, "created_at", "updated_at"], rows)
        through = Initiative.key_results.through
        written = bulk.insert(through, ["id", "initiative", "keyresult"], supports)
        names = ["id", "initiative", "author", "status", "note", "at"]
        return initiatives, written, bulk.insert(StatusUpdate, names, updates)

    # Stored numbers -------------------------------------------------------------------------

    def compute(self) -> None:
        """Stored progress, exactly as `rollup.compute_all` derives it."""
        for index in range(len(self.objectives)):
            self.objective_progress(index)

    def objective_progress(self, index: int) -> Decimal:
        obj = self.objectives[index]
        if obj.progress is not None:
            return obj.progress
        rows: list[tuple[Decimal, Decimal, Decimal | None]] = []
        for kr in obj.krs:
            linked = None
            if kr.type == engine.LINKED:
                linked = self.objective_progress(kr.linked_index)  # type: ignore[attr-defined]
            derived = rollup.derive_key_result(
                kr,
                latest=self.latest.get(kr.id),
                milestones=self.milestones.get(kr.id, []),
                linked_progress=linked,
                initiatives_progress=self.work_of.get(kr.id, engine.ZERO)
                if kr.type == engine.INITIATIVES
                else None,
                forecast=self.forecasts.get(kr.id),
            )
            rollup.apply_derived(kr, derived)
            rows.append((kr.weight, derived.progress, derived.forecast_progress))
        numbers = rollup.objective_numbers(rows)
        obj.progress, obj.forecast_progress = numbers.progress, numbers.forecast_progress
        return obj.progress

    def closed(self, obj: _Obj) -> bool:
        return self.cycle_rows[obj.cycle]["state"] == Cycle.State.CLOSED

    def write_objectives(self) -> int:
        rng = self.rng
        stamp = bulk.db_datetime(self.stamp)
        rows = []
        for obj in self.objectives:
            assert obj.progress is not None
            final = engine.score(obj.progress) if self.closed(obj) else None
            archived = stamp if rng.random() < 0.02 else None
            team = None if obj.team is None else self.team_ids[obj.team]
            kind = "committed" if rng.random() < 0.3 else "aspirational"
            private = obj.owner != 1 and rng.random() < 0.1
            rows.append(
                (
                    obj.id,
                    self.organization.pk,
                    self.cycle_rows[obj.cycle]["id"],
                    obj.ref,
                    f"{rng.choice(VERBS)} {rng.choice(TOPICS)}",
                    "",
                    self.person_ids[obj.owner],
                    team,
                    kind,
                    "private" if private else "public",
                    obj.progress,
                    obj.forecast_progress,
                    final,
                    "",
                    "",
                    "",
                    "",
                    archived,
                    stamp,
                    stamp,
                )
            )
        names = ["id", "organization", "cycle", "ref", "title", "description", "owner", "team"]
        names += ["kind", "visibility", "progress", "forecast_progress", "final_score"]
        names += ["override_reason"]
        names += ["went_well", "went_wrong", "learned", "archived_at", "created_at", "updated_at"]
        return bulk.insert(Objective, names, rows)

    def write_key_results(self) -> int:
        stamp = bulk.db_datetime(self.stamp)

        def rows():
            for kr in self.krs:
                closed = self.closed(self.objectives[kr.objective_index])  # type: ignore[attr-defined]
                last = kr.last_checkin_at
                yield (
                    kr.id,
                    kr.organization_id,
                    kr.objective_id,
                    kr.ref,
                    kr.title,
                    "",
                    kr.type,
                    kr.unit,
                    kr.start,
                    kr.target,
                    kr.threshold,
                    kr.low,
                    kr.high,
                    kr.linked_objective_id,
                    kr.weight,
                    kr.due,
                    kr.position,
                    kr.owner_id,
                    kr.current,
                    kr.confidence,
                    None if last is None else bulk.db_datetime(last),
                    kr.progress,
                    kr.forecast,
                    kr.forecast_progress,
                    engine.score(kr.progress) if closed else None,
                    "",
                    stamp,
                    stamp,
                )

        names = ["id", "organization", "objective", "ref", "title", "description", "type"]
        names += ["unit", "start", "target", "threshold", "low", "high", "linked_objective"]
        names += ["weight", "due", "position", "owner", "current", "confidence"]
        names += ["last_checkin_at", "progress", "forecast", "forecast_progress", "final_score"]
        names += ["override_reason"]
        return bulk.insert(KeyResult, [*names, "created_at", "updated_at"], rows())
