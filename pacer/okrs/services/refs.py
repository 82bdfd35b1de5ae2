"""Refs: the short, stable names objectives and key results are known by in files and URLs.

A ref is unique in its organization and never changes (bookmarks, files and scripts use
it). Taking a name must not tell anyone what they may not see, so a private objective's
ref, and the refs of its key results, end in a random tail (`buy-initech-k3f9x2ab`): nobody
guesses them, so no attempt to take a name runs into one. Plain names belong to objectives
created public, which the whole organization sees. See docs/semantics.md, "Refs".
"""

import secrets
import string

from django.utils.text import slugify

from pacer.okrs.models import REF_LENGTH, KeyResult, Objective

TAIL_LENGTH = 8  # 36**8, about 2.8e12 tails per name
TAIL_ALPHABET = string.ascii_lowercase + string.digits


def stem_of(model: type[Objective] | type[KeyResult], base: str, room: int) -> str:
    return slugify(base)[: REF_LENGTH - room].strip("-") or model.__name__.lower()


def unique_ref(model: type[Objective] | type[KeyResult], organization_id: int, base: str) -> str:
    """A slug from `base`, unique in the organization: `base`, `base-2`, `base-3`, ..."""
    stem = stem_of(model, base, room=10)
    taken = set(
        model.objects.filter(organization_id=organization_id, ref__startswith=stem).values_list(
            "ref", flat=True
        )
    )
    ref, n = stem, 2
    while ref in taken:
        ref, n = f"{stem}-{n}", n + 1
    return ref


def ref_with_tail(model: type[Objective] | type[KeyResult], organization_id: int, base: str) -> str:
    """A slug from `base` with a random tail, unique in the organization."""
    stem = stem_of(model, base, room=TAIL_LENGTH + 1)
    while True:
        tail = "".join(secrets.choice(TAIL_ALPHABET) for _ in range(TAIL_LENGTH))
        ref = f"{stem}-{tail}"
        if not model.objects.filter(organization_id=organization_id, ref=ref).exists():
            return ref


def new_ref(
    model: type[Objective] | type[KeyResult], organization_id: int, base: str, *, private: bool
) -> str:
    """The ref of something new: with a random tail if it is private, else the plain slug
    (numbered if the organization already uses it)."""
    if private:
        return ref_with_tail(model, organization_id, base)
    return unique_ref(model, organization_id, base)
