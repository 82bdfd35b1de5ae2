"""The demo organization: Northwind Labs, a product company with a year of OKRs.

`build_demo(today)` returns an OKR file (docs/okr-file.md) as `yaml.safe_load` would give
it: plain dicts and lists, dates as `datetime.date`, numbers as int or float. `pacer demo`
imports it. Everything is relative to `today`: the calendar year, the current quarter
(active), the previous one (closed) and the next one (planning, two draft objectives), with
weekly check-ins from each cycle's start up to `today` (yes/no key results report every other
week until done). The same `today` and `seed` always give the same document.

The content is written as templates (`Obj`, `KR`) and a small simulator turns each key
result's `pace` (the share of the straight-line pace it keeps) into a plausible history, so
that statuses mix: some key results are ahead or done, some slip, some are off track.
"""

import calendar
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pacer.okrs import progress as engine
from pacer.okrs import rules
from pacer.okrs.progress import AT_RISK, DONE, OFF_TRACK, ON_TRACK

if TYPE_CHECKING:  # the document is built without the ORM; only loading work needs it
    from pacer.okrs.models import Organization

ORGANIZATION = "Northwind Labs"
ADMIN_EMAIL = "admin@demo.example"
MEMBER_EMAIL = "member@demo.example"
DEMO_PASSWORD = "pacer-demo"
DOMAIN = "demo.example"

# --- People and teams ----------------------------------------------------------------------

# key: (name, email or "" for first.last@demo.example, admin, active)
PEOPLE: dict[str, tuple[str, str, bool, bool]] = {
    "helena": ("Helena Fischer", "", False, True),  # CEO
    "admin": ("Alex Morgan", ADMIN_EMAIL, True, True),  # Head of Operations
    "priya": ("Priya Raman", "", False, True),  # VP Product
    "marcus": ("Marcus Okafor", "", False, True),  # VP Engineering
    "sofia": ("Sofia Alvarez", "", False, True),  # Head of Customer Success
    "daniel": ("Daniel Kim", "", False, True),  # Head of Marketing & Sales
    "grace": ("Grace Nakamura", "", False, True),  # Head of the PMO
    "member": ("Jordan Lee", MEMBER_EMAIL, False, True),  # Product manager
    "chloe": ("Chloe Martin", "", False, True),
    "noah": ("Noah Becker", "", False, True),
    "emma": ("Emma Schulz", "", False, True),
    "liam": ("Liam O'Connor", "liam.oconnor@demo.example", False, True),
    "ethan": ("Ethan Brooks", "", False, True),
    "mia": ("Mia Rossi", "", False, True),
    "lucas": ("Lucas Silva", "", False, True),
    "hannah": ("Hannah Weber", "", False, True),
    "oliver": ("Oliver Dubois", "", False, True),
    "aisha": ("Aisha Khan", "", False, True),
    "ravi": ("Ravi Patel", "", False, True),
    "julia": ("Julia Novak", "", False, True),
    "tom": ("Tom Eriksen", "", False, True),
    "fatima": ("Fatima Haddad", "", False, True),
    "ben": ("Ben Carter", "", False, True),
    "nina": ("Nina Petrova", "", False, True),
    "laura": ("Laura Jensen", "", False, True),
    "kenji": ("Kenji Watanabe", "", False, True),
    "isabel": ("Isabel Costa", "", False, True),
    "peter": ("Peter Lindqvist", "", False, False),  # left after last quarter
}

# (ref, name, parent, members, leads): a tree three levels deep.
TEAMS: list[tuple[str, str, str | None, list[str], list[str]]] = [
    (
        "northwind",
        ORGANIZATION,
        None,
        ["helena", "admin", "priya", "marcus", "sofia", "daniel", "grace"],
        ["helena"],
    ),
    ("product", "Product", "northwind", ["priya"], ["priya"]),
    ("design", "Design", "product", ["emma", "liam"], ["emma"]),
    ("growth", "Growth", "product", ["chloe", "member", "noah"], ["chloe"]),
    ("engineering", "Engineering", "northwind", ["marcus"], ["marcus"]),
    ("platform", "Platform", "engineering", ["ethan", "mia"], ["ethan"]),
    ("web-app", "Web App", "engineering", ["lucas", "hannah", "member"], ["lucas"]),
    ("mobile", "Mobile", "engineering", ["oliver", "aisha"], ["oliver"]),
    ("customer-success", "Customer Success", "northwind", ["sofia"], ["sofia"]),
    ("support", "Support", "customer-success", ["ravi", "julia"], ["ravi"]),
    ("onboarding", "Onboarding", "customer-success", ["tom", "fatima"], ["tom"]),
    ("marketing-sales", "Marketing & Sales", "northwind", ["daniel"], ["daniel"]),
    ("demand-gen", "Demand Generation", "marketing-sales", ["laura"], ["laura"]),
    ("sales", "Sales", "marketing-sales", ["ben", "nina"], ["ben"]),
    (
        "pmo",
        "Project Management Office",
        "northwind",
        ["grace", "kenji", "isabel", "admin"],
        ["grace"],
    ),
]


def give_everyone_the_demo_password(emails: Iterable[str]) -> int:
    """Every demo person signs in with their email and DEMO_PASSWORD (a deactivated one
    still cannot). One hash for all: hashing it once per person would take seconds."""
    from django.contrib.auth.hashers import make_password

    from pacer.accounts.models import User

    people = User.objects.filter(email__in=list(emails))
    return people.update(password=make_password(DEMO_PASSWORD))


def email_of(key: str) -> str:
    name, email, _, _ = PEOPLE[key]
    if email:
        return email
    first, last = name.lower().replace("'", "").split(" ", 1)
    return f"{first}.{last.replace(' ', '')}@{DOMAIN}"


# --- Templates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KR:
    """A key result template plus how its history unfolds.

    `pace`: for metrics the share of the straight-line pace kept (1.0 on pace, 0.5 half,
    above 1 ahead; done once it reaches the target); for milestones the speed against the
    plan. `done_at`: for booleans the share of the window after which it is done (None:
    not done). `level`/`spread`/`breach`/`last_ok`: how health metrics move.
    """

    slug: str
    title: str
    type: str
    owner: str | None = None
    weight: int = 1
    unit: str = ""
    start: float | None = None
    target: float | None = None
    threshold: float | None = None
    low: float | None = None
    high: float | None = None
    pace: float = 1.0
    shape: float = 1.0
    noise: float = 0.02
    step: float = 1
    cumulative: bool = False
    done_at: float | None = None
    due_at: float | None = None
    level: float = 0.0
    spread: float = 0.0
    breach: float = 0.0
    last_ok: bool = True
    milestones: tuple[tuple[str, int, float], ...] = ()
    monthly: str = ""
    linked: str = ""
    notes: tuple[str, ...] = ()
    override: tuple[float, str] | None = None
    every: int = 1


@dataclass(frozen=True)
class Obj:
    slug: str
    title: str
    team: str
    owner: str
    krs: tuple[KR, ...]
    kind: str = "aspirational"
    private: bool = False
    parents: tuple[str, ...] = ()  # "year:<slug>" or the slug of an objective of the same cycle
    description: str = ""
    retro: tuple[str, str, str] | None = None  # went_well, went_wrong, learned
    override: tuple[float, str] | None = None


def metric(
    slug: str, title: str, start: float, target: float, unit: str, pace: float, **kw: Any
) -> KR:
    return KR(slug, title, engine.METRIC, unit=unit, start=start, target=target, pace=pace, **kw)


def boolean(slug: str, title: str, done_at: float | None, **kw: Any) -> KR:
    return KR(slug, title, engine.BOOLEAN, done_at=done_at, every=2, **kw)


