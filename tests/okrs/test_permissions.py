"""pacer.okrs.permissions: each question answered once, for the shared world's cast."""

from decimal import Decimal

from pacer.okrs import permissions, services
from pacer.okrs.models import Objective
from tests.factories import World, make_team


def test_editors_are_the_owner_the_owning_team_and_admins(world: World) -> None:
    for person in (world.owner, world.teammate, world.admin):
        assert permissions.can_edit_objective(person, world.public)
        assert permissions.can_check_in(person, world.adoption)
    for person in (world.outsider, world.stranger):
        assert not permissions.can_edit_objective(person, world.public)
        assert not permissions.can_check_in(person, world.adoption)


def test_objectives_editable_by_agrees_with_can_edit_objective(world: World) -> None:
    everyone = Objective.objects.all()
    for person in (world.admin, world.owner, world.teammate, world.outsider, world.stranger):
        editable = set(permissions.objectives_editable_by(person))
        assert editable == {o for o in everyone if permissions.can_edit_objective(person, o)}
    assert world.private not in set(permissions.objectives_editable_by(world.outsider))


def test_a_member_files_objectives_only_under_their_own_teams(world: World) -> None:
    sales = make_team(world.org, "sales", members=(world.outsider,))
    assert permissions.can_file_under_team(world.owner, world.team)
    assert not permissions.can_file_under_team(world.owner, sales)
    assert permissions.can_file_under_team(world.outsider, sales)
    assert permissions.can_file_under_team(world.admin, sales)
    assert permissions.can_file_under_team(world.outsider, None)
    assert not permissions.can_file_under_team(world.stranger, world.team)
    assert set(permissions.teams_to_file_under(world.owner)) == {world.team}
    assert set(permissions.teams_to_file_under(world.admin)) == {world.team, sales}


def test_only_admins_create_objectives_for_someone_else(world: World) -> None:
    assert permissions.can_create_objective_for(world.owner, owner=world.owner, team=world.team)
    assert not permissions.can_create_objective_for(
        world.owner, owner=world.teammate, team=world.team
    )
    assert permissions.can_create_objective_for(world.admin, owner=world.teammate, team=None)
    assert not permissions.can_create_objective_for(world.stranger, owner=world.owner, team=None)


def test_a_checkin_is_deleted_by_its_author_or_an_admin(world: World) -> None:
    checkin = services.checkin_create(
        key_result=world.adoption, value=Decimal(40), author=world.teammate
    )
    assert permissions.can_delete_checkin(world.teammate, checkin)
    assert permissions.can_delete_checkin(world.admin, checkin)
    assert not permissions.can_delete_checkin(world.owner, checkin)
    assert not permissions.can_delete_checkin(world.stranger, checkin)


def test_cycles_people_and_settings_are_for_the_organizations_admins(world: World) -> None:
    assert permissions.can_close_cycle(world.admin, world.cycle)
    assert permissions.can_manage_people(world.admin, world.org)
    assert permissions.can_change_settings(world.admin, world.org)
    for person in (world.owner, world.outsider, world.stranger):
        assert not permissions.can_close_cycle(person, world.cycle)
        assert not permissions.can_manage_people(person, world.org)
        assert not permissions.can_change_settings(person, world.org)


def test_a_key_results_owner_checks_in_on_it_from_outside_the_team(world: World) -> None:
    world.adoption.owner = world.outsider
    world.adoption.save()
    assert permissions.can_check_in(world.outsider, world.adoption)
    assert not permissions.can_edit_objective(world.outsider, world.public)  # only check-ins
    assert not permissions.can_check_in(world.stranger, world.adoption)
    everyone = list(world.adoption.__class__.objects.all())
    for person in (world.admin, world.owner, world.teammate, world.outsider, world.stranger):
        checkable = set(permissions.key_results_checkable_by(person))
        assert checkable == {kr for kr in everyone if permissions.can_check_in(person, kr)}


def test_owning_a_key_result_of_a_hidden_objective_shows_nothing(world: World) -> None:
    world.secret_kr.owner = world.outsider  # a private objective of a team they are not in
    world.secret_kr.save()
    assert world.secret_kr not in set(permissions.key_results_checkable_by(world.outsider))
