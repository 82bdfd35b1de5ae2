"""The bell in the top bar (base.html): the signed-in person's unread count."""

from functools import partial
from typing import Any

from django.http import HttpRequest

from pacer.notifications.selectors import unread_count


def bell(request: HttpRequest) -> dict[str, Any]:
    """A callable, so the count is queried only by a page that shows the bell (a template
    calls it once inside `{% with %}`), never for an anonymous visitor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": partial(unread_count, user)}
