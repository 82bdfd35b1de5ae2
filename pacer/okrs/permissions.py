"""Who may change what: one named predicate per question, asked by every entry point.

The web, the API, the CLI and the importer call these; none computes a permission itself.
Reading is a different question, answered by `selectors.objectives_visible_to`: a person
may change only what they may see, and everything here assumes the object was found
through that selector (a hidden object is a 404 before any of these is asked).

The importer and the CLI act as the operator of the installation (they run with the
database's credentials), so they ask only when a person is named (`--as`, `--by`).
"""

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from pacer.accounts.models import User
from pacer.okrs.models import (
    CheckIn,
    Comment,
    Cycle,
    KeyResult,
    Membership,
    Objective,
    Organization,
    Team,
)
from pacer.okrs.selectors import objectives_visible_to

if TYPE_CHECKING:
    from pacer.initiatives.models import Initiative, Task
    from pacer.kpis.models import KPI, KPIValue


def is_admin_of(person: User, organization_id: int | None) -> bool:
    return (
        person.is_authenticated
        and person.is_org_admin
        and organization_id is not None
        and person.organization_id == organization_id
    )


def is_member_of(person: User, team_id: int | None) -> bool:
    return (
        team_id is not None and Membership.objects.filter(team_id=team_id, person=person).exists()
    )


def objectives_editable_by(person: User) -> QuerySet[Objective]:
    """Objectives `person` may change: admins all of their organization's; others those they
    own or whose team they belong to (and may see, which those imply)."""
    if not person.is_authenticated or person.is_org_admin or person.organization_id is None:
        return objectives_visible_to(person)  # all of theirs, or none
    # Owning or being of the team implies seeing it, so the visibility test is left out:
    # with it, the database listed every objective of the organization to test each one
    # (the weekly check-in page's query took 59 ms at the large size); this way it reads
    # the person's objectives and teams' objectives by their indexes.
    teams = Membership.objects.filter(person=person).values("team_id")
    return Objective.objects.filter(organization_id=person.organization_id).filter(
        Q(owner=person) | Q(team_id__in=teams)
    )


def can_edit_objective(person: User, objective: Objective) -> bool:
    """Only the owner, members of the owning team and admins change an objective."""
    if not person.is_authenticated or person.organization_id != objective.organization_id:
        return False
    if person.is_org_admin or objective.owner_id == person.pk:
        return True
    return is_member_of(person, objective.team_id)


def can_file_under_team(person: User, team: Team | None) -> bool:
    """An objective may name a team its author belongs to (admins: any team of theirs),
    unless the team is archived."""
    if team is None:
        return person.is_authenticated and person.organization_id is not None
    if person.organization_id != team.organization_id or team.archived_at is not None:
        return False
    return person.is_org_admin or is_member_of(person, team.pk)


def teams_to_file_under(person: User) -> QuerySet[Team]:
    """The teams `can_file_under_team` allows, for a form's choices."""
    if person.organization_id is None:
        return Team.objects.none()
    teams = Team.objects.filter(organization_id=person.organization_id, archived_at__isnull=True)
    return teams if person.is_org_admin else teams.filter(memberships__person=person)


def can_create_objective_for(person: User, *, owner: User, team: Team | None) -> bool:
    """Members create their own objectives under their teams; admins for anyone."""
    if owner.pk != person.pk and not is_admin_of(person, owner.organization_id):
        return False
    return can_file_under_team(person, team)


def owners_assignable_by(person: User, current: User | None = None) -> QuerySet[User]:
    """Whom `person` may name an objective's owner (as `can_create_objective_for`): admins
    any active person of their organization, members themselves; `current` may stay."""
    people = active_people(person)
    if not is_admin_of(person, person.organization_id):
        people = people.filter(pk=person.pk)
    if current is not None:
        people = people | User.objects.filter(pk=current.pk)
    return people.order_by("name", "email")


