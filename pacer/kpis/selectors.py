"""Reads of KPIs. KPIs are organization-wide (docs/kpis.md): every member of the
organization sees every KPI, as they see public objectives; `kpis_visible_to` is the one
place that says so, for pages, the API and the data-source runs alike."""

from django.db.models import F, Q, QuerySet

from pacer.accounts.models import User
from pacer.kpis.models import HEALTHY, KPI, NO_DATA, KPIFollow, KPIValue
from pacer.okrs.selectors import objectives_visible_to

HISTORY_SHOWN = 200  # values on the page and in the chart (the API pages through all)


def kpis_visible_to(person: User) -> QuerySet[KPI]:
    if not person.is_authenticated or person.organization_id is None:
        return KPI.objects.none()
    return KPI.objects.filter(organization_id=person.organization_id).select_related(
        "owner", "team"
    )


def in_status(status: str) -> Q:
    """The KPIs of a status (models.status_of, as SQL over the stored current value)."""
    healthy = (
        Q(kind=KPI.Kind.STAY_ABOVE, current__gte=F("threshold"))
        | Q(kind=KPI.Kind.STAY_BELOW, current__lte=F("threshold"))
        | Q(kind=KPI.Kind.RANGE, current__gte=F("low"), current__lte=F("high"))
    )
    if status == NO_DATA:
        return Q(current__isnull=True)
    if status == HEALTHY:
        return healthy
    return Q(current__isnull=False) & ~healthy


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