def milestones(
    slug: str, title: str, items: Iterable[tuple[str, int, float]], pace: float, **kw: Any
) -> KR:
    return KR(slug, title, engine.MILESTONES, milestones=tuple(items), pace=pace, **kw)


def monthly(slug: str, title: str, template: str, pace: float, **kw: Any) -> KR:
    return KR(slug, title, engine.MILESTONES, monthly=template, pace=pace, **kw)


def above(
    slug: str, title: str, threshold: float, unit: str, level: float, spread: float, **kw: Any
) -> KR:
    return KR(
        slug,
        title,
        engine.STAY_ABOVE,
        unit=unit,
        threshold=threshold,
        level=level,
        spread=spread,
        **kw,
    )


def below(
    slug: str, title: str, threshold: float, unit: str, level: float, spread: float, **kw: Any
) -> KR:
    return KR(
        slug,
        title,
        engine.STAY_BELOW,
        unit=unit,
        threshold=threshold,
        level=level,
        spread=spread,
        **kw,
    )


def band(
    slug: str,
    title: str,
    low: float,
    high: float,
    unit: str,
    level: float,
    spread: float,
    **kw: Any,
) -> KR:
    return KR(
        slug, title, engine.RANGE, unit=unit, low=low, high=high, level=level, spread=spread, **kw
    )


def linked(slug: str, title: str, objective: str, **kw: Any) -> KR:
    return KR(slug, title, engine.LINKED, linked=objective, **kw)


def work(slug: str, title: str, **kw: Any) -> KR:
    """A key result of type initiatives: its progress comes from the work in WORK."""
    return KR(slug, title, engine.INITIATIVES, **kw)


# The company's objectives for the year (team "northwind").
YEAR_OBJECTIVES = (
    Obj(
        "growth",
        "Become the planning tool mid-size product teams choose first",
        "northwind",
        "helena",
        kind="aspirational",
        description="Grow revenue and paying teams while keeping the customers we win.",
        krs=(
            metric(
                "arr",
                "Grow ARR from 2.4M to 4.0M EUR",
                2_400_000,
                4_000_000,
                "EUR",
                0.86,
                owner="daniel",
                step=10_000,
                cumulative=True,
                notes=(
                    "Two mid-size renewals came in early.",
                    "Enterprise deals slipping into next quarter.",
                    "Price increase for new customers live.",
                    "Strong month for expansions.",
                ),
            ),
            metric(
                "paying-teams",
                "Paying teams from 310 to 600",
                310,
                600,
                "teams",
                0.97,
                owner="priya",
                cumulative=True,
                notes=(
                    "Self-serve plan converting better since the new trial.",
                    "Summer dip in sign-ups, as every year.",
                ),
            ),
            above(
                "nrr",
                "Net revenue retention stays above 105 %",
                105,
                "%",
                108,
                1.5,
                step=0.5,
                breach=0.1,
                owner="sofia",
            ),
        ),
    ),
    Obj(
        "customers",
        "Delight customers so they stay and grow with us",
        "northwind",
        "sofia",
        kind="aspirational",
        krs=(
            metric(
                "nps",
                "Raise NPS from 32 to 50",
                32,
                50,
                "points",
                0.74,
                owner="sofia",
                noise=0.05,
                notes=(
                    "Survey wave done; detractors cite slow support answers.",
                    "Planning board beta users score much higher.",
                ),
            ),
            below(
                "logo-churn",
                "Monthly logo churn stays below 1.5 %",
                1.5,
                "%",
                1.2,
                0.2,
                step=0.1,
                breach=0.15,
                owner="sofia",
            ),
        ),
    ),
    Obj(
        "reliability",
        "Run a fast, reliable platform customers never have to think about",
        "northwind",
        "marcus",
        kind="committed",
        krs=(
            above(
                "uptime",
                "Uptime stays above 99.9 %",
                99.9,
                "%",
                99.95,
                0.03,
                step=0.01,
                breach=0.08,
                owner="ethan",
            ),
            metric(
                "incidents",
                "Cut Sev-1/2 incidents from 6 to 1 a month",
                6,
                1,
                "incidents",
                0.8,
                owner="marcus",
                noise=0.08,
                notes=(
                    "Two incidents from the same queue backlog; fix planned.",
                    "Quiet month thanks to the new failover.",
                ),
            ),
        ),
    ),
    Obj(
        "people",
        "Build a team people are proud to work in",
        "northwind",
        "admin",
        kind="aspirational",
        krs=(
            above(
                "engagement",
                "Engagement score stays above 75",
                75,
                "points",
                78,
                2,
                breach=0.1,
                owner="admin",
            ),
            below(
                "attrition",
                "Regretted attrition stays below 8 %",
                8,
                "%",
                6,
                1,
                step=0.1,
                owner="admin",
            ),
            metric(
                "leads-trained",
                "Team leads through the leadership programme: 0 to 8",
                0,
                8,
                "leads",
                0.9,
                owner="admin",
                cumulative=True,
            ),
        ),
    ),
)

