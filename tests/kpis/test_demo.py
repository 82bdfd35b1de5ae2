"""The demo's KPIs (pacer.kpis.demo), loaded by `pacer demo` through the services."""

from datetime import date
from decimal import Decimal
from typing import Any

from pacer.kpis.demo import KPIS, load_kpis
from pacer.kpis.models import KPI, KPIValue
from tests.factories import make_organization, make_person, make_team


def test_the_demo_kpis_have_weeks_of_values(db: Any) -> None:
    org = make_organization("Northwind")
    ethan = make_person(org, "ethan.brooks@demo.example")
    ravi = make_person(org, "ravi.patel@demo.example")
    make_team(org, "platform", members=(ethan,))
    make_team(org, "support", members=(ravi,))
    assert load_kpis(org, date(2026, 11, 18)) == len(KPIS)
    assert load_kpis(org, date(2026, 11, 18)) == 0  # once
    uptime = KPI.objects.get(ref="uptime")
    assert (uptime.kind, uptime.threshold, uptime.unit) == ("stay_above", Decimal("99.9"), "%")
    assert uptime.status == "healthy" and KPIValue.objects.filter(kpi=uptime).count() == 8
    assert KPI.objects.get(ref="support-first-response-time").status == "healthy"
    assert max(KPIValue.objects.values_list("at", flat=True)).date() == date(2026, 11, 16)
