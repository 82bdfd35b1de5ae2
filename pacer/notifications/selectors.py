"""Reading a person's notifications: the inbox shows only what they may still see."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from pacer.accounts.models import User
from pacer.notifications.models import Notification
from pacer.okrs import selectors

PAGE = 50


def inbox(person: User) -> QuerySet[Notification]:
    """The person's in-app notifications, newest first; those about an objective they may
    no longer see (made private, left its team) are left out, not deleted."""
    visible = selectors.objectives_visible_to(person).filter(pk=OuterRef("objective_id"))
    return Notification.objects.filter(person=person, in_app=True).filter(
        Q(objective__isnull=True) | Exists(visible)
    )


def unread_count(person: User) -> int:
    """The bell's number: one COUNT query."""
    return inbox(person).filter(read_at=None).count()


def inbox_page(person: User, number: int) -> tuple[list[Notification], bool]:
    """Page `number` (from 1) of the inbox, and whether there is a next one."""
    start = (max(number, 1) - 1) * PAGE
    rows = list(inbox(person).order_by("-created_at", "-id")[start : start + PAGE + 1])
    return rows[:PAGE], len(rows) > PAGE
