"""Every lint rule with a passing and a failing example (pure: plans built in memory)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from pacer.coach import config as lint_config
from pacer.coach import wording
from pacer.coach.drafts import DraftCycle, DraftInitiative, DraftKeyResult, DraftObjective, Plan
from pacer.coach.drafts import Where as W
from pacer.coach.lint import lint, plan_scores, pooled
from pacer.coach.rules import RULES

Q1 = DraftCycle("q1", date(2027, 1, 1), date(2027, 3, 31))
YEAR = DraftCycle("y2027", date(2027, 1, 1), date(2027, 12, 31))


def metric(title: str, start: int = 0, target: int = 10, **fields: object) -> DraftKeyResult:
    return DraftKeyResult(
        title, "metric", W(f"kr:{title}"), start=Decimal(start), target=Decimal(target), **fields
    )  # type: ignore[arg-type]


def good(title: str = "Delight our customers", **fields: object) -> DraftObjective:
    """A well-formed company-level objective: two measurable key results, an owner."""
    values: dict[str, object] = {
        "where": W(f"o:{title}"),
        "cycle": "q1",
        "owner": "ann@acme.test",
        "key_results": (metric("Net promoter score", 20, 40), metric("Support tickets", 90, 60)),
    }
    values.update(fields)
    return DraftObjective(title, **values)  # type: ignore[arg-type]


def plan(*objectives: DraftObjective, **fields: object) -> Plan:
    values: dict[str, object] = {"cycles": {"q1": Q1, "y2027": YEAR}, "top_teams": frozenset()}
    values.update(fields)
    return Plan(objectives, **values)  # type: ignore[arg-type]


def rules_found(p: Plan, *, cycle: bool = False) -> set[str]:
    return {f.rule for f in lint(p, cycle=cycle)}


def test_a_well_formed_plan_is_clean() -> None:
    assert rules_found(plan(good())) == set()


# One failing plan per rule; the rule's passing example is the clean plan above.
FAILING = {
    "too-many-objectives": plan(*(good(f"Objective {n}") for n in range(6))),
    "too-many-key-results": plan(good(key_results=tuple(metric(f"Rate {n}") for n in range(6)))),
    "too-few-key-results": plan(good(key_results=(metric("Net promoter score"),))),
    "kr-not-measurable": plan(good(key_results=(metric("Net promoter score", 5, 5),) * 2)),
    "task-like-kr": plan(
        good(
            key_results=(
                metric("Net promoter score"),
                DraftKeyResult("Hold monthly reviews", "milestones", W("m"), milestones=3),
            )
        )
    ),
    "objective-has-metric": plan(good("Grow revenue by 20 %")),
    "no-owner": plan(good(owner="")),
    "due-outside-cycle": plan(
        good(key_results=(metric("Net promoter score", due=date(2027, 4, 2)), metric("Churn")))
    ),
    "unaligned": plan(good(team="sales")),
    "duplicate-title": plan(good("Delight our customers"), good("Delight our Customers!")),
    "committed-with-stretch": plan(good(kind="committed", description="A stretch for us")),
    "missing-counter-metric": plan(
        good(key_results=(metric("Qualified leads", 10, 50), metric("Webinar sign-ups", 0, 9)))
    ),
    "stale": plan(good(key_results=(metric("Net promoter score", stale=True), metric("Churn")))),
}


@pytest.mark.parametrize("rule_id", sorted(FAILING))
def test_each_rule_fails_its_failing_example(rule_id: str) -> None:
    assert rule_id in rules_found(FAILING[rule_id], cycle=True)


def test_every_rule_has_a_failing_example_here() -> None:
    assert set(FAILING) | {"suggest-parent"} == set(RULES)


def test_every_rule_explains_itself() -> None:
    for rule in RULES.values():
        assert rule.level in ("error", "warning", "info")
        assert rule.explanation.endswith(".") and rule.hint.endswith(".")


def test_counts_stop_at_their_thresholds() -> None:
    five = plan(*(good(f"Objective {n}") for n in range(5)))
    assert "too-many-objectives" not in rules_found(five)
    per_team = plan(*(good(f"Objective {n}", owner=f"p{n}@acme.test", team="t") for n in range(6)))
    found = [f for f in lint(per_team) if f.rule == "too-many-objectives"]
    assert [f.message for f in found] == ["team t has 6 objectives in cycle q1 (more than 5)"]
    five_krs = good(key_results=tuple(metric(f"Rate {n}") for n in range(5)))
    assert "too-many-key-results" not in rules_found(plan(five_krs))


def test_measurable_means_a_number_to_move() -> None:
    def check(kr: DraftKeyResult) -> set[str]:
        return rules_found(plan(good(key_results=(kr, metric("Churn")))))

    assert "kr-not-measurable" in check(DraftKeyResult("Uptime", "stay_above", W("u")))
    assert "kr-not-measurable" not in check(
        DraftKeyResult("Uptime", "stay_above", W("u"), threshold=Decimal("99.9"))
    )
    assert "kr-not-measurable" in check(DraftKeyResult("Latency", "range", W("r"), low=Decimal(1)))
    assert "kr-not-measurable" in check(DraftKeyResult("Launch plan", "milestones", W("m")))
    assert "kr-not-measurable" in check(DraftKeyResult("Website live", "boolean", W("b")))
    assert "kr-not-measurable" not in check(DraftKeyResult("3 offices open", "boolean", W("b")))
    assert "kr-not-measurable" in check(DraftKeyResult("Mood", "vibes", W("v")))
    assert "kr-not-measurable" in check(
        DraftKeyResult("Revenue", "metric", W("x"), target=Decimal(5))
    )
    assert "kr-not-measurable" not in check(metric("Revenue", 0, 5))


def test_an_activity_measured_as_a_number_is_not_task_like() -> None:
    measured = good(key_results=(metric("Complete onboarding for 40 customers", 0, 40),) * 2)
    assert "task-like-kr" not in rules_found(plan(measured))


def test_task_like_key_results_get_their_outcome_form() -> None:
    kr = DraftKeyResult("Complete two leadership programmes", "milestones", W("k"), milestones=2)
    found = [
        f for f in lint(plan(good(key_results=(kr, metric("Churn"))))) if f.rule == "task-like-kr"
    ]
    assert found[0].message.endswith("as an outcome: “Leadership programmes completed: 0 → 2”")


@pytest.mark.parametrize(
    ("title", "outcome"),
    [
        ("Complete two leadership programmes", "Leadership programmes completed: 0 → 2"),
        ("Launch the new website", "New website launched: 0 → 1"),
        ("Hold 12 customer interviews", "Customer interviews held: 0 → 12"),
        ("Set up a design review", "Design review set up: 0 → 1"),
        ("Improve onboarding", ""),
        ("Launch", ""),
    ],
)
def test_outcome_form(title: str, outcome: str) -> None:
    assert wording.outcome_form(title) == outcome


def test_company_level_objectives_stand_alone() -> None:
    top = good(team="company")
    assert "unaligned" not in rules_found(plan(top, top_teams=frozenset({"company"})))
    assert "unaligned" not in rules_found(plan(good()))  # no team: the organization's own
    child = good("Faster sales cycle", team="sales", parents=("o-1",))
    assert "unaligned" not in rules_found(plan(child))


def test_the_reverse_of_a_stretch_is_flagged_too() -> None:
    aspirational = good(kind="aspirational", description="We must ship this, guaranteed")
    found = [f for f in lint(plan(aspirational)) if f.rule == "committed-with-stretch"]
    assert "worded as a commitment" in found[0].message
    assert "committed-with-stretch" not in rules_found(plan(good(kind="committed")))


def test_a_counter_metric_beside_a_volume_passes() -> None:
    with_cost = good(key_results=(metric("Qualified leads", 10, 50), metric("Cost per lead", 9, 6)))
    assert "missing-counter-metric" not in rules_found(plan(with_cost))
    with_health = good(
        key_results=(
            metric("Qualified leads", 10, 50),
            DraftKeyResult("Lead quality", "stay_above", W("h"), threshold=Decimal(7)),
        )
    )
    assert "missing-counter-metric" not in rules_found(plan(with_health))


def test_initiatives_are_due_within_their_cycle() -> None:
    late = DraftInitiative("Migrate billing", W("i"), cycle="q1", due=date(2027, 5, 1))
    found = [f for f in lint(plan(good(), initiatives=(late,))) if f.rule == "due-outside-cycle"]
    assert "initiative “Migrate billing” is due 2027-05-01" in found[0].message


def test_stale_is_judged_on_a_cycle_only() -> None:
    p = FAILING["stale"]
    assert "stale" in rules_found(p, cycle=True)
    assert "stale" not in rules_found(p, cycle=False)


def test_suggest_parent_names_the_likeliest_parent_with_its_reason() -> None:
    parent = good("Faster project delivery for clients", team="company")
    other = good("Hire great engineers", team="company", owner="bo@acme.test")
    child = good("Cut delivery time on client projects", team="pmo", owner="cy@acme.test")
    found = [
        f
        for f in lint(plan(parent, other, child, top_teams=frozenset({"company"})))
        if f.rule == "suggest-parent"
    ]
    assert len(found) == 1 and found[0].level == "info"
    assert found[0].message.startswith("likely parent: “Faster project delivery for clients”")
    assert "shares:" in found[0].message and "deliver" in found[0].message


def test_a_parent_in_an_enclosing_cycle_may_be_suggested() -> None:
    yearly = good("Win enterprise customers", team="company", cycle="y2027")
    child = good("Enterprise customers won in the north", team="north", owner="n@acme.test")
    p = plan(child, top_teams=frozenset({"company"}), context=(yearly,))
    found = [f for f in lint(p) if f.rule == "suggest-parent"]
    assert "Win enterprise customers" in found[0].message


def test_settings_turn_rules_off_and_move_thresholds() -> None:
    p = plan(good(team="sales"), *(good(f"Objective {n}") for n in range(3)))
    config = lint_config.DEFAULTS.overridden(
        {
            "unaligned": lint_config.Choice(enabled=False),
            "suggest-parent": lint_config.Choice(enabled=False),
            "too-many-objectives": lint_config.Choice(threshold=2),
        }
    )
    found = {f.rule for f in lint(p, config)}
    assert "unaligned" not in found and "too-many-objectives" in found


def test_plan_score_is_the_share_of_judging_rules_passed() -> None:
    p = plan(good(), good("Grow revenue by 20 %", owner=""))
    findings = lint(p, cycle=True)
    scores = plan_scores(p, findings, lint_config.DEFAULTS)
    judging = len([r for r in RULES.values() if r.level != "info"])
    assert scores[0].passed == scores[0].checked == judging
    assert scores[1].passed == judging - 2  # objective-has-metric, no-owner
    assert pooled(scores).passed == 2 * judging - 2
    assert scores[0].share == Decimal(1)
    assert replace(scores[1]).share == (Decimal(judging - 2) / judging).quantize(Decimal("0.01"))
