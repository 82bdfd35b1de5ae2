"""{% team_channels team %}: the Slack and Teams section of a team's page (admins)."""

from typing import Any

from django import template

from pacer.messaging import services
from pacer.okrs.models import Team

register = template.Library()


@register.inclusion_tag("messaging/_team_channels.html", takes_context=True)
def team_channels(context: template.Context, team: Team) -> dict[str, Any]:
    return {
        "team": team,
        "channels": services.channels_of(team),
        "csrf_token": context.get("csrf_token"),
    }
