"""pacer.okrs.services.teams: admins create, rename, move and archive teams, and choose
their members and leads."""

import pytest

from pacer.okrs import history, services
from pacer.okrs.models import Membership, Team
from tests.factories import World, fresh, make_person, make_team, refusal

pytestmark = pytest.mark.django_db

NOT_ADMIN = {"": "only an admin of the organization manages its teams"}


def create(world: World, name: str = "Mobile", **changes: object) -> Team:
    values: dict[str, object] = {"organization": world.org, "name": name, "by": world.admin}
    return services.team_create(**(values | changes))  # type: ignore[arg-type]


def entries_of(team: Team) -> list[dict[str, list[str]]]:
    found = history.entries().filter(content_type__model="team", object_id=team.pk)
    return [history.changes_of(entry) for entry in found.order_by("timestamp", "id")]


# --- Create ---------------------------------------------------------------------------


def test_an_admin_creates_a_team_with_a_ref_made_from_its_name(world: World) -> None:
    team = create(world, " Mobile Apps ", parent=world.team)
    assert (team.ref, team.name, team.parent, team.archived_at) == (
        "mobile-apps",
        "Mobile Apps",
        world.team,
        None,
    )
    assert entries_of(team)[0]["name"] == ("None", "Mobile Apps")


def test_a_taken_or_reserved_name_gets_a_numbered_ref(world: World) -> None:
    assert create(world, "Platform").ref == "platform-2"
    assert create(world, "New").ref == "new-2"  # /teams/new/ is the page that creates one


def test_the_same_ref_in_another_organization_is_free(world: World) -> None:
    team = services.team_create(organization=world.other_org, name="Platform", by=world.stranger)
    assert team.ref == "platform"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "Ops\x1b[31m"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"ref": "platform"}, "ref"),
        ({"ref": "new"}, "ref"),
        ({"ref": "no spaces"}, "ref"),
    ],
)
def test_a_team_needs_a_name_and_a_free_ref(
    world: World, changes: dict[str, object], field: str
) -> None:
    assert set(refusal(lambda: create(world, **changes))) == {field}


def test_a_team_goes_only_under_an_active_team_of_the_organization(world: World) -> None:
    globex = make_team(world.other_org, "globex-team")
    assert set(refusal(lambda: create(world, parent=globex))) == {"parent"}
    services.team_archive(team=world.team, by=world.admin)
    problems = refusal(lambda: create(world, parent=fresh(world.team)))
    assert problems == {"parent": "Platform is archived"}


@pytest.mark.parametrize("by", ["owner", "stranger"])
def test_only_an_admin_of_the_organization_creates_teams(world: World, by: str) -> None:
    assert refusal(lambda: create(world, by=getattr(world, by))) == NOT_ADMIN


# --- Rename and move ------------------------------------------------------------------


def test_rename_and_move_a_team(world: World) -> None:
    mobile = create(world)
    services.team_update(team=mobile, name="Mobile & Web", parent=world.team, by=world.admin)
    assert (fresh(mobile).name, fresh(mobile).parent) == ("Mobile & Web", world.team)
    services.team_update(team=mobile, name="Mobile & Web", parent=None, by=world.admin)
    assert fresh(mobile).parent is None
    created, renamed_and_moved, moved = entries_of(mobile)
    assert created["ref"] == ("None", "mobile")
    assert set(renamed_and_moved) == {"name", "parent"} and set(moved) == {"parent"}


def test_a_team_cannot_move_under_itself_or_its_own_sub_teams(world: World) -> None:
    child = make_team(world.org, "child", parent=world.team)
    grandchild = make_team(world.org, "grandchild", parent=child)
    for parent in (world.team, child, grandchild):
        problems = refusal(
            lambda parent=parent: services.team_update(
                team=world.team, name="Platform", parent=parent, by=world.admin
            )
        )
        assert problems == {"parent": f"Platform cannot move under {parent.name}: it is part of it"}


def test_a_move_keeps_the_name_rules(world: World) -> None:
    problems = refusal(
        lambda: services.team_update(team=world.team, name="", parent=None, by=world.admin)
    )
    assert problems == {"name": "is required"}


def test_only_an_admin_renames_a_team(world: World) -> None:
    problems = refusal(
        lambda: services.team_update(team=world.team, name="Mine", parent=None, by=world.owner)
    )
    assert problems == NOT_ADMIN


# --- Archive and restore --------------------------------------------------------------


