"""Refs: the short, stable names objectives and key results are known by in files and URLs."""

from django.utils.text import slugify

from pacer.okrs.models import KeyResult, Objective


def unique_ref(model: type[Objective] | type[KeyResult], organization_id: int, base: str) -> str:
    """A slug from `base`, unique in the organization: `base`, `base-2`, `base-3`, ..."""
    stem = slugify(base)[:90].strip("-") or model.__name__.lower()
    taken = set(
        model.objects.filter(organization_id=organization_id, ref__startswith=stem).values_list(
            "ref", flat=True
        )
    )
    ref, n = stem, 2
    while ref in taken:
        ref, n = f"{stem}-{n}", n + 1
    return ref
