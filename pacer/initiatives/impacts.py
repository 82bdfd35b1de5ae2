"""Each initiative's stored impact (okr-semantics.md, "Initiatives"; docs/initiatives.md).

impact = Σ over the key results k it supports of (w_k / W_k) · (1 - p_k), 0 for done or
cancelled work, computed by the engine (exact decimals) and stored rounded as lists order
by it (`engine.impact_rank`). Its inputs are the initiative's status and key results, and
each key result's weight and progress and its objective's total weight, so:

- the roll-up refreshes the work under every objective whose key results it recomputed
  (a check-in, a key result's fields or weight, one added or moved: okrs.rollup);
- the initiative services refresh an initiative whose status or key results changed;
- deleting a key result refreshes the work that supported it (it no longer counts);
- imports, `pacer recompute` and `pacer bench generate` refresh a whole organization.

`pacer recompute --check` reports any stored impact that differs from the computed one.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery, Sum

from pacer.initiatives.models import Initiative
from pacer.okrs import progress as engine
from pacer.okrs.models import KeyResult, Organization

SUPPORTS = Initiative.key_results.through


def computed_impacts(initiatives: QuerySet[Initiative]) -> dict[int, tuple[Decimal, Decimal]]:
    """(stored, computed) impact of each of these initiatives, in one query: a row per
    key result an initiative supports (one with none for an initiative supporting none),
    each with W_k, its objective's total weight, as a correlated sum (a whole organization's
    list of objective ids would pass the database's limit on parameters)."""
    total_weight = (
        KeyResult.objects.filter(objective_id=OuterRef("key_results__objective_id"))
        .order_by()
        .values("objective_id")
        .annotate(total=Sum("weight"))
        .values("total")
    )
    rows = initiatives.order_by().values_list(
        "pk",
        "status",
        "impact",
        "key_results__weight",
        "key_results__progress",
        Subquery(total_weight),
    )
    stored: dict[int, tuple[str, Decimal]] = {}
    supported: dict[int, list[engine.Supported]] = defaultdict(list)
    for pk, status, impact, weight, progress, total in rows:
        stored[pk] = (status, impact)
        if weight is not None:  # the outer join's row of an initiative supporting nothing
            supported[pk].append(engine.Supported(weight, total or engine.ZERO, progress))
    return {
        pk: (impact, engine.impact_rank(engine.impact(status, supported[pk])))
        for pk, (status, impact) in stored.items()
    }


def refresh(initiatives: QuerySet[Initiative]) -> int:
    """Store the fresh impact of these initiatives; how many changed."""
    return store(
        {
            pk: fresh
            for pk, (stored, fresh) in computed_impacts(initiatives).items()
            if stored != fresh
        }
    )


# Up to this many changed impacts are written one UPDATE each: a check-in changes those of
# the few initiatives under one objective, inside the write lock, and bulk_update's CASE
# costs more to compile than two or three plain UPDATEs (0.50 against 0.18 ms for two).
FEW = 3


def store(fresh: dict[int, Decimal]) -> int:
    """Write these initiatives' impacts (by id); how many."""
    if len(fresh) <= FEW:
        for pk, impact in fresh.items():
            Initiative.objects.filter(pk=pk).update(impact=impact)
        return len(fresh)
    changed = [Initiative(pk=pk, impact=impact) for pk, impact in fresh.items()]
    Initiative.objects.bulk_update(changed, ["impact"], batch_size=500)
    return len(changed)


def refresh_ids(initiative_ids: Iterable[int]) -> int:
    ids = set(initiative_ids)
    return refresh(Initiative.objects.filter(pk__in=ids)) if ids else 0


def refresh_under(objective_ids: Iterable[int]) -> int:
    """The work supporting any key result of these objectives (their weights or progress
    moved)."""
    ids = set(objective_ids)
    if not ids:
        return 0
    supporting = SUPPORTS.objects.filter(keyresult__objective_id__in=ids).values("initiative_id")
    return refresh(Initiative.objects.filter(pk__in=supporting))


def refresh_organization(organization: Organization) -> int:
    return refresh(Initiative.objects.filter(organization=organization))


@dataclass(frozen=True)
class StaleImpact:
    pk: int
    ref: str
    stored: Decimal
    computed: Decimal


def stale_impacts(organization: Organization) -> list[StaleImpact]:
    """Every initiative whose stored impact is not the computed one, by ref (`pacer recompute`
    reports them, and with `store` fixes them without computing them again)."""
    initiatives = Initiative.objects.filter(organization=organization)
    found = computed_impacts(initiatives)
    stale = {pk for pk, (stored, fresh) in found.items() if stored != fresh}
    if not stale:
        return []
    refs = dict(initiatives.values_list("pk", "ref"))  # not `pk IN` a list of any length
    return sorted((StaleImpact(pk, refs[pk], *found[pk]) for pk in stale), key=lambda row: row.ref)


def supporting_ids(key_result: KeyResult) -> list[int]:
    """The initiatives supporting a key result (read before it is deleted)."""
    return list(
        SUPPORTS.objects.filter(keyresult=key_result).values_list("initiative_id", flat=True)
    )
