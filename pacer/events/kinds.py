"""The events Pacer tells others about, named once.

WEBHOOK_KINDS are the public names a webhook subscribes to (docs/webhooks.md); the others
are only for people's notifications.
"""

CHECKIN_CREATED = "checkin.created"
OBJECTIVE_CREATED = "objective.created"
OBJECTIVE_UPDATED = "objective.updated"
OBJECTIVE_STATUS_CHANGED = "objective.status_changed"
COMMENT_CREATED = "comment.created"
CYCLE_CLOSED = "cycle.closed"
KEY_RESULT_STATUS_CHANGED = "key_result.status_changed"
OBJECTIVE_ALIGNED = "objective.aligned"
OBJECTIVE_UNALIGNED = "objective.unaligned"

WEBHOOK_KINDS = (
    CHECKIN_CREATED,
    OBJECTIVE_STATUS_CHANGED,
    OBJECTIVE_CREATED,
    OBJECTIVE_UPDATED,
    COMMENT_CREATED,
    CYCLE_CLOSED,
)
ALL_KINDS = (*WEBHOOK_KINDS, KEY_RESULT_STATUS_CHANGED, OBJECTIVE_ALIGNED, OBJECTIVE_UNALIGNED)
