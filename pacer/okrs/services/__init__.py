"""Writes, one module per noun. Each is `<thing>_<action>`, keyword-only, atomic, and keeps
stored progress true; every write under an objective starts from `writable_objective`
(the read-only rule). Views, API endpoints, CLI commands and the importer call these
through this package (`services.checkin_create`); none writes models itself.
"""

from pacer.okrs.services.alignments import objective_align, objective_unalign
from pacer.okrs.services.checkins import (
    CheckInInput,
    checkin_create,
    checkin_create_many,
    checkin_delete,
)
from pacer.okrs.services.comments import comment_create, comment_delete, comment_update
from pacer.okrs.services.cycles import (
    PlannedCycle,
    cycle_close,
    cycle_create,
    cycle_delete,
    cycle_plan_next,
    cycle_reopen,
    cycle_update,
    next_cycle_of,
)
from pacer.okrs.services.key_results import (
    KeyResultSpec,
    key_result_create,
    key_result_delete,
    key_result_move,
    key_result_set_miss_reason,
    key_result_spec,
    key_result_update,
)
from pacer.okrs.services.milestones import (
    milestone_create,
    milestone_delete,
    milestone_move,
    milestone_set_done,
    milestone_update,
)
from pacer.okrs.services.objectives import (
    objective_archive,
    objective_copy,
    objective_create,
    objective_restore,
    objective_set_retrospective,
    objective_update,
)
from pacer.okrs.services.organization import organization_rhythm_update, organization_update
from pacer.okrs.services.people import (
    invitation_path_args,
    invitation_resend,
    invitation_send,
    person_deactivate,
    person_invite,
    person_reactivate,
    person_update,
)
from pacer.okrs.services.teams import (
    membership_remove,
    membership_set,
    team_archive,
    team_create,
    team_restore,
    team_update,
)

__all__ = [
    "CheckInInput",
    "KeyResultSpec",
    "PlannedCycle",
    "checkin_create",
    "checkin_create_many",
    "checkin_delete",
    "comment_create",
    "comment_delete",
    "comment_update",
    "cycle_close",
    "cycle_create",
    "cycle_delete",
    "cycle_plan_next",
    "cycle_reopen",
    "cycle_update",
    "invitation_path_args",
    "invitation_resend",
    "invitation_send",
    "key_result_create",
    "key_result_delete",
    "key_result_move",
    "key_result_set_miss_reason",
    "key_result_spec",
    "key_result_update",
    "membership_remove",
    "membership_set",
    "milestone_create",
    "milestone_delete",
    "milestone_move",
    "milestone_set_done",
    "milestone_update",
    "next_cycle_of",
    "objective_align",
    "objective_archive",
    "objective_copy",
    "objective_create",
    "objective_restore",
    "objective_set_retrospective",
    "objective_unalign",
    "objective_update",
    "organization_rhythm_update",
    "organization_update",
    "person_deactivate",
    "person_invite",
    "person_reactivate",
    "person_update",
    "team_archive",
    "team_create",
    "team_restore",
    "team_update",
]