# The current quarter. Departments align to the year's company objectives, teams to their
# department; a few objectives support two parents.
CURRENT_OBJECTIVES = (
    Obj(
        "product-effortless",
        "Make planning in Northwind effortless for new teams",
        "product",
        "priya",
        parents=("year:growth", "year:customers"),
        krs=(
            metric(
                "first-plan",
                "Time to first plan for new teams from 5 to 2 days",
                5,
                2,
                "days",
                1.0,
                owner="priya",
                step=0.1,
                noise=0.04,
                notes=(
                    "Template gallery cut a day off for most new teams.",
                    "Import from spreadsheets helps larger accounts.",
                ),
            ),
            metric(
                "weekly-active",
                "Weekly active teams from 58 % to 70 %",
                58,
                70,
                "%",
                0.78,
                owner="noah",
                step=0.1,
                noise=0.04,
            ),
            linked("growth-link", "Growth delivers its conversion objective", "growth-conversion"),
        ),
    ),
    Obj(
        "growth-conversion",
        "Lift trial-to-paid conversion",
        "growth",
        "member",
        parents=("product-effortless", "sales-pipeline"),
        description="More trials should become paying teams; pricing and onboarding both help.",
        krs=(
            metric(
                "trial-to-paid",
                "Trial-to-paid conversion from 9 % to 13 %",
                9,
                13,
                "%",
                0.72,
                owner="member",
                step=0.1,
                noise=0.04,
                weight=2,
                notes=(
                    "Trial emails rewritten; first cohort looks better.",
                    "Conversion dipped after the sign-up form change; reverting.",
                    "Paywall copy test running.",
                ),
            ),
            boolean(
                "pricing-test",
                "Pricing page experiment shipped",
                None,
                owner="member",
                notes=(
                    "Variant designs ready.",
                    "Waiting on the billing team for the new plan IDs.",
                ),
            ),
            metric(
                "checklist",
                "Onboarding checklist completion from 35 % to 60 %",
                35,
                60,
                "%",
                1.05,
                owner="noah",
                step=1,
                noise=0.03,
            ),
        ),
    ),
    Obj(
        "growth-pricing",
        "Prepare the new pricing and packaging",
        "growth",
        "chloe",
        kind="committed",
        private=True,
        parents=("year:growth",),
        description="Confidential until the board approves the new price list.",
        krs=(
            milestones(
                "pricing-work",
                "Pricing work packages",
                [
                    ("Interview 15 customers on value", 1, 0.2),
                    ("Competitor benchmark", 1, 0.35),
                    ("Draft packaging and price points", 2, 0.6),
                    ("Finance and board sign-off", 1, 0.9),
                ],
                1.1,
                owner="chloe",
            ),
            metric(
                "wtp-survey",
                "Willingness-to-pay survey responses from 0 to 200",
                0,
                200,
                "responses",
                0.9,
                owner="member",
                cumulative=True,
                step=5,
            ),
        ),
    ),
    Obj(
        "design-consistent",
        "Give Northwind a consistent, accessible interface",
        "design",
        "emma",
        parents=("product-effortless",),
        krs=(
            metric(
                "screens",
                "Screens on the new design system from 0 to 120",
                0,
                120,
                "screens",
                0.9,
                owner="liam",
                cumulative=True,
            ),
            metric(
                "a11y",
                "Open WCAG 2.1 AA issues from 48 to 5",
                48,
                5,
                "issues",
                1.25,
                owner="emma",
                noise=0.03,
                notes=("Contrast fixes merged.", "Keyboard navigation on the board done."),
            ),
            monthly(
                "usability",
                "Monthly usability test rounds",
                "{month} usability round",
                1.0,
                owner="emma",
            ),
        ),
    ),
    Obj(
        "eng-dependable",
        "Make Northwind fast and dependable",
        "engineering",
        "marcus",
        kind="committed",
        parents=("year:reliability",),
        krs=(
            below(
                "latency",
                "p95 API latency stays below 300 ms",
                300,
                "ms",
                240,
                25,
                breach=0.15,
                last_ok=False,
                owner="ethan",
                notes=(
                    "Report queries are the slowest endpoints.",
                    "Cache for board queries in review.",
                ),
            ),
            linked(
                "platform-link",
                "Platform removes the top causes of incidents",
                "platform-incidents",
            ),
            metric(
                "lead-time",
                "Deploy lead time from 3 to 1 days",
                3,
                1,
                "days",
                1.1,
                owner="marcus",
                step=0.1,
                noise=0.04,
            ),
        ),
    ),
    Obj(
        "platform-incidents",
        "Remove the top causes of incidents",
        "platform",
        "ethan",
        kind="committed",
        parents=("eng-dependable",),
        krs=(
            above(
                "uptime-q",
                "Uptime stays above 99.9 %",
                99.9,
                "%",
                99.96,
                0.03,
                step=0.01,
                breach=0.1,
                owner="mia",
            ),
            metric(
                "alerts",
                "Alerts per on-call week from 40 to 15",
                40,
                15,
                "alerts",
                0.55,
                owner="mia",
                noise=0.06,
                notes=(
                    "Noisy disk alerts silenced.",
                    "New alerts from the queue migration.",
                    "On-call review every Friday now.",
                ),
            ),
            milestones(
                "failover",
                "Database failover you can trust",
                [
                    ("Runbook written", 1, 0.15),
                    ("Failover drill in staging", 1, 0.4),
                    ("Failover drill in production", 2, 0.8),
                ],
                0.95,
                owner="ethan",
            ),
            work(
                "incident-work",
                "Fix what caused last quarter's three worst incidents",
                owner="ethan",
            ),
        ),
    ),
    Obj(
        "webapp-board",
        "Ship the redesigned planning board",
        "web-app",
        "lucas",
        parents=("product-effortless", "eng-dependable"),
        krs=(
            boolean(
                "board-beta",
                "Planning board beta live for all customers",
                0.45,
                owner="lucas",
                weight=2,
                notes=(
                    "Feature flag ready.",
                    "Beta open to 20 % of accounts.",
                    "Beta live for everyone.",
                ),
            ),
            metric(
                "board-rating",
                "Beta users rating the board 4+ out of 5 from 0 to 80 %",
                0,
                80,
                "%",
                0.92,
                owner="hannah",
                noise=0.04,
            ),
            below(
                "fe-errors",
                "Front-end error rate stays below 0.5 %",
                0.5,
                "%",
                0.3,
                0.08,
                step=0.01,
                breach=0.12,
                owner="hannah",
            ),
        ),
    ),
    Obj(
        "webapp-research",
        "Understand how teams plan with the board",
        "web-app",
        "member",
        parents=("webapp-board",),
        krs=(
            metric(
                "interviews",
                "Customer interviews from 0 to 12",
                0,
                12,
                "interviews",
                1.1,
                owner="member",
                cumulative=True,
                notes=(
                    "Two interviews with agencies this week.",
                    "Synthesis board shared with design.",
                ),
            ),
            boolean("usage-dashboard", "Board usage dashboard live", 0.3, owner="member"),
        ),
    ),
    Obj(
        "mobile-offline",
        "Bring offline check-ins to mobile",
        "mobile",
        "oliver",
        parents=("product-effortless",),
        krs=(
            milestones(
                "offline-sync",
                "Offline sync",
                [
                    ("Sync protocol designed", 1, 0.2),
                    ("Conflict resolution", 2, 0.5),
                    ("Beta on TestFlight and Play", 1, 0.75),
                    ("General release", 1, 0.95),
                ],
                0.8,
                owner="aisha",
            ),
            metric(
                "store-rating",
                "App store rating from 3.9 to 4.5",
                3.9,
                4.5,
                "stars",
                0.45,
                owner="oliver",
                step=0.1,
                noise=0.05,
                notes=(
                    "Reviews still mention the login bug.",
                    "Login bug fixed; ratings take time to move.",
                ),
            ),
            above(
                "crash-free",
                "Crash-free sessions stay above 99.5 %",
                99.5,
                "%",
                99.7,
                0.1,
                step=0.01,
                breach=0.1,
                owner="aisha",
            ),
        ),
    ),
    Obj(
        "cs-value",
        "Help every customer reach value in their first month",
        "customer-success",
        "sofia",
        parents=("year:customers",),
        krs=(
            metric(
                "csat",
                "Customer satisfaction (CSAT) from 82 % to 90 %",
                82,
                90,
                "%",
                0.85,
                owner="sofia",
                step=0.1,
                noise=0.05,
            ),
            below(
                "backlog",
                "Support backlog stays below 120 tickets",
                120,
                "tickets",
                95,
                15,
                breach=0.15,
                owner="ravi",
            ),
            linked("onboarding-link", "Onboarding activates new accounts", "onboarding-activate"),
        ),
    ),
    Obj(
        "support-faster",
        "Answer faster without losing quality",
        "support",
        "ravi",
        parents=("cs-value",),
        krs=(
            metric(
                "first-response",
                "First response time from 6 to 2 hours",
                6,
                2,
                "hours",
                1.0,
                owner="julia",
                step=0.1,
                noise=0.04,
                notes=("Triage rota started.", "Macros for the top 10 questions live."),
            ),
            metric(
                "deflected",
                "Tickets deflected by help-centre articles from 120 to 300",
                120,
                300,
                "tickets",
                0.7,
                owner="ravi",
                noise=0.03,
            ),
            band(
                "quality",
                "Quality review score between 85 and 95 %",
                85,
                95,
                "%",
                90,
                2.5,
                step=0.5,
                breach=0.12,
                owner="ravi",
            ),
        ),
    ),
    Obj(
        "onboarding-activate",
        "Activate new accounts within 30 days",
        "onboarding",
        "tom",
        parents=("cs-value", "year:growth"),
        krs=(
            metric(
                "activated",
                "Accounts activated within 30 days from 55 % to 75 %",
                55,
                75,
                "%",
                0.9,
                owner="fatima",
                noise=0.04,
            ),
            monthly(
                "webinars",
                "Monthly onboarding webinars",
                "{month} onboarding webinar",
                1.0,
                owner="fatima",
            ),
            metric(
                "time-to-value",
                "Time to first value from 14 to 7 days",
                14,
                7,
                "days",
                1.3,
                owner="tom",
                step=0.5,
                noise=0.04,
            ),
        ),
    ),
    Obj(
        "sales-pipeline",
        "Build a predictable pipeline",
        "marketing-sales",
        "daniel",
        parents=("year:growth",),
        krs=(
            metric(
                "new-arr",
                "New ARR from 0 to 450,000 EUR",
                0,
                450_000,
                "EUR",
                0.82,
                owner="daniel",
                step=5_000,
                cumulative=True,
                weight=2,
                notes=("Two mid-size deals signed.", "Big deal pushed to next month."),
            ),
            metric(
                "sqls",
                "Sales-qualified leads from 0 to 240",
                0,
                240,
                "leads",
                1.1,
                owner="laura",
                cumulative=True,
            ),
            below(
                "cac",
                "Customer acquisition cost stays below 4,000 EUR",
                4000,
                "EUR",
                3600,
                250,
                step=50,
                breach=0.15,
                owner="daniel",
            ),
        ),
    ),
    Obj(
        "demand-voice",
        "Make Northwind the voice of modern planning",
        "demand-gen",
        "laura",
        parents=("sales-pipeline",),
        krs=(
            metric(
                "signups",
                "Organic sign-ups per month from 400 to 700",
                400,
                700,
                "sign-ups",
                0.95,
                owner="laura",
                step=5,
                noise=0.05,
            ),
            monthly(
                "webinar-series", "Planning webinar series", "{month} webinar", 0.9, owner="laura"
            ),
            metric(
                "newsletter",
                "Newsletter subscribers from 5,200 to 8,000",
                5200,
                8000,
                "subscribers",
                0.6,
                owner="laura",
                step=10,
                cumulative=True,
            ),
        ),
    ),
    Obj(
        "sales-contoso",
        "Win the Contoso Group expansion",
        "sales",
        "ben",
        kind="committed",
        private=True,
        parents=("sales-pipeline",),
        description="Negotiation details stay within the sales team.",
        krs=(
            metric(
                "contoso-seats",
                "Contoso seats from 150 to 600",
                150,
                600,
                "seats",
                0.7,
                owner="ben",
                step=10,
                cumulative=True,
                notes=("Procurement asked for a new quote.", "Pilot in their EMEA office."),
            ),
            boolean("contoso-security", "Contoso security review passed", 0.55, owner="nina"),
        ),
    ),
    Obj(
        "sales-cycle",
        "Shorten the sales cycle",
        "sales",
        "ben",
        parents=("sales-pipeline",),
        krs=(
            metric(
                "cycle-days",
                "Average sales cycle from 45 to 30 days",
                45,
                30,
                "days",
                0.5,
                owner="nina",
                noise=0.05,
                notes=("Legal review is the longest step.", "Standard contract template drafted."),
            ),
            above(
                "win-rate",
                "Win rate stays above 25 %",
                25,
                "%",
                28,
                2.5,
                breach=0.15,
                last_ok=False,
                owner="ben",
            ),
        ),
    ),
    Obj(
        "pmo-delivery",
        "Enhance project delivery efficiency and quality",
        "pmo",
        "grace",
        kind="committed",
        parents=("year:customers",),
        description="Projects for clients finish sooner and better, with one way of working.",
        krs=(
            metric(
                "tool-adoption",
                "Project management tool adoption from 0 to 90 %",
                0,
                90,
                "%",
                1.05,
                owner="isabel",
                cumulative=True,
                weight=2,
                notes=(
                    "Pilot with two delivery teams.",
                    "Training sessions for CS booked.",
                    "Old tracker set to read-only.",
                ),
            ),
            metric(
                "delivery-time",
                "Reduce average delivery time by 15 % (40 to 34 days)",
                40,
                34,
                "days",
                0.8,
                owner="kenji",
                step=0.5,
                noise=0.05,
                notes=(
                    "Waiting for client sign-off is the biggest delay.",
                    "Weekly client demos shorten feedback loops.",
                ),
            ),
            metric(
                "client-sat",
                "Client satisfaction from 78 % to 90 %",
                78,
                90,
                "%",
                0.9,
                owner="grace",
                noise=0.05,
            ),
        ),
    ),
    Obj(
        "kenji-leadership",
        "Develop leadership and team management skills",
        "pmo",
        "kenji",
        parents=("year:people",),
        description="My growth as a new team lead.",
        krs=(
            metric(
                "programmes",
                "Complete 2 leadership programmes",
                0,
                2,
                "programmes",
                0.8,
                owner="kenji",
                cumulative=True,
                noise=0.0,
                notes=("Started the coaching programme.", "First programme certificate received."),
            ),
            monthly(
                "feedback",
                "Monthly feedback sessions with my team",
                "{month} feedback sessions",
                1.0,
                owner="kenji",
            ),
            metric(
                "team-engagement",
                "Team engagement score from 68 to 80",
                68,
                80,
                "points",
                0.7,
                owner="kenji",
                noise=0.05,
            ),
        ),
    ),
    Obj(
        "exec-fundraise",
        "Prepare the Series B fundraise",
        "northwind",
        "helena",
        kind="committed",
        private=True,
        parents=("year:growth",),
        krs=(
            milestones(
                "data-room",
                "Investor readiness",
                [
                    ("Financial model updated", 1, 0.2),
                    ("Data room complete", 1, 0.45),
                    ("Investor shortlist agreed with the board", 1, 0.6),
                    ("First partner meetings", 2, 0.9),
                ],
                1.0,
                owner="helena",
            ),
            metric(
                "investor-meetings",
                "Investor meetings from 0 to 20",
                0,
                20,
                "meetings",
                0.95,
                owner="helena",
                cumulative=True,
                shape=1.4,
            ),
        ),
    ),
)

