"""The demo organization's KPIs (docs/kpis.md): a few health metrics with two months of
weekly values, made through the services after `pacer demo` imported the OKRs."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from pacer.okrs import progress as engine

if TYPE_CHECKING:
    from pacer.okrs.models import Organization


@dataclass(frozen=True)
class DemoKPI:
    name: str
    description: str
    unit: str
    owner: str  # an email of the demo
    team: str  # a team's ref
    kind: str
    marks: tuple[str, ...]  # threshold, or low and high
    weekly: tuple[str, ...]  # the values of the last weeks, oldest first


KPIS = (
    DemoKPI(
        "Uptime",
        "Share of minutes the public API answered, from the status page.",
        "%",
        "ethan.brooks@demo.example",
        "platform",
        engine.STAY_ABOVE,
        ("99.9",),
        ("99.95", "99.97", "99.82", "99.93", "99.99", "99.96", "99.91", "99.98"),
    ),
    DemoKPI(
        "Support first response time",
        "Median hours until a customer's ticket gets its first human answer.",
        "h",
        "ravi.patel@demo.example",
        "support",
        engine.STAY_BELOW,
        ("4",),
        ("5.2", "4.6", "4.1", "3.8", "3.5", "4.3", "3.6", "3.2"),
    ),
    DemoKPI(
        "Cloud cost per customer",
        "Monthly infrastructure cost divided by paying customers.",
        "EUR",
        "ethan.brooks@demo.example",
        "platform",
        engine.RANGE,
        ("8", "12"),
        ("12.8", "12.4", "11.9", "11.2", "10.8", "10.9", "10.4", "10.1"),
    ),
)


def load_kpis(organization: "Organization", today: date) -> int:
    """Create KPIS with their weekly values (Mondays 09:00 UTC before `today`); nothing when
    the organization already has KPIs. How many were made."""
    from pacer.accounts.models import User
    from pacer.kpis import services
    from pacer.kpis.models import KPI
    from pacer.okrs.models import Team

    if KPI.objects.filter(organization=organization).exists():
        return 0
    people = {p.email: p for p in User.objects.filter(organization=organization)}
    teams = {t.ref: t for t in Team.objects.filter(organization=organization)}
    last_monday = today - timedelta(days=today.weekday() or 7)
    for item in KPIS:
        marks = [Decimal(m) for m in item.marks]
        ranged = item.kind == engine.RANGE
        spec = services.KPISpec(
            name=item.name,
            owner=people[item.owner],
            kind=item.kind,
            description=item.description,
            unit=item.unit,
            team=teams.get(item.team),
            threshold=None if ranged else marks[0],
            low=marks[0] if ranged else None,
            high=marks[1] if ranged else None,
        )
        kpi = services.kpi_create(organization=organization, spec=spec)
        for weeks_ago, value in enumerate(reversed(item.weekly)):
            day = last_monday - timedelta(weeks=weeks_ago)
            at = datetime.combine(day, time(9), tzinfo=UTC)
            services.kpi_value_add(kpi=kpi, value=Decimal(value), at=at, by=people[item.owner])
    return len(KPIS)
