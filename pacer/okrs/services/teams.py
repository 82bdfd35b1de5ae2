"""Teams: create, rename, move in the tree, archive and restore; members and leads.

The organization's admins do all of it (`permissions.can_manage_teams`). The tree never
loops (`rules.closes_loop`) and no team sits under an archived one. An archived team leaves
the lists and pickers but keeps its members, objectives and history as they were: it
changes only once restored. Every write is one history entry per row (auditlog's signals).
"""

import re

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from pacer.accounts.models import User
from pacer.okrs import permissions, rules
from pacer.okrs.errors import DomainError, raise_if
from pacer.okrs.models import REF_LENGTH, Membership, Organization, Team

NOT_ADMIN = "only an admin of the organization manages its teams"
SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")


def _require_admin(person: User, organization: Organization) -> None:
    if not permissions.can_manage_teams(person, organization):
        raise DomainError(NOT_ADMIN)


def _lock_tree(organization_id: int) -> dict[int, int | None]:
    """Every team's parent, the organization's team rows locked: moves queue, so two
    concurrent moves cannot make a loop together."""
    rows = Team.objects.select_for_update().filter(organization_id=organization_id)
    return dict(rows.values_list("pk", "parent_id"))


def _parent_problems(
    *, name: str, organization_id: int, parent: Team | None, team_id: int | None = None
) -> list[rules.Problem]:
    if parent is None:
        return []
    if parent.organization_id != organization_id:
        return [("parent", "must be a team of the organization")]
    tree = _lock_tree(organization_id)
    loops = team_id is not None and rules.closes_loop(
        lambda node: [p for p in (tree.get(node),) if p is not None], team_id, parent.pk
    )
    return rules.team_parent_problems(
        team_name=name,
        parent_name=parent.name,
        closes_a_loop=loops,
        parent_archived=parent.archived_at is not None,
    )


def _ref_for(organization: Organization, name: str, ref: str) -> tuple[str, list[rules.Problem]]:
    """The ref asked for (checked) or, when empty, a free one made from the name."""
    ref = ref.strip()
    if ref:
        if not SLUG.match(ref) or len(ref) > REF_LENGTH:
            return ref, [("ref", "letters, digits, - and _ only, at most 100 characters")]
        taken = Team.objects.filter(organization=organization, ref=ref).exists()
        return ref, rules.team_ref_problems(ref=ref, taken=taken)
    stem = slugify(name)[: REF_LENGTH - 10].strip("-") or "team"
    taken_refs = set(
        Team.objects.filter(organization=organization, ref__startswith=stem).values_list(
            "ref", flat=True
        )
    )
    taken_refs |= rules.RESERVED_TEAM_REFS
    free, n = stem, 2
    while free in taken_refs:
        free, n = f"{stem}-{n}", n + 1
    return free, []


@transaction.atomic
def team_create(
    *, organization: Organization, name: str, by: User, parent: Team | None = None, ref: str = ""
) -> Team:
    """A new team, under `parent` if given; its ref is made from the name unless given."""
    _require_admin(by, organization)
    name = name.strip()
    problems = rules.team_problems(name=name)
    problems += _parent_problems(name=name, organization_id=organization.pk, parent=parent)
    ref, ref_problems = _ref_for(organization, name, ref)
    raise_if(problems + ref_problems)
    return Team.objects.create(organization=organization, ref=ref, name=name, parent=parent)


def _locked(team: Team) -> Team:
    return Team.objects.select_for_update().get(pk=team.pk)


def _writable(team: Team, by: User) -> Team:
    """The team's row, locked, if `by` may change it and it is not archived."""
    _require_admin(by, team.organization)
    team = _locked(team)
    raise_if(
        rules.team_archived_problems(team_name=team.name, archived=team.archived_at is not None)
    )
    return team


@transaction.atomic
def team_update(
    *, team: Team, name: str, parent: Team | None, by: User, checkin_cadence: str | None = None
) -> Team:
    """Rename the team and move it under `parent` (None: the top of the tree); set its
    check-in cadence ("" = the organization's; None keeps it)."""
    team = _writable(team, by)
    name = name.strip()
    cadence = team.checkin_cadence if checkin_cadence is None else checkin_cadence
    problems = rules.team_problems(name=name) + rules.team_cadence_problems(cadence)
    if parent is not None and parent.pk != team.parent_id:
        problems += _parent_problems(
            name=name, organization_id=team.organization_id, parent=parent, team_id=team.pk
        )
    raise_if(problems)
    if (team.name, team.parent_id, team.checkin_cadence) != (
        name,
        parent.pk if parent else None,
        cadence,
    ):
        team.name, team.parent, team.checkin_cadence = name, parent, cadence
        team.save(update_fields=["name", "parent", "checkin_cadence", "updated_at"])
    return team


@transaction.atomic
def team_archive(*, team: Team, by: User) -> Team:
    """Take the team out of the lists and pickers; it keeps members, objectives, history.
    Its sub-teams must be archived (or moved) first."""
    _require_admin(by, team.organization)
    team = _locked(team)
    if team.archived_at is not None:
        return team
    sub_teams = Team.objects.filter(parent=team, archived_at__isnull=True)
    raise_if(
        rules.team_archive_problems(
            team_name=team.name, sub_teams=sub_teams.values_list("name", flat=True)
        )
    )
    team.archived_at = timezone.now()
    team.save(update_fields=["archived_at", "updated_at"])
    return team


@transaction.atomic
def team_restore(*, team: Team, by: User) -> Team:
    """Bring an archived team back; its parent, if any, must not be archived."""
    _require_admin(by, team.organization)
    team = _locked(team)
    if team.archived_at is None:
        return team
    parent = team.parent
    archived_parent = parent.name if parent and parent.archived_at is not None else None
    raise_if(rules.team_restore_problems(team_name=team.name, parent_name=archived_parent))
    team.archived_at = None
    team.save(update_fields=["archived_at", "updated_at"])
    return team


def _person_problems(team: Team, person: User) -> list[rules.Problem]:
    if person.organization_id != team.organization_id:
        return [("person", "must be a person of the organization")]
    if not person.is_active:
        return [("person", f"{person} is deactivated")]
    return []


@transaction.atomic
def membership_set(*, team: Team, person: User, is_lead: bool = False, by: User) -> Membership:
    """Make `person` a member of the team (a lead if `is_lead`), or change whether they lead."""
    team = _writable(team, by)
    raise_if(_person_problems(team, person))
    membership = Membership.objects.filter(team=team, person=person).first()
    if membership is None:
        return Membership.objects.create(team=team, person=person, is_lead=is_lead)
    if membership.is_lead != is_lead:
        membership.is_lead = is_lead
        membership.save(update_fields=["is_lead"])
    return membership


@transaction.atomic
def membership_remove(*, team: Team, person: User, by: User) -> None:
    """Take `person` out of the team (what they own stays theirs)."""
    team = _writable(team, by)
    membership = Membership.objects.filter(team=team, person=person).first()
    if membership is None:
        raise DomainError(f"{person} is not a member of {team.name}", "person")
    membership.delete()