# The previous quarter, closed: final numbers, a few overrides and retrospectives.
PREVIOUS_OBJECTIVES = (
    Obj(
        "product-trials",
        "Find out why trials stall",
        "product",
        "priya",
        parents=("year:growth",),
        retro=(
            "Thirty interviews in six weeks gave us a clear picture.",
            "The third drop-off fix needed backend work we had not planned.",
            "Involve engineering in the discovery kick-off.",
        ),
        krs=(
            metric(
                "trial-interviews",
                "Trial users interviewed from 0 to 30",
                0,
                30,
                "interviews",
                1.15,
                owner="priya",
                cumulative=True,
            ),
            boolean("funnel-dashboard", "Activation funnel dashboard live", 0.3, owner="noah"),
            milestones(
                "dropoffs",
                "Top 3 drop-off causes fixed",
                [
                    ("Empty state on first login", 1, 0.4),
                    ("Invite flow", 1, 0.65),
                    ("Calendar sync errors", 1, 0.9),
                ],
                0.85,
                owner="priya",
            ),
        ),
    ),
    Obj(
        "growth-experiments",
        "Run a disciplined experiment programme",
        "growth",
        "member",
        parents=("product-trials",),
        retro=(
            "A weekly experiment review kept the pipeline full.",
            "Too many small copy tests; few moved the needle.",
            "Fewer, bolder experiments with a clear hypothesis.",
        ),
        krs=(
            metric(
                "experiments",
                "Experiments shipped from 0 to 12",
                0,
                12,
                "experiments",
                0.76,
                owner="member",
                cumulative=True,
            ),
            above(
                "win-rate-exp",
                "Experiment win rate stays above 20 %",
                20,
                "%",
                22,
                3,
                breach=0.2,
                last_ok=False,
                owner="member",
            ),
        ),
    ),
    Obj(
        "design-foundations",
        "Launch the design system foundations",
        "design",
        "emma",
        parents=("product-trials",),
        krs=(
            milestones(
                "ds-foundations",
                "Design system foundations",
                [
                    ("Design tokens", 1, 0.25),
                    ("Core components", 2, 0.6),
                    ("Documentation site", 1, 0.85),
                ],
                1.05,
                owner="emma",
            ),
            metric(
                "components",
                "Components documented from 0 to 40",
                0,
                40,
                "components",
                1.0,
                owner="liam",
                cumulative=True,
            ),
        ),
    ),
    Obj(
        "eng-cost",
        "Cut the cost of running Northwind",
        "engineering",
        "marcus",
        parents=("year:reliability",),
        krs=(
            metric(
                "cloud-spend",
                "Cloud spend per month from 48,000 to 40,000 EUR",
                48_000,
                40_000,
                "EUR",
                0.9,
                owner="marcus",
                step=100,
                noise=0.04,
            ),
            metric(
                "ci-time",
                "Test suite runtime from 25 to 12 minutes",
                25,
                12,
                "minutes",
                1.1,
                owner="hannah",
                noise=0.04,
            ),
            linked("postgres-link", "Platform moves to managed PostgreSQL", "platform-postgres"),
        ),
    ),
    Obj(
        "platform-postgres",
        "Move to managed PostgreSQL",
        "platform",
        "ethan",
        kind="committed",
        parents=("eng-cost",),
        retro=(
            "Two dry runs made the cut-over boring, in the best way.",
            "The staging copy was too small to show the slow queries.",
            "Rehearse with production-sized data.",
        ),
        krs=(
            milestones(
                "migration",
                "Migration steps",
                [
                    ("Staging migrated", 1, 0.3),
                    ("Production dry run", 1, 0.6),
                    ("Production cut-over", 2, 0.85),
                ],
                1.1,
                owner="ethan",
            ),
            below(
                "cutover-downtime",
                "Downtime during the cut-over stays below 30 minutes",
                30,
                "minutes",
                12,
                4,
                owner="mia",
            ),
        ),
    ),
    Obj(
        "webapp-instant",
        "Make the web app feel instant",
        "web-app",
        "lucas",
        parents=("eng-cost",),
        krs=(
            metric(
                "lcp",
                "Largest Contentful Paint from 3.2 to 1.8 s",
                3.2,
                1.8,
                "s",
                0.68,
                owner="lucas",
                step=0.1,
                noise=0.04,
                override=(
                    0.8,
                    "Real-user monitoring, live since the last week of the quarter, shows a "
                    "median of 2.1 s; the lab number lags behind.",
                ),
            ),
            metric(
                "bundle",
                "JavaScript bundle from 1,400 to 900 KB",
                1400,
                900,
                "KB",
                0.9,
                owner="hannah",
                step=10,
                noise=0.03,
            ),
        ),
    ),
    Obj(
        "cs-churn",
        "Reduce churn in the first 90 days",
        "customer-success",
        "sofia",
        parents=("year:customers",),
        override=(
            0.6,
            "Health score coverage is complete, but churn itself moved less than half way; "
            "we grade the outcome, not the activity.",
        ),
        retro=(
            "Health scores flagged most at-risk accounts in time.",
            "We had no playbook for accounts that never activated.",
            "Agree on metric definitions before the quarter starts.",
        ),
        krs=(
            metric(
                "churn-90",
                "90-day churn from 6 % to 3.5 %",
                6,
                3.5,
                "%",
                0.6,
                owner="sofia",
                step=0.1,
                noise=0.04,
            ),
            metric(
                "health-coverage",
                "Health score coverage from 40 % to 100 %",
                40,
                100,
                "%",
                1.02,
                owner="tom",
                cumulative=True,
            ),
        ),
    ),
    Obj(
        "support-helpcentre",
        "Launch the help centre",
        "support",
        "ravi",
        parents=("cs-churn",),
        krs=(
            metric(
                "articles",
                "Help-centre articles published from 0 to 80",
                0,
                80,
                "articles",
                1.15,
                owner="julia",
                cumulative=True,
            ),
            metric(
                "tickets-per-100",
                "Tickets per 100 accounts from 35 to 25",
                35,
                25,
                "tickets",
                0.8,
                owner="ravi",
                noise=0.05,
            ),
        ),
    ),
    Obj(
        "onboarding-standard",
        "Standardise onboarding for mid-size customers",
        "onboarding",
        "tom",
        parents=("cs-churn", "sales-enterprise"),
        krs=(
            metric(
                "onboarded-21",
                "Onboarding completed within 21 days from 40 % to 70 %",
                40,
                70,
                "%",
                0.95,
                owner="fatima",
                noise=0.04,
            ),
            boolean("playbook", "Onboarding playbook published", 0.5, owner="tom"),
        ),
    ),
    Obj(
        "sales-enterprise",
        "Open the enterprise segment",
        "marketing-sales",
        "daniel",
        parents=("year:growth",),
        krs=(
            metric(
                "ent-pipeline",
                "Enterprise pipeline from 0 to 800,000 EUR",
                0,
                800_000,
                "EUR",
                0.72,
                owner="daniel",
                step=10_000,
                cumulative=True,
            ),
            linked("logos-link", "Sales lands three enterprise logos", "sales-logos"),
        ),
    ),
    Obj(
        "sales-logos",
        "Land three enterprise logos",
        "sales",
        "peter",
        kind="committed",
        parents=("sales-enterprise",),
        override=(
            0.5,
            "The second contract came with a 40 % discount we would not repeat; the team "
            "agreed 0.5 is the honest grade.",
        ),
        retro=(
            "Security questionnaires are now answered in days, not weeks.",
            "Two deals stalled in procurement for the whole quarter.",
            "Bring procurement in at the first meeting.",
        ),
        krs=(
            metric(
                "contracts",
                "Enterprise contracts signed from 0 to 3",
                0,
                3,
                "contracts",
                0.67,
                owner="peter",
                cumulative=True,
                noise=0.0,
            ),
        ),
    ),
    Obj(
        "demand-website",
        "Relaunch the website",
        "demand-gen",
        "laura",
        parents=("sales-enterprise",),
        krs=(
            boolean("website-live", "New website live", 0.55, owner="laura"),
            metric(
                "site-conversion",
                "Website conversion from 1.8 % to 2.5 %",
                1.8,
                2.5,
                "%",
                0.5,
                owner="laura",
                step=0.05,
                noise=0.05,
            ),
        ),
    ),
    Obj(
        "pmo-playbook",
        "Introduce a common delivery playbook",
        "pmo",
        "grace",
        kind="committed",
        parents=("year:customers",),
        retro=(
            "Pilot teams shaped the playbook; adoption followed.",
            "Roll-out to the last team slipped by two weeks.",
            "Start with templates people already use.",
        ),
        krs=(
            milestones(
                "playbook-steps",
                "Playbook roll-out",
                [
                    ("Playbook drafted", 1, 0.3),
                    ("Piloted with two teams", 1, 0.6),
                    ("Rolled out to all delivery teams", 2, 0.9),
                ],
                1.0,
                owner="grace",
            ),
            metric(
                "playbook-projects",
                "Projects using the playbook template from 0 to 12",
                0,
                12,
                "projects",
                0.85,
                owner="isabel",
                cumulative=True,
            ),
        ),
    ),
    Obj(
        "exec-budget",
        "Close next year's budget",
        "northwind",
        "helena",
        kind="committed",
        private=True,
        krs=(
            milestones(
                "budget-steps",
                "Budget steps",
                [
                    ("Department budgets drafted", 1, 0.4),
                    ("Board review", 1, 0.75),
                    ("Budget approved", 1, 0.95),
                ],
                1.0,
                owner="helena",
            ),
            above("runway", "Runway stays above 24 months", 24, "months", 27, 1.5, owner="helena"),
        ),
    ),
)

