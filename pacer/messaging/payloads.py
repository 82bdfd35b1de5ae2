"""What a message says, per channel: email parts, Slack Block Kit, a Teams Adaptive Card.

One notification is a plain message (its title, body and link); several are a digest
("3 updates in Pacer") listing each. Links are absolute (PACER_BASE_URL). People's text is
escaped for each format: HTML by the templates, Slack mrkdwn's &, < and > here (a title
"<!channel>" must not ping a whole channel), and Teams text is sent as plain TextBlocks
with markdown characters escaped.
"""

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from pacer.accounts.models import User
from pacer.notifications.models import Notification
from pacer.okrs.models import Team

JSON = {"Content-Type": "application/json; charset=utf-8"}
SLACK_HEADER_MAX = 150  # Block Kit: a header's plain_text
SLACK_SECTION_MAX = 3000  # Block Kit: a section's text
SLACK_BLOCKS_MAX = 50  # Block Kit: blocks in a message
DIGEST_SHOWN = 40  # notifications listed in a Slack or Teams digest; the rest are counted
PREFERENCES = "/settings/notifications/"


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


def absolute(path: str) -> str:
    """A Pacer path as a link that works from a mail or a chat."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.PACER_BASE_URL + (path if path.startswith("/") else "/" + path)


def link_of(notification: Notification) -> str:
    return absolute(notification.url or "/")


def subject_of(notifications: Sequence[Notification]) -> str:
    if len(notifications) == 1:
        return notifications[0].title
    return f"{len(notifications)} updates in Pacer"


def name_of(person: User) -> str:
    return str(getattr(person, "name", "") or person.email)


# --- Email ---------------------------------------------------------------------------------


def email_of(person: User, notifications: Sequence[Notification]) -> Email:
    context = {
        "person": person,
        "name": name_of(person),
        "items": [{"n": n, "link": link_of(n)} for n in notifications],
        "digest": len(notifications) > 1,
        "subject": subject_of(notifications),
        "preferences": absolute(PREFERENCES),
        "home": absolute("/"),
    }
    return Email(
        subject=" ".join(subject_of(notifications).split())[:200],  # no header injection
        text=render_to_string("messaging/email.txt", context),
        html=render_to_string("messaging/email.html", context),
    )


# --- Slack ---------------------------------------------------------------------------------


def mrkdwn(text: str) -> str:
    """Slack's three control characters, escaped (its formatting reference says only these)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_item(notification: Notification) -> dict[str, Any]:
    title = mrkdwn(" ".join(notification.title.split()))
    text = f"*<{link_of(notification)}|{title}>*"
    if notification.body:
        text += "\n" + mrkdwn(notification.body)
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SLACK_SECTION_MAX)}}


def slack_payload(person: User, notifications: Sequence[Notification]) -> dict[str, Any]:
    subject = subject_of(notifications)
    shown = list(notifications[:DIGEST_SHOWN])
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(subject, SLACK_HEADER_MAX)}}
    ]
    blocks += [slack_item(n) for n in shown]
    more = len(notifications) - len(shown)
    footer = f"For {mrkdwn(name_of(person))} · <{absolute('/')}|Pacer>"
    if more:
        footer = f"and {more} more · " + footer
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]})
    # `text` is the notification's fallback (phones' banners, screen readers).
    return {"text": mrkdwn(f"{subject} (for {name_of(person)})"), "blocks": blocks}


# --- Microsoft Teams -------------------------------------------------------------------------

TEAMS_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!<>~|])")


def plain(text: str) -> str:
    """TextBlocks read a subset of Markdown: people's text has its characters escaped, so a
    title "[click](https://evil)" shows as typed."""
    return TEAMS_MARKDOWN.sub(r"\\\1", text)


def text_block(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def teams_item(notification: Notification) -> list[dict[str, Any]]:
    blocks = [text_block(plain(notification.title), weight="Bolder", separator=True)]
    if notification.body:
        blocks.append(text_block(plain(notification.body)))
    blocks.append(text_block(f"[Open in Pacer]({link_of(notification)})", size="Small"))
    return blocks


def teams_card(title: str, body: list[dict[str, Any]], link: str) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [text_block(plain(title), size="Large", weight="Bolder"), *body],
                    "actions": [{"type": "Action.OpenUrl", "title": "Open Pacer", "url": link}],
                },
            }
        ],
    }


def teams_payload(person: User, notifications: Sequence[Notification]) -> dict[str, Any]:
    shown = list(notifications[:DIGEST_SHOWN])
    body: list[dict[str, Any]] = []
    for notification in shown:
        body += teams_item(notification)
    more = len(notifications) - len(shown)
    footer = (f"and {more} more · " if more else "") + f"For {plain(name_of(person))}"
    body.append(text_block(footer, isSubtle=True, size="Small"))
    link = link_of(notifications[0]) if len(notifications) == 1 else absolute("/")
    return teams_card(subject_of(notifications), body, link)


# --- Bodies --------------------------------------------------------------------------------


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def chat_body(kind: str, person: User, notifications: Sequence[Notification]) -> bytes:
    if kind == "slack":
        return encode(slack_payload(person, notifications))
    return encode(teams_payload(person, notifications))


def test_payload(kind: str, team: Team) -> bytes:
    title = f"Pacer is connected to {team.name}"
    text = "Notifications for this team's people will appear here."
    if kind == "slack":
        header = {"type": "header", "text": {"type": "plain_text", "text": clip(title, 150)}}
        section = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
        return encode({"text": mrkdwn(title), "blocks": [header, section]})
    return encode(teams_card(title, [text_block(text)], absolute("/")))
