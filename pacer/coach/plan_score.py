"""The plan score of a cycle being planned (docs/coach.md, "Plan score"): per objective,
the share of the organization's rules it passes; per team, its objectives' checks pooled.
The cycle overview shows it until the cycle starts.

The whole cycle the viewer sees is linted (the rules comparing objectives need it, and a
team's score covers the cycle), in a fixed number of queries (`cycle_plan.objectives_plan`:
its objectives and key results, which is all a score judges). Only the rules that judge
count (not the info-level suggestions), and the rules needing check-ins wait for the cycle.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from pacer.accounts.models import User
from pacer.coach import config as lint_config
from pacer.coach.cycle_plan import objectives_plan
from pacer.coach.lint import PlanScore, lint, plan_scores, pooled
from pacer.coach.rules import CATALOGUE, INFO, RULES, Rule
from pacer.okrs.models import Cycle, Team


@dataclass(frozen=True)
class ObjectiveScore:
    score: PlanScore
    failed: tuple[Rule, ...]  # the rules it does not pass, in the catalogue's order


@dataclass(frozen=True)
class TeamScore:
    name: str  # "" for the objectives of no team
    ref: str
    objectives: int
    score: PlanScore


@dataclass(frozen=True)
class CyclePlanScore:
    objectives: dict[str, ObjectiveScore]  # by the objective's ref
    teams: list[TeamScore]  # by name, no team last


def is_being_planned(cycle: Cycle, *, on: date) -> bool:
    """Planning, or not started yet (and not closed)."""
    return cycle.state == Cycle.State.PLANNING or (not cycle.is_closed and on < cycle.start)


def cycle_plan_score(cycle: Cycle, viewer: User, *, now: datetime, zone: tzinfo) -> CyclePlanScore:
    plan = objectives_plan(cycle, viewer, now=now, zone=zone)
    config = judging_only(lint_config.of_organization(cycle.organization_id))
    findings = lint(plan, config)
    scores = plan_scores(plan, findings, config, cycle=False)
    failed: dict[int, set[str]] = defaultdict(set)
    for f in findings:
        failed[f.objective].add(f.rule)
    by_team: dict[str, list[PlanScore]] = defaultdict(list)
    for objective, score in zip(plan.objectives, scores, strict=True):
        by_team[objective.team].append(score)
    return CyclePlanScore(
        objectives={
            o.ref: ObjectiveScore(s, tuple(r for r, _ in CATALOGUE if r.id in failed[i]))
            for i, (o, s) in enumerate(zip(plan.objectives, scores, strict=True))
        },
        teams=team_scores(cycle, by_team),
    )


def judging_only(config: lint_config.LintConfig) -> lint_config.LintConfig:
    """The info-level rules (suggestions) count in no score: they need not run."""
    off = lint_config.Choice(enabled=False)
    return config.overridden({r: off for r, rule in RULES.items() if rule.level == INFO})


def team_scores(cycle: Cycle, by_team: dict[str, list[PlanScore]]) -> list[TeamScore]:
    names = dict(
        Team.objects.filter(organization_id=cycle.organization_id, ref__in=list(by_team))
        .values_list("ref", "name")
        .order_by()
    )
    teams = [
        TeamScore(names.get(ref, ref) if ref else "", ref, len(scores), pooled(scores))
        for ref, scores in by_team.items()
    ]
    return sorted(teams, key=lambda t: (not t.ref, t.name.lower()))