# --- Generic check-in notes ---------------------------------------------------------------

NOTES = {
    ON_TRACK: (
        "On plan.",
        "Steady week, no blockers.",
        "Good week; the trend holds.",
        "Moving as planned.",
        "Reviewed in the team weekly; on course.",
        "Small step forward this week.",
    ),
    AT_RISK: (
        "Slower than planned; watching it closely.",
        "Lost two days to reviews; catching up next week.",
        "The trend is flattening and needs a push.",
        "Holiday week, less got done.",
        "Waiting on another team; asked for a date.",
    ),
    OFF_TRACK: (
        "Behind plan; raised it in the leadership weekly.",
        "Incident work ate most of the week.",
        "Blocked by a dependency; re-planning the scope.",
        "Not enough capacity; asked for help.",
        "We will not hit this without a change of approach.",
    ),
    DONE: ("Target reached.", "Done; keeping an eye on it.", "Reached and holding."),
}
HEALTH_NOTES = {
    True: (
        "Within the limit all week.",
        "Healthy.",
        "Comfortably inside the limit.",
        "No breaches this week.",
    ),
    False: (
        "Breached this week; root cause under investigation.",
        "Outside the limit after a bad release; fix in review.",
        "Spike mid-week; postmortem scheduled.",
    ),
}


