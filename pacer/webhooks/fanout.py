"""Events to this app's own rows (see pacer.events.dispatch)."""

from collections.abc import Sequence

from pacer.events.models import Event


def on_events(events: Sequence[Event]) -> None:
    """Not written yet."""
