"""Shared choices and orderings: reads for the pages (pacer.web.selectors)."""

from django.db.models import (
    Case,
    IntegerField,
    Value,
    When,
)

from pacer.okrs import progress as engine

KINDS = (engine.COMMITTED, engine.ASPIRATIONAL)
STATUS_CHOICES = [
    (engine.DONE, "Done"),
    (engine.ON_TRACK, "On track"),
    (engine.AT_RISK, "At risk"),
    (engine.OFF_TRACK, "Off track"),
]
CONFIDENCE_RANK = Case(
    When(confidence=engine.OFF_TRACK, then=Value(3)),
    When(confidence=engine.AT_RISK, then=Value(2)),
    When(confidence=engine.ON_TRACK, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)