# The next quarter, in planning: drafts, no check-ins yet.
NEXT_OBJECTIVES = (
    Obj(
        "self-serve",
        "Make the self-serve plan pay for itself",
        "growth",
        "member",
        description="Draft for next quarter: fewer sales calls for small teams.",
        krs=(
            metric(
                "self-serve-share",
                "Self-serve share of new revenue from 20 % to 30 %",
                20,
                30,
                "%",
                1.0,
                owner="member",
            ),
            boolean("annual-billing", "Annual billing offered in the app", None, owner="noah"),
        ),
    ),
    Obj(
        "support-response",
        "Answer customers twice as fast",
        "support",
        "ravi",
        kind="committed",
        krs=(
            metric(
                "first-response",
                "Median first response from 6 to 3 hours",
                6,
                3,
                "hours",
                1.0,
                owner="ravi",
                step=0.5,
            ),
        ),
    ),
)


# --- Cycles --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    ref: str
    name: str
    start: date
    end: date
    state: str

    def encloses(self, other: "Period") -> bool:
        return self.start <= other.start and other.end <= self.end


def quarter_period(year: int, quarter: int, state: str) -> Period:
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    end = date(year, last_month, calendar.monthrange(year, last_month)[1])
    return Period(
        f"q{quarter}-{year}", f"{year} Q{quarter}", date(year, first_month, 1), end, state
    )


def demo_cycles(today: date) -> tuple[Period, Period, Period]:
    """The year containing `today`, its current quarter and the quarter before."""
    quarter = quarter_number(today)
    year = Period(
        f"y{today.year}",
        str(today.year),
        date(today.year, 1, 1),
        date(today.year, 12, 31),
        "active",
    )
    current = quarter_period(today.year, quarter, "active")
    if quarter > 1:
        previous = quarter_period(today.year, quarter - 1, "closed")
    else:
        previous = quarter_period(today.year - 1, 4, "closed")
    return year, current, previous


def quarter_number(day: date) -> int:
    return (day.month - 1) // 3 + 1


def next_quarter(today: date) -> Period:
    """The quarter after the one containing `today`, in planning."""
    quarter = quarter_number(today)
    if quarter < 4:
        return quarter_period(today.year, quarter + 1, "planning")
    return quarter_period(today.year + 1, 1, "planning")


# --- The simulator -------------------------------------------------------------------------


def share(on: date, start: date, end: date) -> float:
    """Expected progress at `on` (the engine's linear pace), as a float for the simulation."""
    return float(engine.expected_progress(on, start, end))


def paced(progress: float, expected: float) -> str:
    """The engine's status for a simulated progress, with the default bands."""
    return engine.paced_status(Decimal(repr(progress)), Decimal(repr(expected)), engine.Bands())


