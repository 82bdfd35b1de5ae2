"""{% follow_button objective %} or {% follow_button team %}: Follow or Unfollow, one query."""

from typing import Any

from django import template

from pacer.notifications import follows
from pacer.okrs.models import Objective

register = template.Library()


@register.inclusion_tag("notifications/_follow.html", takes_context=True)
def follow_button(context: Any, thing: Any) -> dict[str, Any]:
    request = context["request"]
    kind = "objective" if isinstance(thing, Objective) else "team"
    following = follows.follows(request.user, **{kind: thing})
    return {
        "thing": thing,
        "following": following,
        "kind": kind,
        "csrf_token": context.get("csrf_token"),
        "next": request.path,
    }
