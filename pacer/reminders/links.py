"""The one-click link of a reminder: signed, expiring, bound to one person.

The token carries the person's id, when it expires (the end of the reminder's period) and
a fingerprint of the person's password hash and active flag, all signed with SECRET_KEY
(django.core.signing). A changed password or a deactivation changes the fingerprint, so
every link sent before stops working, as Django's password-reset tokens do.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from pacer.accounts.models import User

SALT = "pacer.reminders.link"


class BadLink(Exception):
    """A link that does not sign anyone in; the message says why, for the person."""


@dataclass(frozen=True)
class LinkTarget:
    person: User
    expires: datetime


def fingerprint(person: User) -> str:
    return salted_hmac(SALT, f"{person.pk}:{person.password}:{person.is_active}").hexdigest()[:20]


def make_token(person: User, expires: datetime) -> str:
    payload = {"p": person.pk, "e": int(expires.timestamp()), "f": fingerprint(person)}
    return signing.dumps(payload, salt=SALT)


def link_path(person: User, expires: datetime) -> str:
    """The link a reminder carries, as a path: the inbox links it as is, and
    pacer.messaging makes it absolute (PACER_BASE_URL) for mail and chat."""
    return reverse("reminder_link", args=[make_token(person, expires)])


def link_url(person: User, expires: datetime) -> str:
    """The absolute link (PACER_BASE_URL)."""
    return settings.PACER_BASE_URL + link_path(person, expires)


def person_of_token(token: str, *, now: datetime) -> User:
    """The person a token signs in, or BadLink saying why not."""
    try:
        payload = signing.loads(token, salt=SALT)
        person_id, expires, mark = int(payload["p"]), int(payload["e"]), str(payload["f"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise BadLink("This link is not valid: it may have been cut short or changed.") from error
    if now.timestamp() >= expires:
        raise BadLink("This link has expired: reminder links work until the end of their period.")
    person = User.objects.filter(pk=person_id).first()
    if (
        person is None
        or not person.is_active
        or not constant_time_compare(mark, fingerprint(person))
    ):
        raise BadLink("This link no longer works (the password was changed or the account closed).")
    return person
