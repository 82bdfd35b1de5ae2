"""What a person can be notified of, and by which channels, named once.

Preferences are per kind and channel; DEFAULTS says what is on before a person chooses.
Slack and Teams post to the incoming webhooks of the person's teams (pacer.messaging), so
they are off until someone turns them on.
"""

MENTIONED = "mentioned"  # someone @mentioned me in a comment
COMMENT_ON_MINE = "comment"  # a comment on an objective or key result I own or follow
AT_RISK = "at_risk"  # a key result I own or follow turned at risk or off track
ALIGNMENT = "alignment"  # an objective I own was aligned to or lost a parent
CYCLE_CLOSED = "cycle_closed"  # a cycle I have objectives in closed
REMINDER = "reminder"  # the check-in reminder, and a nudge
WEEKLY_DIGEST = "weekly_digest"  # the weekly summary of what I own and follow
ACTIVITY = "activity"  # a check-in or change on something I follow
WORK = "work"  # a task assigned to me; my initiative blocked or overdue, or its sync failing

KINDS = (
    MENTIONED,
    COMMENT_ON_MINE,
    AT_RISK,
    ALIGNMENT,
    CYCLE_CLOSED,
    REMINDER,
    WEEKLY_DIGEST,
    ACTIVITY,
    WORK,
)
LABELS = {
    MENTIONED: "I am mentioned in a comment",
    COMMENT_ON_MINE: "A comment on something I own or follow",
    AT_RISK: "A key result I own or follow turns at risk or off track",
    ALIGNMENT: "An objective I own is aligned to or loses a parent",
    CYCLE_CLOSED: "A cycle I have objectives in closes",
    REMINDER: "Check-in reminders and nudges",
    WEEKLY_DIGEST: "The weekly digest",
    ACTIVITY: "Check-ins and changes on what I follow",
    WORK: "A task assigned to me; an initiative I own blocked, overdue or failing to sync",
}

IN_APP, EMAIL, SLACK, TEAMS = "in_app", "email", "slack", "teams"
CHANNELS = (IN_APP, EMAIL, SLACK, TEAMS)
CHANNEL_LABELS = {IN_APP: "In Pacer", EMAIL: "Email", SLACK: "Slack", TEAMS: "Microsoft Teams"}

# (kind, channel) pairs on by default; everything else is off until the person turns it on.
DEFAULTS = frozenset(
    {(kind, IN_APP) for kind in KINDS if kind != WEEKLY_DIGEST}
    | {(kind, EMAIL) for kind in (MENTIONED, AT_RISK, REMINDER, WEEKLY_DIGEST, WORK)}
)
