"""pacer.okrs.services.people: an admin changes a person's teams, role and time zone, and
sends an invitation again."""

from collections.abc import Sequence
from typing import Any

import pytest
from django.core import mail

from pacer.accounts.models import User
from pacer.okrs import history, services
from pacer.okrs.models import Membership, Team
from tests.factories import World, fresh, make_person, make_team, refusal

pytestmark = pytest.mark.django_db

NOT_ADMIN = {"": "only an admin of the organization manages its people"}
LINK = "https://pacer.test/reset/abc/def/"


def update(
    world: World,
    person: User,
    *,
    role: str = "member",
    time_zone: str = "Europe/Berlin",
    teams: Sequence[Team] | None = None,
    by: User | None = None,
) -> User:
    return services.person_update(
        person=person,
        role=role,
        time_zone=time_zone,
        teams=[world.team] if teams is None else teams,
        by=by or world.admin,
    )


def teams_of(person: User) -> set[tuple[str, bool]]:
    return set(Membership.objects.filter(person=person).values_list("team__ref", "is_lead"))


def test_a_new_person_lives_in_the_servers_time_zone(world: World, settings: Any) -> None:
    assert world.owner.time_zone == "UTC"  # settings.TIME_ZONE of the tests
    settings.TIME_ZONE = "Europe/Lisbon"
    assert make_person(world.org, "later@acme.test").time_zone == "Europe/Lisbon"


def test_an_admin_changes_role_time_zone_and_teams(world: World) -> None:
    design = make_team(world.org, "design")
    update(world, world.outsider, role="admin", time_zone="America/New_York", teams=[design])
    outsider = fresh(world.outsider)
    assert (outsider.role, outsider.time_zone) == ("admin", "America/New_York")
    assert teams_of(outsider) == {("design", False)}
    entry = history.entries().filter(content_type__model="user", object_id=outsider.pk).first()
    assert history.changes_of(entry) == {
        "role": ("member", "admin"),
        "time_zone": ("UTC", "America/New_York"),
    }


def test_a_kept_team_keeps_its_lead_and_archived_teams_stay(world: World) -> None:
    archived = make_team(world.org, "old-team", members=(world.owner,))
    services.team_archive(team=archived, by=world.admin)
    design = make_team(world.org, "design")
    update(world, world.owner, teams=[world.team, design])
    assert teams_of(world.owner) == {("platform", True), ("design", False), ("old-team", False)}
    update(world, world.owner, teams=[])
    assert teams_of(world.owner) == {("old-team", False)}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": ""}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"role": "owner"}, "role"),
    ],
)
def test_role_and_time_zone_are_checked(world: World, changes: dict[str, str], field: str) -> None:
    assert set(refusal(lambda: update(world, world.teammate, **changes))) == {field}  # type: ignore[arg-type]


def test_teams_are_the_organizations_active_ones(world: World) -> None:
    globex = make_team(world.other_org, "globex-team")
    assert set(refusal(lambda: update(world, world.teammate, teams=[globex]))) == {"teams"}
    old = make_team(world.org, "old")
    services.team_archive(team=old, by=world.admin)
    problems = refusal(lambda: update(world, world.teammate, teams=[fresh(old)]))
    assert problems == {"teams": "archived teams take no new members: Old"}


def test_the_last_admin_cannot_step_down(world: World) -> None:
    problems = refusal(lambda: update(world, world.admin, role="member"))
    assert problems == {"role": "the organization needs an admin: make someone else admin first"}


def test_a_deactivated_admin_does_not_count(world: World) -> None:
    former = make_person(world.org, "former@acme.test", admin=True)
    services.person_deactivate(person=former, by=world.admin)
    assert set(refusal(lambda: update(world, world.admin, role="member"))) == {"role"}


def test_an_admin_steps_down_once_another_admin_exists(world: World) -> None:
    update(world, world.owner, role="admin")
    update(world, world.admin, role="member", by=world.admin)
    assert not fresh(world.admin).is_org_admin


@pytest.mark.parametrize("by", ["owner", "stranger"])
def test_only_an_admin_of_the_organization_changes_people(world: World, by: str) -> None:
    actor = getattr(world, by)
    assert refusal(lambda: update(world, world.teammate, by=actor)) == NOT_ADMIN


# --- Invitations ----------------------------------------------------------------------


def test_an_invitation_is_sent_again_to_someone_without_a_password(world: World) -> None:
    services.invitation_resend(person=world.teammate, by=world.admin, set_password_url=LINK)
    (message,) = mail.outbox
    assert message.to == ["teammate@acme.test"] and LINK in message.body


def test_no_invitation_for_someone_who_signs_in_already_or_is_deactivated(world: World) -> None:
    world.teammate.set_password("chosen")
    world.teammate.save()
    problems = refusal(
        lambda: services.invitation_resend(
            person=world.teammate, by=world.admin, set_password_url=LINK
        )
    )
    assert problems == {"person": "Teammate already chose a password and signs in"}
    services.person_deactivate(person=world.outsider, by=world.admin)
    problems = refusal(
        lambda: services.invitation_resend(
            person=fresh(world.outsider), by=world.admin, set_password_url=LINK
        )
    )
    assert problems == {"person": "Outsider is deactivated: reactivate them first"}
    assert mail.outbox == []


@pytest.mark.parametrize("by", ["owner", "stranger"])
def test_only_an_admin_sends_invitations_again(world: World, by: str) -> None:
    actor = getattr(world, by)
    problems = refusal(
        lambda: services.invitation_resend(person=world.teammate, by=actor, set_password_url=LINK)
    )
    assert problems == NOT_ADMIN
    assert mail.outbox == []
