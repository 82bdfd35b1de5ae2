"""Cursor pagination: items in ascending id order; the cursor is the last id, opaque.

Ids never change, so a walk sees every item that existed when it began exactly once, even
while others write (new items appear at the end).
"""

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from ninja.errors import ValidationError

M = TypeVar("M", bound=Model)
CURSOR_PREFIX = "after:"


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{last_id}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        last_id = int(text.removeprefix(CURSOR_PREFIX)) if text.startswith(CURSOR_PREFIX) else -1
    except (binascii.Error, UnicodeDecodeError, ValueError):
        last_id = -1
    if not 0 <= last_id < 2**63:
        raise ValidationError([{"loc": ("query", "cursor"), "msg": "is not a cursor of this list"}])
    return last_id


def page(queryset: QuerySet[M], *, cursor: str | None, limit: int) -> tuple[list[M], str | None]:
    """One page of `queryset` after `cursor`, and the cursor of the next page (or None)."""
    if cursor:
        queryset = queryset.filter(pk__gt=decode_cursor(cursor))
    rows = list(queryset.order_by("pk")[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].pk)


def paged(
    queryset: QuerySet[M],
    *,
    cursor: str | None,
    limit: int,
    present: Callable[[Sequence[M]], list[Any]],
) -> dict[str, Any]:
    """A page as the list schemas want it: {items, next_cursor}."""
    rows, next_cursor = page(queryset, cursor=cursor, limit=limit)
    return {"items": present(rows), "next_cursor": next_cursor}
