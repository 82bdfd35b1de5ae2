"""A person's whole grid of choices (kinds by channels), read and saved at once."""

from collections.abc import Iterable

from django.db import transaction

from pacer.accounts.models import User
from pacer.notifications import kinds
from pacer.notifications.models import Preference
from pacer.notifications.services import preference_set

Choice = tuple[str, str]  # (kind, channel)
ALL = [(kind, channel) for kind in kinds.KINDS for channel in kinds.CHANNELS]


def chosen(person: User) -> dict[Choice, bool]:
    """Every (kind, channel) and whether it is on: the person's choice, else the default."""
    stored = {
        (kind, channel): enabled
        for kind, channel, enabled in Preference.objects.filter(person=person).values_list(
            "kind", "channel", "enabled"
        )
    }
    return {pair: stored.get(pair, pair in kinds.DEFAULTS) for pair in ALL}


def save(person: User, on: Iterable[Choice]) -> int:
    """Turn on exactly `on` (unknown pairs are refused); the others off. Writes only the
    choices that change; how many."""
    wanted = set(on)
    unknown = wanted - set(ALL)
    if unknown:
        raise ValueError(f"unknown notification kind or channel: {sorted(unknown)}")
    changes = [
        (pair, pair in wanted) for pair, now in chosen(person).items() if now != (pair in wanted)
    ]
    with transaction.atomic():
        for (kind, channel), enabled in changes:
            preference_set(person=person, kind=kind, channel=channel, enabled=enabled)
    return len(changes)