def rounded(value: float, step: float) -> int | float:
    snapped = round(value / step) * step
    if step >= 1 and float(step).is_integer():
        return int(snapped)
    decimals = max(0, len(f"{step:.6f}".rstrip("0").split(".")[1]))
    return round(snapped, decimals)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class _Builder:
    today: date
    seed: int
    year: Period
    current: Period
    previous: Period

    def rng(self, ref: str) -> random.Random:
        # One stream per key result: its history does not depend on the other templates.
        return random.Random(f"{self.seed}:{ref}")

    def cutoff(self, period: Period, author: str) -> date:
        """The last day a check-in may carry. The member has not checked in this week yet."""
        last = min(period.end, self.today)
        if author == "member" and period.start <= self.today <= period.end:
            last = min(last, monday_of(self.today) - timedelta(days=1))
        return last

    def checkin_days(
        self, period: Period, rng: random.Random, last: date, every: int
    ) -> list[date]:
        """Weekly (or every `every` weeks) on the person's usual weekday, after the start."""
        weekday = rng.choice((0, 1, 2, 3, 3, 4, 4))
        first = monday_of(period.start)
        days: list[date] = []
        week = 0
        while True:
            day = first + timedelta(weeks=week, days=weekday)
            if day > last:
                break
            # Now and then a week is skipped, never the latest one.
            if day > period.start + timedelta(days=2) and week % every == 0:
                days.append(day)
            week += 1
        return [d for i, d in enumerate(days) if i == len(days) - 1 or rng.random() > 0.07]

    # --- Building the document ------------------------------------------------------------

    def objective(self, template: Obj, period: Period) -> dict[str, Any]:
        ref = f"{period.ref}-{template.slug}"
        parents = [self.parent_ref(p, period) for p in template.parents]
        doc: dict[str, Any] = {
            "ref": ref,
            "title": template.title,
        }
        if template.description:
            doc["description"] = template.description
        doc.update(
            {
                "cycle": period.ref,
                "team": template.team,
                "owner": email_of(template.owner),
                "kind": template.kind,
                "visibility": "private" if template.private else "public",
                "parents": [p for p in parents if p],
                "key_results": [self.key_result(kr, template, period) for kr in template.krs],
            }
        )
        if period.state == "closed":
            if template.override:
                doc["score_override"], doc["override_reason"] = template.override
            if template.retro:
                doc["went_well"], doc["went_wrong"], doc["learned"] = template.retro
        return doc

    def parent_ref(self, parent: str, period: Period) -> str | None:
        if parent.startswith("year:"):
            # A yearly objective supports the quarter only if the year encloses it.
            return f"{self.year.ref}-{parent[5:]}" if self.year.encloses(period) else None
        return f"{period.ref}-{parent}"

    def key_result(self, kr: KR, objective: Obj, period: Period) -> dict[str, Any]:
        ref = f"{period.ref}-{objective.slug}-{kr.slug}"
        rng = self.rng(ref)
        owner = kr.owner or objective.owner
        due = None
        if kr.due_at is not None:
            due = period.start + timedelta(days=round((period.end - period.start).days * kr.due_at))
        window = (period.start, due or period.end)
        doc: dict[str, Any] = {"ref": ref, "title": kr.title, "type": kr.type}
        if kr.unit:
            doc["unit"] = kr.unit
        for name in ("start", "target", "threshold", "low", "high"):
            value = getattr(kr, name)
            if value is not None:
                doc[name] = value
        if kr.linked:
            doc["objective"] = f"{period.ref}-{kr.linked}"
        if kr.weight != 1:
            doc["weight"] = kr.weight
        if due:
            doc["due"] = due
        doc["owner"] = email_of(owner)
        last = self.cutoff(period, owner)
        days = self.checkin_days(period, rng, last, kr.every)
        history: list[dict[str, Any]]
        if kr.type == engine.METRIC:
            history = self.metric_history(kr, rng, days, window)
        elif kr.type == engine.BOOLEAN:
            history = self.boolean_history(kr, rng, days, window, last)
        elif kr.type == engine.MILESTONES:
            items = self.milestone_plan(kr, rng, period, window)
            done_by = min(last, window[1]) if period.state != "closed" else window[1]
            doc["milestones"] = [
                {"title": title, "weight": weight, "done": finished <= done_by}
                if weight != 1
                else {"title": title, "done": finished <= done_by}
                for title, weight, finished in items
            ]
            history = self.milestone_history(items, rng, days, window)
        elif kr.type in engine.HEALTH_TYPES:
            history = self.health_history(kr, rng, days)
        else:  # linked, initiatives: progress from the followed objective or the work
            history = []
        for entry in history:
            entry["by"] = email_of(owner)
        doc["checkins"] = history
        if period.state == "closed" and kr.override:
            doc["score_override"], doc["override_reason"] = kr.override
        return doc

    # --- Histories --------------------------------------------------------------------

    def metric_history(
        self, kr: KR, rng: random.Random, days: list[date], window: tuple[date, date]
    ) -> list[dict[str, Any]]:
        assert kr.start is not None and kr.target is not None
        start, target = kr.start, kr.target
        history = []
        reached = 0.0
        notes = self.spread_notes(kr.notes, len(days))
        was_done = False
        for index, day in enumerate(days):
            expected = share(day, *window)
            wanted = kr.pace * expected**kr.shape + rng.gauss(0, kr.noise)
            if kr.cumulative:
                wanted = max(wanted, reached)
            wanted = min(1.0, max(0.0, wanted))
            reached = max(reached, wanted)
            value = rounded(start + (target - start) * wanted, kr.step)
            progress = min(1.0, max(0.0, (value - start) / (target - start)))
            status = paced(progress, expected)
            note = notes.get(index) or ""
            if status == DONE and not was_done:
                note = rng.choice(NOTES[DONE])
            elif not note and rng.random() < 0.35:
                note = rng.choice(NOTES[DONE if status == DONE else status])
            was_done = status == DONE
            history.append(self.checkin(day, value, self.confidence(status, rng), note))
        return history

    def boolean_history(
        self,
        kr: KR,
        rng: random.Random,
        days: list[date],
        window: tuple[date, date],
        last: date,
    ) -> list[dict[str, Any]]:
        length = (window[1] - window[0]).days
        done_day = None
        if kr.done_at is not None:
            done_day = window[0] + timedelta(days=round(length * kr.done_at))
            if done_day > last:
                done_day = None  # not yet
        notes = list(kr.notes)
        if done_day is not None:
            # Nothing more to report once it is done; the last note tells it.
            days = [*(d for d in days if d < done_day), done_day]
            final = notes.pop() if notes else "Done."
        placed = self.spread_notes(tuple(notes), len(days) - (done_day is not None))
        history = []
        for index, day in enumerate(days):
            if day == done_day:
                history.append(self.checkin(day, 1, ON_TRACK, final))
                break
            expected = share(day, *window)
            status = ON_TRACK if expected < 0.6 else AT_RISK if expected < 0.95 else OFF_TRACK
            confidence = self.confidence(status, rng)
            history.append(self.checkin(day, 0, confidence, placed.get(index, "")))
        return history

    def milestone_plan(
        self, kr: KR, rng: random.Random, period: Period, window: tuple[date, date]
    ) -> list[tuple[str, int, date]]:
        """(title, weight, the day it gets done) for each milestone."""
        length = (window[1] - window[0]).days
        planned: list[tuple[str, int, int]] = []
        if kr.monthly:
            month = date(window[0].year, window[0].month, 1)
            while month <= window[1]:
                day = min(window[1], month.replace(day=20))
                title = kr.monthly.format(month=calendar.month_name[month.month])
                planned.append((title, 1, (day - window[0]).days))
                month = (month + timedelta(days=32)).replace(day=1)
        else:
            planned = [(t, w, round(length * f)) for t, w, f in kr.milestones]
        items = []
        for title, weight, offset in planned:
            finished = window[0] + timedelta(days=round(offset / kr.pace) + rng.randint(-3, 3))
            items.append((title, weight, finished))
        return items

    def milestone_history(
        self,
        items: list[tuple[str, int, date]],
        rng: random.Random,
        days: list[date],
        window: tuple[date, date],
    ) -> list[dict[str, Any]]:
        total = sum(weight for _, weight, _ in items)
        history = []
        previous: date | None = None
        for day in days:
            done = sum(w for _, w, finished in items if finished <= day)
            status = paced(done / total, share(day, *window))
            new = [t for t, _, f in items if f <= day and (previous is None or f > previous)]
            if new:
                note = " ".join(f"{title}: done." for title in new)
            elif rng.random() < 0.35:
                note = rng.choice(NOTES[status])
            else:
                note = ""
            history.append(self.checkin(day, None, self.confidence(status, rng), note))
            previous = day
        return history

    def health_history(self, kr: KR, rng: random.Random, days: list[date]) -> list[dict[str, Any]]:
        notes = self.spread_notes(kr.notes, len(days))
        history = []
        for index, day in enumerate(days):
            ok = rng.random() >= kr.breach
            if index == len(days) - 1:
                ok = kr.last_ok
            value = self.health_value(kr, rng, ok)
            if ok:
                confidence = ON_TRACK if rng.random() > 0.15 else AT_RISK
            else:
                confidence = OFF_TRACK if rng.random() > 0.3 else AT_RISK
            note = notes.get(index) or (
                rng.choice(HEALTH_NOTES[ok]) if not ok or rng.random() < 0.25 else ""
            )
            history.append(self.checkin(day, value, confidence, note))
        return history

    def health_value(self, kr: KR, rng: random.Random, ok: bool) -> int | float:
        step = kr.step
        drift = abs(rng.gauss(0, kr.spread)) + step
        if kr.type == engine.RANGE:
            assert kr.low is not None and kr.high is not None
            if ok:
                value = min(kr.high - step, max(kr.low + step, rng.gauss(kr.level, kr.spread)))
            else:
                value = kr.high + drift if rng.random() < 0.5 else kr.low - drift
        else:
            assert kr.threshold is not None
            sign = 1 if kr.type == engine.STAY_ABOVE else -1
            value = rng.gauss(kr.level, kr.spread)
            if ok:
                value = kr.threshold + sign * max(sign * (value - kr.threshold), step)
            else:
                value = kr.threshold - sign * drift
        return rounded(value, step)

    # --- Small helpers ----------------------------------------------------------------

    @staticmethod
    def spread_notes(notes: tuple[str, ...], count: int) -> dict[int, str]:
        """Place the template's notes evenly over the history."""
        if not notes or not count:
            return {}
        placed: dict[int, str] = {}
        for position, note in enumerate(notes):
            index = min(count - 1, round((position + 1) * count / (len(notes) + 1)))
            if index not in placed:
                placed[index] = note
        return placed

    @staticmethod
    def confidence(status: str, rng: random.Random) -> str:
        """What the person reports: mostly the computed status, now and then more hopeful."""
        order = [ON_TRACK, AT_RISK, OFF_TRACK]
        level = 0 if status == DONE else order.index(status)
        if level and rng.random() < 0.25:
            level -= 1
        return order[level]

    @staticmethod
    def checkin(day: date, value: int | float | None, confidence: str, note: str) -> dict:
        entry: dict[str, Any] = {"at": day}
        if value is not None:
            entry["value"] = value
        entry["confidence"] = confidence
        if note:
            entry["note"] = note
        return entry