def can_assign_owner(person: User, owner: User, current: User | None = None) -> bool:
    """Whether `person` may make `owner` an objective's owner (`owners_assignable_by`)."""
    return owners_assignable_by(person, current).filter(pk=owner.pk).exists()


def active_people(person: User) -> QuerySet[User]:
    """The people of `person`'s organization who may own a key result: the active ones."""
    if person.organization_id is None:
        return User.objects.none()
    people = User.objects.filter(organization_id=person.organization_id, is_active=True)
    return people.order_by("name", "email")


def can_check_in(person: User, key_result: KeyResult) -> bool:
    """Check-ins are changes to the key result's objective: the same people make them, and
    the key result's own owner, who answers for it (perhaps from another team)."""
    if person.is_authenticated and key_result.owner_id == person.pk:
        return person.organization_id == key_result.organization_id
    return can_edit_objective(person, key_result.objective)


def key_results_checkable_by(person: User) -> QuerySet[KeyResult]:
    """The key results `can_check_in` allows `person`, among those they may see."""
    owned = Q(owner_id=person.pk, objective__in=objectives_visible_to(person))
    return KeyResult.objects.filter(Q(objective__in=objectives_editable_by(person)) | owned)


def can_delete_checkin(person: User, checkin: CheckIn) -> bool:
    """Its author, or an admin of the organization."""
    if is_admin_of(person, checkin.key_result.organization_id):
        return True
    return person.is_authenticated and checkin.author_id == person.pk


def can_close_cycle(person: User, cycle: Cycle) -> bool:
    """Closing, reopening and changing cycles is for the organization's admins."""
    return is_admin_of(person, cycle.organization_id)


def can_manage_cycles(person: User, organization: Organization | None) -> bool:
    return organization is not None and is_admin_of(person, organization.pk)


def can_manage_people(person: User, organization: Organization | None) -> bool:
    """Inviting, deactivating and changing people is for the organization's admins."""
    return organization is not None and is_admin_of(person, organization.pk)


def can_change_settings(person: User, organization: Organization | None) -> bool:
    return organization is not None and is_admin_of(person, organization.pk)


def can_manage_teams(person: User, organization: Organization | None) -> bool:
    """Creating, renaming, moving and archiving teams, and choosing their members and
    leads, is for the organization's admins."""
    return organization is not None and is_admin_of(person, organization.pk)


def can_nudge(person: User, other: User) -> bool:
    """Reminding someone to check in (a nudge, pacer.reminders) is for the organization's
    admins and the leads of one of the other person's teams."""
    if other.organization_id is None or not other.is_active:
        return False
    if is_admin_of(person, other.organization_id):
        return True
    their_teams = Membership.objects.filter(person=other).values("team_id")
    return Membership.objects.filter(person=person, is_lead=True, team_id__in=their_teams).exists()


def can_comment(person: User, objective: Objective) -> bool:
    """Anyone who may see an objective may comment on it, on its key results and check-ins,
    whatever the cycle's state (discussion goes on after a cycle closes)."""
    return objectives_visible_to(person).filter(pk=objective.pk).exists()


def can_change_comment(person: User, comment: Comment) -> bool:
    """Only its author edits or deletes a comment (admins neither: it is the author's word)."""
    return person.is_authenticated and comment.author_id == person.pk


# --- Initiatives (pacer.initiatives) ----------------------------------------------------


def can_create_initiative(person: User, *, owner: User, team: Team | None) -> bool:
    """Anyone may start work for the goals they see, owned by anyone active of their
    organization (work is often set up for someone else), under a team they may file under."""
    if not person.is_authenticated or person.organization_id != owner.organization_id:
        return False
    return can_file_under_team(person, team) if team is not None else True