def test_archiving_keeps_members_objectives_and_history(world: World) -> None:
    services.team_archive(team=world.team, by=world.admin)
    team = fresh(world.team)
    assert team.archived_at is not None
    assert set(team.memberships.values_list("person__email", flat=True)) == {
        "owner@acme.test",
        "teammate@acme.test",
    }
    assert set(team.objectives.all()) == {world.public, world.private}
    assert "archived_at" in entries_of(team)[-1]
    services.team_restore(team=team, by=world.admin)
    assert fresh(world.team).archived_at is None


def test_an_archived_team_changes_only_once_restored(world: World) -> None:
    services.team_archive(team=world.team, by=world.admin)
    team = fresh(world.team)
    expected = {"team": "Platform is archived: restore it to change it"}
    calls = [
        lambda: services.team_update(team=team, name="Renamed", parent=None, by=world.admin),
        lambda: services.membership_set(team=team, person=world.outsider, by=world.admin),
        lambda: services.membership_remove(team=team, person=world.teammate, by=world.admin),
    ]
    for call in calls:
        assert refusal(call) == expected


def test_a_team_with_active_sub_teams_is_not_archived(world: World) -> None:
    make_team(world.org, "web", parent=world.team)
    problems = refusal(lambda: services.team_archive(team=world.team, by=world.admin))
    assert problems == {"team": "Platform still has sub-teams (Web): archive or move them first"}


def test_sub_teams_first_then_the_parent_and_back_parent_first(world: World) -> None:
    web = make_team(world.org, "web", parent=world.team)
    services.team_archive(team=web, by=world.admin)
    services.team_archive(team=world.team, by=world.admin)
    problems = refusal(lambda: services.team_restore(team=fresh(web), by=world.admin))
    assert problems == {"team": "Web is under Platform, which is archived: restore it first"}
    services.team_restore(team=fresh(world.team), by=world.admin)
    services.team_restore(team=fresh(web), by=world.admin)
    assert not Team.objects.filter(archived_at__isnull=False).exists()


@pytest.mark.parametrize("by", ["owner", "stranger"])
def test_only_an_admin_archives_and_restores(world: World, by: str) -> None:
    actor = getattr(world, by)
    assert refusal(lambda: services.team_archive(team=world.team, by=actor)) == NOT_ADMIN
    services.team_archive(team=world.team, by=world.admin)
    assert refusal(lambda: services.team_restore(team=fresh(world.team), by=actor)) == NOT_ADMIN


# --- Members and leads ----------------------------------------------------------------


def test_add_a_member_make_them_lead_and_remove_them(world: World) -> None:
    membership = services.membership_set(team=world.team, person=world.outsider, by=world.admin)
    assert not membership.is_lead
    services.membership_set(team=world.team, person=world.outsider, is_lead=True, by=world.admin)
    assert Membership.objects.get(team=world.team, person=world.outsider).is_lead
    services.membership_set(team=world.team, person=world.owner, is_lead=False, by=world.admin)
    assert not Membership.objects.get(team=world.team, person=world.owner).is_lead
    services.membership_remove(team=world.team, person=world.outsider, by=world.admin)
    assert not Membership.objects.filter(team=world.team, person=world.outsider).exists()
    actions = history.entries().filter(content_type__model="membership").values_list("action")
    assert {history.ACTIONS[a] for (a,) in actions} >= {"create", "update", "delete"}


def test_members_come_from_the_organization_and_are_active(world: World) -> None:
    problems = refusal(
        lambda: services.membership_set(team=world.team, person=world.stranger, by=world.admin)
    )
    assert problems == {"person": "must be a person of the organization"}
    services.person_deactivate(person=world.outsider, by=world.admin)
    problems = refusal(
        lambda: services.membership_set(
            team=world.team, person=fresh(world.outsider), by=world.admin
        )
    )
    assert problems == {"person": "Outsider is deactivated"}


def test_removing_someone_who_is_not_a_member_is_refused(world: World) -> None:
    problems = refusal(
        lambda: services.membership_remove(team=world.team, person=world.outsider, by=world.admin)
    )
    assert problems == {"person": "Outsider is not a member of Platform"}


@pytest.mark.parametrize("by", ["owner", "teammate", "stranger"])
def test_only_an_admin_chooses_members_and_leads(world: World, by: str) -> None:
    actor = getattr(world, by)
    add = refusal(lambda: services.membership_set(team=world.team, person=world.outsider, by=actor))
    remove = refusal(
        lambda: services.membership_remove(team=world.team, person=world.teammate, by=actor)
    )
    assert add == remove == NOT_ADMIN


def test_a_new_person_of_the_organization_may_join(world: World) -> None:
    newcomer = make_person(world.org, "newcomer@acme.test")
    services.membership_set(team=world.team, person=newcomer, is_lead=True, by=world.admin)
    assert Membership.objects.get(team=world.team, person=newcomer).is_lead