def build_demo(today: date, seed: int = 7) -> dict[str, Any]:
    """The demo organization as an OKR file (docs/okr-file.md) as of `today`."""
    year, current, previous = demo_cycles(today)
    following = next_quarter(today)
    builder = _Builder(today=today, seed=seed, year=year, current=current, previous=previous)
    cycles = [year, current, previous, following]
    objectives = [builder.objective(t, year) for t in YEAR_OBJECTIVES]
    objectives += [builder.objective(t, current) for t in CURRENT_OBJECTIVES]
    closed = [builder.objective(t, previous) for t in PREVIOUS_OBJECTIVES]
    give_miss_reasons(closed)
    objectives += closed
    objectives += [builder.objective(t, following) for t in NEXT_OBJECTIVES]
    return {
        "organization": ORGANIZATION,
        "settings": {
            "at_risk_gap": float(engine.DEFAULT_AT_RISK_GAP),
            "off_track_gap": float(engine.DEFAULT_OFF_TRACK_GAP),
        },
        "people": [
            {"email": email_of(key), "name": name, "admin": admin, "active": active}
            for key, (name, _, admin, active) in PEOPLE.items()
        ],
        "teams": [
            {
                "ref": ref,
                "name": name,
                **({"parent": parent} if parent else {}),
                "members": [email_of(k) for k in members],
                "leads": [email_of(k) for k in leads],
            }
            for ref, name, parent, members, leads in TEAMS
        ],
        "cycles": [
            {"ref": c.ref, "name": c.name, "start": c.start, "end": c.end, "state": c.state}
            for c in cycles
        ],
        "objectives": objectives,
    }


def checkin_count(document: dict[str, Any]) -> int:
    return sum(
        len(kr.get("checkins", []))
        for objective in document["objectives"]
        for kr in objective["key_results"]
    )


# --- Initiatives: the work behind key results of the current quarter ----------------------


@dataclass(frozen=True)
class Work:
    """An initiative of the current quarter (pacer.initiatives), created through its services
    once the document is imported, so that its progress rolls up into the key results it
    supports. `supports`: slugs of key results of WORK_OBJECTIVE; `tasks`: (title, assignee,
    done); `blocked`: the note of the status update that blocks it."""

    title: str
    owner: str
    supports: tuple[str, ...]
    tasks: tuple[tuple[str, str, bool], ...]
    status: str = engine.IN_PROGRESS
    description: str = ""
    blocked: str = ""
    due_at: float = 1.0  # the share of the quarter by which it is due


WORK_OBJECTIVE = "platform-incidents"
WORK_TEAM = "platform"
WORK = (
    Work(
        "Migrate billing to the new API",
        "mia",
        ("incident-work",),
        (
            ("Map every billing call to the new endpoints", "mia", True),
            ("Move the invoice webhooks", "ethan", False),
            ("Backfill the payment history", "mia", False),
            ("Announce the change to customers on annual plans", "member", False),
        ),
        status=engine.BLOCKED,
        description="Two of last quarter's incidents were billing webhooks timing out.",
        blocked="Waiting for the payment provider to enable the new API on our account.",
        due_at=0.8,
    ),
    Work(
        "Move the job queue to the managed broker",
        "ethan",
        ("incident-work", "alerts"),
        (
            ("Inventory every queue consumer", "mia", True),
            ("Run both brokers side by side for a week", "ethan", True),
            ("Switch the producers to the new broker", "mia", False),
            ("Decommission the old broker", "ethan", False),
        ),
        description="The self-hosted broker filled its disk twice; the managed one scales.",
        due_at=0.9,
    ),
    Work(
        "Replace disk alerts with SLO-based alerting",
        "mia",
        ("alerts",),
        (
            ("Define SLOs for the API and the planning board", "mia", True),
            ("Alert on error-budget burn instead of thresholds", "mia", False),
            ("Retire the noisy disk alerts", "ethan", True),
        ),
        due_at=0.7,
    ),
    Work(
        "Write the incident postmortem template",
        "ethan",
        ("incident-work",),
        (
            ("Draft the template with the support team", "ethan", True),
            ("Review it in the Friday on-call meeting", "mia", True),
        ),
        status=engine.DONE,
        due_at=0.3,
    ),
)


def load_initiatives(organization: "Organization", today: date) -> int:
    """Create WORK in the organization's current quarter (after `pacer demo` imported the
    document); nothing when the organization already has initiatives. How many were made."""
    from pacer.accounts.models import User
    from pacer.initiatives.models import Initiative
    from pacer.okrs.models import Cycle, KeyResult, Team

    if Initiative.objects.filter(organization=organization).exists():
        return 0
    _, current, _ = demo_cycles(today)
    prefix = f"{current.ref}-{WORK_OBJECTIVE}-"
    found = KeyResult.objects.filter(organization=organization, ref__startswith=prefix)
    context = _WorkContext(
        cycle=Cycle.objects.get(organization=organization, ref=current.ref),
        team=Team.objects.get(organization=organization, ref=WORK_TEAM),
        people={p.email: p for p in User.objects.filter(organization=organization)},
        key_results={kr.ref.removeprefix(prefix): kr for kr in found},
        today=today,
    )
    for item in WORK:
        context.start(item)
    return len(WORK)


@dataclass(frozen=True)
class _WorkContext:
    cycle: Any
    team: Any
    people: dict[str, Any]
    key_results: dict[str, Any]
    today: date

    def start(self, item: Work) -> None:
        """One initiative through its services: created, its tasks added, then blocked."""
        from pacer.initiatives import services

        first, last = self.cycle.start, self.cycle.end
        begin = min(self.today, first + timedelta(days=7))
        due = max(begin, first + timedelta(days=round((last - first).days * item.due_at)))
        spec = services.InitiativeSpec(
            title=item.title,
            owner=self.people[email_of(item.owner)],
            description=item.description,
            team=self.team,
            status=engine.IN_PROGRESS if item.blocked else item.status,
            start=begin,
            due=due,
            key_results=[self.key_results[slug] for slug in item.supports],
        )
        initiative = services.initiative_create(cycle=self.cycle, spec=spec)
        for title, assignee, done in item.tasks:
            open_due = None if done else max(self.today, due)
            person = self.people[email_of(assignee)]
            services.task_create(
                initiative=initiative, title=title, assignee=person, due=open_due, done=done
            )
        if item.blocked:
            services.initiative_set_status(
                initiative=initiative, status=engine.BLOCKED, note=item.blocked
            )


# --- Why key results of the closed quarter were missed (the quarterly review) -------------

# (reason, note) given in turn to the closed quarter's missed key results; a few give
# none, as in real close-outs, so the review shows "Not given" too.
MISS_REASONS = (
    ("dependency", ""),
    ("other", "The vendor's contract changed mid-quarter."),
    (None, ""),
    ("too_ambitious", ""),
    ("priorities_changed", ""),
    ("under_resourced", ""),
    (None, ""),
    ("external", ""),
)


def final_metric_score(kr: dict[str, Any]) -> Decimal | None:
    """The score a closed metric key result of the document ends with (its override, else
    the progress of its last check-in); None for other types."""
    if "score_override" in kr:
        return Decimal(str(kr["score_override"]))
    if kr["type"] != engine.METRIC or not kr.get("checkins"):
        return None
    last = max(kr["checkins"], key=lambda c: c["at"])["value"]
    start, target = (Decimal(str(kr[name])) for name in ("start", "target"))
    return engine.score(engine.metric_progress(Decimal(str(last)), start, target))


def give_miss_reasons(objectives: list[dict[str, Any]]) -> None:
    """Why each missed metric key result of the closed quarter was missed (docs/review.md),
    given in turn from MISS_REASONS; the importer checks each against the score."""
    index = 0
    for objective in objectives:
        for kr in objective["key_results"]:
            score = final_metric_score(kr)
            if score is None or not rules.key_result_missed(score):
                continue
            reason, note = MISS_REASONS[index % len(MISS_REASONS)]
            index += 1
            if reason is not None:
                kr["miss_reason"] = reason
                if note:
                    kr["miss_note"] = note