def can_change_initiative(person: User, initiative: "Initiative") -> bool:
    """Its owner, the members of its team, whoever may change an objective it supports, and
    admins (found through `initiatives_visible_to` first, like everything here)."""
    if not person.is_authenticated or person.organization_id != initiative.organization_id:
        return False
    if person.is_org_admin or initiative.owner_id == person.pk:
        return True
    if initiative.team_id is not None and is_member_of(person, initiative.team_id):
        return True
    supported = Objective.objects.filter(key_results__initiatives=initiative)
    return objectives_editable_by(person).filter(pk__in=supported.values("pk")).exists()


def can_tick_task(person: User, task: "Task") -> bool:
    """Marking a task done or not: its assignee, and whoever may change its initiative."""
    if person.is_authenticated and task.assignee_id == person.pk:
        return True
    return can_change_initiative(person, task.initiative)


# --- KPIs (pacer.kpis) ------------------------------------------------------------------


def is_lead_of(person: User, team_id: int | None) -> bool:
    return (
        team_id is not None
        and Membership.objects.filter(team_id=team_id, person=person, is_lead=True).exists()
    )


def can_create_kpi(person: User, *, owner: User, team: Team | None) -> bool:
    """As objectives (`can_create_objective_for`): members their own KPIs under their
    teams, admins for anyone; a team's lead also for the team's members."""
    if not person.is_authenticated or person.organization_id != owner.organization_id:
        return False
    for_someone_else = owner.pk != person.pk and not is_admin_of(person, owner.organization_id)
    if for_someone_else and (team is None or not is_lead_of(person, team.pk)):
        return False
    return can_file_under_team(person, team)


def can_change_kpi(person: User, kpi: "KPI") -> bool:
    """Its owner, the leads of its team, and admins change, archive and delete a KPI, its
    thresholds and its data source, and link key results to it from its page."""
    if not person.is_authenticated or person.organization_id != kpi.organization_id:
        return False
    if person.is_org_admin or kpi.owner_id == person.pk:
        return True
    return is_lead_of(person, kpi.team_id)


def can_add_kpi_value(person: User, kpi: "KPI") -> bool:
    """Whoever may change it, and the members of its team (they report it, as a team's
    members check in on its objectives)."""
    return can_change_kpi(person, kpi) or (
        person.is_authenticated
        and person.organization_id == kpi.organization_id
        and is_member_of(person, kpi.team_id)
    )


def can_delete_kpi_value(person: User, value: "KPIValue") -> bool:
    """Its author, or whoever may change the KPI."""
    if person.is_authenticated and value.author_id == person.pk:
        return person.organization_id == value.kpi.organization_id
    return can_change_kpi(person, value.kpi)


def can_see_background_tasks(person: User) -> bool:
    """The worker's tasks belong to the installation, not to one organization (their
    arguments and errors may concern any). Whoever runs it sees them: a superuser, or the
    admins of its organization when it holds only one (the usual self-hosted case)."""
    if not person.is_authenticated:
        return False
    if person.is_superuser:
        return True
    alone = Organization.objects.count() == 1
    return alone and is_admin_of(person, person.organization_id)


# --- Confidence calibration (pacer.insights.calibration) --------------------------------


def can_see_calibration(person: User, other: User) -> bool:
    """A person's confidence calibration is for that person, the leads of one of their
    teams and the admins of their organization (how well someone forecasts is feedback,
    not a public ranking)."""
    if not person.is_authenticated or other.organization_id is None:
        return False
    if person.organization_id != other.organization_id:
        return False
    if person.pk == other.pk or person.is_org_admin:
        return True
    their_teams = Membership.objects.filter(person=other).values("team_id")
    return Membership.objects.filter(person=person, is_lead=True, team_id__in=their_teams).exists()


def can_see_team_calibration(person: User, team: Team) -> bool:
    """A team's confidence calibration is for its leads and the organization's admins."""
    if not person.is_authenticated or person.organization_id != team.organization_id:
        return False
    if person.is_org_admin:
        return True
    return Membership.objects.filter(team=team, person=person, is_lead=True).exists()
