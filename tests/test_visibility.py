"""Who may see and change an objective: `pacer.okrs.selectors`.

The people: Olga owns the objectives and is in the product team with Tom (her teammate);
Otto is in the same organization but only in the sales team; Ada administers the
organization; Xavier belongs to another organization (and administers it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from pacer.accounts.models import User
from pacer.okrs.models import Objective, Organization
from pacer.okrs.permissions import can_edit_objective
from pacer.okrs.selectors import (
    key_results_visible_to,
    objectives_for_export,
    objectives_visible_to,
)
from tests.factories import (
    make_cycle,
    make_key_result,
    make_objective,
    make_organization,
    make_person,
    make_team,
)

pytestmark = pytest.mark.django_db


@dataclass
class World:
    organization: Organization
    owner: User
    teammate: User
    outsider: User
    admin: User
    stranger: User
    public: Objective
    private: Objective
    private_without_team: Objective
    foreign_public: Objective
    foreign_private: Objective


@pytest.fixture
def world() -> World:
    acme = make_organization("Acme")
    owner = make_person(acme, "olga@acme.test")
    teammate = make_person(acme, "tom@acme.test")
    outsider = make_person(acme, "otto@acme.test")
    admin = make_person(acme, "ada@acme.test", admin=True)
    product = make_team(acme, "product", members=(owner, teammate))
    make_team(acme, "sales", members=(outsider,))
    cycle = make_cycle(acme, "q4", date(2026, 10, 1), date(2026, 12, 31))
    public = make_objective(cycle, "public-goal", owner, team=product)
    private = make_objective(cycle, "private-goal", owner, team=product, visibility="private")
    private_without_team = make_objective(cycle, "own-goal", owner, visibility="private")
    make_key_result(public, "public-kr")
    make_key_result(private, "private-kr")

    other = make_organization("Globex")
    stranger = make_person(other, "xavier@globex.test", admin=True)
    other_team = make_team(other, "globex-product", members=(stranger,))
    other_cycle = make_cycle(other, "q4-globex", date(2026, 10, 1), date(2026, 12, 31))
    foreign_public = make_objective(other_cycle, "globex-public", stranger, team=other_team)
    foreign_private = make_objective(
        other_cycle, "globex-private", stranger, team=other_team, visibility="private"
    )
    return World(
        acme,
        owner,
        teammate,
        outsider,
        admin,
        stranger,
        public,
        private,
        private_without_team,
        foreign_public,
        foreign_private,
    )


def visible(person: User) -> set[str]:
    return set(objectives_visible_to(person).values_list("ref", flat=True))


ACME_ALL = {"public-goal", "private-goal", "own-goal"}


def test_owner_sees_public_and_own_private_objectives(world: World) -> None:
    assert visible(world.owner) == ACME_ALL


def test_teammate_sees_the_owning_teams_private_objective(world: World) -> None:
    assert visible(world.teammate) == {"public-goal", "private-goal"}


def test_outsider_sees_only_public_objectives(world: World) -> None:
    assert visible(world.outsider) == {"public-goal"}


def test_admin_sees_every_objective_of_the_organization(world: World) -> None:
    assert visible(world.admin) == ACME_ALL


def test_person_of_another_organization_sees_nothing_of_this_one(world: World) -> None:
    assert visible(world.stranger) == {"globex-public", "globex-private"}


def test_nothing_of_another_organization_is_ever_visible(world: World) -> None:
    for person in (world.owner, world.teammate, world.outsider, world.admin):
        refs = visible(person)
        assert not refs & {"globex-public", "globex-private"}


def test_person_without_organization_sees_nothing(world: World) -> None:
    loner = make_person(None, "loner@nowhere.test", admin=True)
    assert visible(loner) == set()


def test_anonymous_visitor_sees_nothing(world: World) -> None:
    assert not objectives_visible_to(AnonymousUser()).exists()  # type: ignore[arg-type]


def test_lead_of_the_owning_team_sees_its_private_objective(world: World) -> None:
    lead = make_person(world.organization, "lena@acme.test")
    world.private.team.memberships.create(person=lead, is_lead=True)
    assert "private-goal" in visible(lead)


def test_member_of_a_parent_team_does_not_see_a_child_teams_private_objective(
    world: World,
) -> None:
    """Private means the owning team itself, not the teams above it."""
    head = make_person(world.organization, "hal@acme.test")
    company = make_team(world.organization, "company", members=(head,))
    world.private.team.parent = company
    world.private.team.save()
    assert visible(head) == {"public-goal"}


def test_visibility_queryset_has_no_duplicates(world: World) -> None:
    """A person in the team who also owns the objective is counted once."""
    refs = list(objectives_visible_to(world.owner).values_list("ref", flat=True))
    assert len(refs) == len(set(refs))


def test_key_results_follow_the_visibility_of_their_objective(world: World) -> None:
    def krs(person: User) -> set[str]:
        return set(key_results_visible_to(person).values_list("ref", flat=True))

    assert krs(world.outsider) == {"public-kr"}
    assert krs(world.teammate) == {"public-kr", "private-kr"}
    assert krs(world.admin) == {"public-kr", "private-kr"}
    assert krs(world.stranger) == set()


# --- Who may change an objective ---------------------------------------------------------


def test_owner_teammate_and_admin_may_edit(world: World) -> None:
    for person in (world.owner, world.teammate, world.admin):
        assert can_edit_objective(person, world.private)
        assert can_edit_objective(person, world.public)


def test_outsider_may_not_edit_even_a_public_objective(world: World) -> None:
    assert not can_edit_objective(world.outsider, world.public)
    assert not can_edit_objective(world.outsider, world.private)


def test_only_owner_and_admin_edit_an_objective_without_team(world: World) -> None:
    assert can_edit_objective(world.owner, world.private_without_team)
    assert can_edit_objective(world.admin, world.private_without_team)
    assert not can_edit_objective(world.teammate, world.private_without_team)
    assert not can_edit_objective(world.outsider, world.private_without_team)


def test_admin_of_another_organization_may_not_edit(world: World) -> None:
    assert not can_edit_objective(world.stranger, world.public)
    assert not can_edit_objective(world.admin, world.foreign_public)
    assert can_edit_objective(world.stranger, world.foreign_private)


def test_anonymous_visitor_may_not_edit(world: World) -> None:
    assert not can_edit_objective(AnonymousUser(), world.public)  # type: ignore[arg-type]


# --- Exports -----------------------------------------------------------------------------


def exported(organization: Organization, viewer: User | None = None) -> set[str]:
    return set(objectives_for_export(organization, viewer=viewer).values_list("ref", flat=True))


def test_export_without_viewer_holds_the_whole_organization(world: World) -> None:
    assert exported(world.organization) == ACME_ALL


def test_export_for_a_viewer_holds_exactly_what_the_viewer_sees(world: World) -> None:
    for person in (world.owner, world.teammate, world.outsider, world.admin):
        assert exported(world.organization, person) == visible(person)


def test_export_of_one_organization_for_a_person_of_another_is_empty(world: World) -> None:
    assert exported(world.organization, world.stranger) == set()
    assert exported(Organization.objects.get(name="Globex"), world.admin) == set()
