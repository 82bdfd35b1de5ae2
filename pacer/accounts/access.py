"""Ending a person's access at once: their sessions, and (through `access_ended`) their tokens.

Deactivation calls `end_access`, so a person reactivated later signs in afresh: nothing
from before, not a browser session, a copied session cookie or an API token, works again.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from pacer.accounts.models import User

# Sent with `person` once their sessions have ended; the API revokes their tokens.
access_ended = Signal()

DATABASE_ENGINES = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


def end_access(person: User) -> None:
    """End every session of `person` and tell the other apps (`access_ended`)."""
    User.objects.filter(pk=person.pk).update(session_generation=F("session_generation") + 1)
    person.refresh_from_db(fields=["session_generation"])
    delete_sessions(person)
    access_ended.send(sender=User, person=person)


def delete_sessions(person: User) -> None:
    """Delete the stored sessions of `person` (the raised generation already refuses them:
    this frees the rows, and a cache of them, at once)."""
    if settings.SESSION_ENGINE not in DATABASE_ENGINES:
        return
    store = import_module(settings.SESSION_ENGINE).SessionStore
    live = Session.objects.filter(expire_date__gt=timezone.now())
    for session in live.iterator():
        if session.get_decoded().get(SESSION_KEY) == str(person.pk):
            store(session_key=session.session_key).delete()
