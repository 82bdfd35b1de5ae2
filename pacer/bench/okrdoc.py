"""A generated OKR file (docs/okr-file.md) of a chosen size, for the import/export timing.

Four key results per objective on average (every type), one check-in per key result on
average, a quarter of the objectives aligned to two parents, a twentieth of the key results
linked to an aligned child.
"""

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from pacer.bench.generate import bench_domain

TYPES = ["metric"] * 9 + ["boolean", "milestones", "stay_above", "stay_below", "range"] * 2


def okr_document(name: str, *, n_objectives: int, seed: int, today: date) -> dict[str, Any]:
    rng = random.Random(seed)
    domain = bench_domain(name)
    n_people = max(5, n_objectives // 5)
    n_teams = max(3, n_objectives // 40)
    emails = [f"p{i:05d}@{domain}" for i in range(n_people)]
    people: list[dict[str, Any]] = [
        {"email": e, "name": f"Person {i}"} for i, e in enumerate(emails)
    ]
    people[0]["admin"] = True
    teams: list[dict[str, Any]] = []
    depth: list[int] = []
    members: list[list[str]] = [[] for _ in range(n_teams)]
    for i, email in enumerate(emails):
        members[i % n_teams].append(email)
    for i in range(n_teams):
        parent = None if i == 0 else rng.randrange(max(1, i // 4) if i > 4 else 1)
        depth.append(0 if parent is None else depth[parent] + 1)
        entry: dict[str, Any] = {"ref": f"t{i:04d}", "name": f"Team {i}", "members": members[i]}
        if parent is not None:
            entry["parent"] = f"t{parent:04d}"
        if members[i]:
            entry["leads"] = members[i][:1]
        teams.append(entry)
    year = today.year
    cycles: list[dict[str, Any]] = [
        {"ref": f"fy{year}", "name": str(year), "start": date(year, 1, 1)}
    ]
    cycles[0]["end"] = date(year, 12, 31)
    for q in range(4):
        start = date(year, 3 * q + 1, 1)
        end = (date(year + 1, 1, 1) if q == 3 else date(year, 3 * q + 4, 1)) - timedelta(1)
        cycles.append({"ref": f"q{q + 1}-{year}", "name": f"{year} Q{q + 1}"})
        cycles[-1] |= {"start": start, "end": end}
    past = [c for c in cycles if c["start"] < today]
    objectives: list[dict[str, Any]] = []
    by_team: dict[int, list[int]] = {}
    children: dict[int, list[int]] = {}
    stats = {"key_results": 0, "checkins": 0, "alignments": 0}
    # Teams in tree order, so a parent team's objectives exist before its children's.
    order = sorted(range(n_objectives), key=lambda i: depth[i % n_teams])
    for index in order:
        team = index % n_teams
        cycle = past[0] if depth[team] == 0 else rng.choice(past)
        objective: dict[str, Any] = {
            "ref": f"o{index:05d}",
            "title": f"Objective {index}",
            "cycle": cycle["ref"],
            "team": f"t{team:04d}",
            "owner": rng.choice(members[team] or emails),
        }
        parent_team = None if team == 0 else int(teams[team]["parent"][1:])
        pool = [
            p
            for p in by_team.get(parent_team, [])  # type: ignore[arg-type]
            if objectives[p]["cycle"] in (cycle["ref"], cycles[0]["ref"])
        ]
        if pool:
            wanted = 2 if rng.random() < 0.27 and len(pool) > 1 else 1
            chosen = rng.sample(pool, wanted)
            objective["parents"] = [objectives[p]["ref"] for p in chosen]
            stats["alignments"] += wanted
            for p in chosen:
                children.setdefault(p, []).append(len(objectives))
        by_team.setdefault(team, []).append(len(objectives))
        objectives.append(objective)
    for position, objective in enumerate(objectives):
        cycle = next(c for c in cycles if c["ref"] == objective["cycle"])
        objective["key_results"] = [
            key_result(rng, objective, k, cycle, today, emails, stats)
            for k in range(rng.choice([3, 4, 4, 5]))
        ]
        if children.get(position) and rng.random() < 0.2:
            objective["key_results"].append(
                {
                    "ref": f"{objective['ref']}-linked",
                    "title": "Aligned work lands",
                    "type": "linked",
                    "objective": objectives[rng.choice(children[position])]["ref"],
                }
            )
            stats["key_results"] += 1
    return {
        "organization": name,
        "people": people,
        "teams": teams,
        "cycles": cycles,
        "objectives": objectives,
        "_stats": stats,
    }


def key_result(
    rng: random.Random,
    objective: dict[str, Any],
    k: int,
    cycle: dict[str, Any],
    today: date,
    emails: list[str],
    stats: dict[str, int],
) -> dict[str, Any]:
    kind = rng.choice(TYPES)
    kr: dict[str, Any] = {"ref": f"{objective['ref']}-k{k}", "title": f"Result {k}", "type": kind}
    if kind == "metric":
        kr |= {"start": 0, "target": rng.randrange(10, 500), "unit": "units"}
    elif kind in ("stay_above", "stay_below"):
        kr["threshold"] = rng.randrange(10, 90)
    elif kind == "range":
        kr |= {"low": 10, "high": 20}
    elif kind == "milestones":
        kr["milestones"] = [{"title": f"Step {i}", "done": rng.random() < 0.5} for i in range(3)]
    stats["key_results"] += 1
    last = min(cycle["end"], today - timedelta(days=1))
    span = (last - cycle["start"]).days
    if span > 0 and kind != "milestones" and rng.random() < 0.95:
        value: Any = rng.randrange(0, 2) if kind == "boolean" else rng.randrange(0, 100)
        at = cycle["start"] + timedelta(days=rng.randrange(span))
        kr["checkins"] = [{"at": at, "value": value, "by": objective["owner"]}]
        stats["checkins"] += 1
    return kr


def write_yaml(document: dict[str, Any], path: Path) -> None:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(document, handle, Dumper=dumper, sort_keys=False, allow_unicode=True)
