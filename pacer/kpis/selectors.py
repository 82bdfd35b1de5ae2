"""Reads of KPIs. KPIs are organization-wide (docs/kpis.md): every member of the
organization sees every KPI, as they see public objectives; `kpis_visible_to` is the one
place that says so, for pages, the API and the data-source runs alike."""

from django.db.models import QuerySet

from pacer.accounts.models import User
from pacer.kpis.models import KPI, KPIFollow, KPIValue
from pacer.okrs.selectors import objectives_visible_to

HISTORY_SHOWN = 200  # values on the page and in the chart (the API pages through all)


def kpis_visible_to(person: User) -> QuerySet[KPI]:
    if not person.is_authenticated or person.organization_id is None:
        return KPI.objects.none()
    return KPI.objects.filter(organization_id=person.organization_id).select_related(
        "owner", "team"
    )


def recent_values(kpi: KPI, limit: int = HISTORY_SHOWN) -> list[KPIValue]:
    """The latest `limit` values, oldest first (for the chart and the history list)."""
    latest = KPIValue.objects.filter(kpi=kpi).select_related("author").order_by("-at", "-id")
    return list(reversed(latest[:limit]))


def followers_of(kpi: KPI, person: User | None = None) -> list[KPIFollow]:
    """The key results following `kpi`; for a person, only those under objectives they may
    see (a private objective's key result never shows on the KPI's page)."""
    follows = KPIFollow.objects.filter(kpi=kpi)
    if person is not None:
        follows = follows.filter(key_result__objective__in=objectives_visible_to(person))
    return list(follows.select_related("key_result__objective__cycle").order_by("pk"))


def follow_of(key_result_id: int) -> KPIFollow | None:
    return KPIFollow.objects.filter(key_result_id=key_result_id).select_related("kpi").first()
