"""Managing teams and people in the web: new team, edit, members and leads, archive; a
person's teams, role and time zone; invitations sent again; the people list's filters.

People come from the objective page tests' `world`: `owner` and `teammate` in the platform
team, `outsider` in no team, `admin` an organization admin.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacer.accounts.models import User
from pacer.okrs.models import Membership, Organization, Team
from tests.web.test_objective_pages import XSS, World, client_for, make_person, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]

NEW_TEAM = reverse("team_new")


def edit_url(team: Team) -> str:
    return reverse("team_edit", args=[team.ref])


def invited(world: World, name: str) -> User:
    """Someone invited who has not chosen a password yet."""
    return User.objects.create_user(
        f"{name.lower()}@example.com", None, name=name, organization=world.organization
    )


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# --- Entry points ----------------------------------------------------------------------


def test_admins_find_new_team_on_the_teams_page(world: World) -> None:
    text = client_for(world.admin).get(reverse("team_list")).content.decode()
    assert f'href="{NEW_TEAM}"' in text and ">New team</a>" in text
    detail = client_for(world.admin).get(reverse("team_detail", args=["platform"]))
    assert f'href="{edit_url(world.platform)}"' in detail.content.decode()


def test_members_see_no_new_team_and_no_edit_link(world: World) -> None:
    text = client_for(world.owner).get(reverse("team_list")).content.decode()
    assert "New team" not in text
    detail = client_for(world.owner).get(reverse("team_detail", args=["platform"]))
    assert edit_url(world.platform) not in detail.content.decode()


# --- Create and edit teams --------------------------------------------------------------


def test_an_admin_creates_a_team_under_another(world: World) -> None:
    client = client_for(world.admin)
    assert client.get(NEW_TEAM).status_code == 200
    response = client.post(NEW_TEAM, {"name": "Mobile", "ref": "", "parent": world.platform.pk})
    team = Team.objects.get(name="Mobile")
    assert (team.ref, team.parent) == ("mobile", world.platform)
    assert response.status_code == 302
    assert response["Location"] == f"{edit_url(team)}#members"


def test_a_sub_team_form_starts_under_its_parent(world: World) -> None:
    response = client_for(world.admin).get(f"{NEW_TEAM}?parent={world.platform.pk}")
    assert response.context["form"]["parent"].value() == str(world.platform.pk)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "Ops\x07"}, "name", "must not contain control characters (U+0007)"),
        ({"name": "Again", "ref": "platform"}, "ref", "platform is already taken"),
        ({"name": "New", "ref": "new"}, "ref", "new is reserved; choose another"),
    ],
)
def test_bad_team_input_is_a_400_naming_the_field(
    world: World, data: dict[str, str], field: str, message: str
) -> None:
    before = list(Team.objects.values())
    response = client_for(world.admin).post(NEW_TEAM, data)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    text = response.content.decode()
    assert 'class="error-summary' in text and f'href="#id_{field}"' in text
    assert list(Team.objects.values()) == before


def test_the_name_is_kept_and_escaped_when_refused(world: World) -> None:
    response = client_for(world.admin).post(NEW_TEAM, {"name": XSS, "ref": "platform"})
    assert response.status_code == 400
    text = response.content.decode()
    assert XSS not in text and "&lt;img" in text


def test_rename_and_move_a_team(world: World) -> None:
    parent = Team.objects.create(organization=world.organization, ref="eng", name="Engineering")
    response = client_for(world.admin).post(
        edit_url(world.platform), {"name": "Platform & Infra", "parent": parent.pk}
    )
    assert response.status_code == 302
    platform = Team.objects.get(pk=world.platform.pk)
    assert (platform.name, platform.parent, platform.ref) == (
        "Platform & Infra",
        parent,
        "platform",
    )


def test_a_team_cannot_be_moved_under_its_own_sub_team(world: World) -> None:
    child = Team.objects.create(
        organization=world.organization, ref="child", name="Child", parent=world.platform
    )
    response = client_for(world.admin).post(
        edit_url(world.platform), {"name": "Platform", "parent": child.pk}
    )
    assert response.status_code == 400
    assert "parent" in response.context["form"].errors  # not even offered
    assert Team.objects.get(pk=world.platform.pk).parent is None


# --- Members and leads ------------------------------------------------------------------


def test_add_a_member_make_them_lead_and_remove_them(world: World) -> None:
    client = client_for(world.admin)
    url = reverse("team_member_add", args=["platform"])
    assert client.post(url, {"person": world.outsider.pk}).status_code == 302
    assert Membership.objects.filter(team=world.platform, person=world.outsider).exists()
    lead = reverse("team_member_lead", args=["platform", world.outsider.pk])
    client.post(lead, {"is_lead": "1"})
    assert Membership.objects.get(team=world.platform, person=world.outsider).is_lead
    client.post(lead, {"is_lead": "0"})
    assert not Membership.objects.get(team=world.platform, person=world.outsider).is_lead
    client.post(reverse("team_member_remove", args=["platform", world.outsider.pk]))
    assert not Membership.objects.filter(team=world.platform, person=world.outsider).exists()


def test_adding_someone_already_in_the_team_is_a_400(world: World) -> None:
    url = reverse("team_member_add", args=["platform"])
    response = client_for(world.admin).post(url, {"person": world.owner.pk})
    assert response.status_code == 400
    assert "person" in response.context["member_form"].errors
    assert Membership.objects.filter(team=world.platform).count() == 2


def test_the_team_page_lists_members_with_their_leads(world: World) -> None:
    Membership.objects.filter(person=world.owner).update(is_lead=True)
    text = client_for(world.admin).get(edit_url(world.platform)).content.decode()
    assert "No longer lead" in text and "Make lead" in text and "Add member" in text


# --- Archive and restore ----------------------------------------------------------------


def test_an_archived_team_leaves_lists_and_pickers_but_keeps_its_page(world: World) -> None:
    client = client_for(world.admin)
    response = client.post(reverse("team_archive", args=["platform"]))
    assert response.status_code == 302
    assert Team.objects.get(pk=world.platform.pk).archived_at is not None
    teams = client.get(reverse("team_list"))
    assert [node.team for node in teams.context["nodes"]] == []
    assert teams.context["archived"] == [Team.objects.get(pk=world.platform.pk)]
    member_view = client_for(world.owner).get(reverse("team_list")).content.decode()
    assert "Platform" not in member_view
    assert (
        world.platform
        not in client_for(world.admin)
        .get(reverse("objective_new"))
        .context["form"]
        .fields["team"]
        .queryset
    )
    people = client.get(reverse("people")).context["form"].fields["teams"].queryset
    assert world.platform not in people
    detail = client.get(reverse("team_detail", args=["platform"])).content.decode()
    assert "Archived" in detail
    client.post(reverse("team_restore", args=["platform"]))
    assert Team.objects.get(pk=world.platform.pk).archived_at is None


def test_archiving_a_team_with_sub_teams_says_why_not(world: World) -> None:
    Team.objects.create(
        organization=world.organization, ref="child", name="Child", parent=world.platform
    )
    client = client_for(world.admin)
    response = client.post(reverse("team_archive", args=["platform"]), follow=True)
    assert "Platform still has sub-teams (Child): archive or move them first." in (
        response.content.decode()
    )
    assert Team.objects.get(pk=world.platform.pk).archived_at is None


# --- Members may not --------------------------------------------------------------------


def team_posts(world: World) -> list[tuple[str, dict[str, Any]]]:
    ref, pk = "platform", world.teammate.pk
    return [
        (NEW_TEAM, {"name": "Mine"}),
        (edit_url(world.platform), {"name": "Mine"}),
        (reverse("team_member_add", args=[ref]), {"person": world.outsider.pk}),
        (reverse("team_member_lead", args=[ref, pk]), {"is_lead": "1"}),
        (reverse("team_member_remove", args=[ref, pk]), {}),
        (reverse("team_archive", args=[ref]), {}),
        (reverse("team_restore", args=[ref]), {}),
        (reverse("person_edit", args=[pk]), {"role": "admin", "time_zone": "UTC"}),
        (reverse("person_resend_invitation", args=[pk]), {}),
    ]


def test_members_get_403_on_every_team_and_person_change(world: World) -> None:
    client = client_for(world.owner)
    before = (list(Team.objects.values()), list(Membership.objects.values()))
    for url, data in team_posts(world):
        assert client.post(url, data).status_code == 403, url
    for url in (NEW_TEAM, edit_url(world.platform), reverse("person_edit", args=[1])):
        assert client.get(url).status_code == 403, url
    assert (list(Team.objects.values()), list(Membership.objects.values())) == before
    assert User.objects.get(pk=world.teammate.pk).role == "member"
    assert mail.outbox == []


def test_another_organizations_team_is_a_404(world: World) -> None:
    other = make_person(Organization.objects.create(name="Other"), "Sam", role=User.Role.ADMIN)
    assert client_for(other).get(edit_url(world.platform)).status_code == 404
    assert client_for(other).get(reverse("person_edit", args=[world.owner.pk])).status_code == 404


# --- People ------------------------------------------------------------------------------


def test_an_admin_changes_a_persons_teams_role_and_time_zone(world: World) -> None:
    design = Team.objects.create(organization=world.organization, ref="design", name="Design")
    client = client_for(world.admin)
    url = reverse("person_edit", args=[world.teammate.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"role": "admin", "time_zone": "Asia/Tokyo", "teams": [design.pk]})
    assert response.status_code == 302
    teammate = User.objects.get(pk=world.teammate.pk)
    assert (teammate.role, teammate.time_zone) == ("admin", "Asia/Tokyo")
    assert list(teammate.memberships.values_list("team__ref", flat=True)) == ["design"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"role": "admin", "time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice"),
        ({"role": "owner", "time_zone": "UTC"}, "role", "Select a valid choice"),
    ],
)
def test_bad_person_input_is_a_400_naming_the_field(
    world: World, data: dict[str, str], field: str, message: str
) -> None:
    url = reverse("person_edit", args=[world.teammate.pk])
    response = client_for(world.admin).post(url, data)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert f'href="#id_{field}"' in response.content.decode()
    assert User.objects.get(pk=world.teammate.pk).time_zone == "UTC"


def test_the_last_admin_cannot_step_down_in_the_form(world: World) -> None:
    url = reverse("person_edit", args=[world.admin.pk])
    response = client_for(world.admin).post(url, {"role": "member", "time_zone": "UTC"})
    assert response.status_code == 400
    assert "make someone else admin first" in str(response.context["form"].errors["role"])
    assert User.objects.get(pk=world.admin.pk).is_org_admin


def test_resend_an_invitation_with_a_working_link(world: World) -> None:
    nina = invited(world, "Nina")
    client = client_for(world.admin)
    text = client.get(reverse("people")).content.decode()
    assert text.count("Resend invitation") == 1  # the others chose a password
    response = client.post(reverse("person_resend_invitation", args=[nina.pk]), follow=True)
    assert "Sent the invitation to nina@example.com again." in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["nina@example.com"] and "http://testserver/reset/" in message.body


def test_no_invitation_is_resent_to_someone_with_a_password(world: World) -> None:
    url = reverse("person_resend_invitation", args=[world.teammate.pk])
    response = client_for(world.admin).post(url, follow=True)
    assert "Tom already chose a password and signs in." in response.content.decode()
    assert mail.outbox == []


def people_on(client: Client, query: str) -> list[str]:
    response = client.get(reverse("people") + query)
    assert response.status_code == 200
    return [person.email for person in response.context["people"]]


def test_the_people_list_filters_by_team_and_state(world: World) -> None:
    nina = invited(world, "Nina")
    Membership.objects.create(team=world.platform, person=nina)
    gone = make_person(world.organization, "Gone", is_active=False)
    client = client_for(world.outsider)  # everyone may filter
    assert people_on(client, "?team=platform") == [
        nina.email,
        world.owner.email,
        world.teammate.email,
    ]
    assert people_on(client, "?state=invited") == [nina.email]
    assert people_on(client, "?state=deactivated") == [gone.email]
    assert people_on(client, "?team=platform&state=active") == [
        world.owner.email,
        world.teammate.email,
    ]
    assert gone.email not in people_on(client, "?state=active")
    assert len(people_on(client, "?state=nonsense&team=nowhere")) == 6  # a bad filter: everyone


# --- Query counts ---------------------------------------------------------------------------


def grow(world: World, prefix: str, n: int) -> None:
    """n more teams in a chain, each with two people (one invited), and an archived team."""
    parent = world.platform
    for i in range(n):
        parent = Team.objects.create(
            organization=world.organization, ref=f"{prefix}{i}", name=f"T{i}", parent=parent
        )
        Membership.objects.create(
            team=parent, person=make_person(world.organization, f"{prefix}P{i}")
        )
        Membership.objects.create(team=parent, person=invited(world, f"{prefix}I{i}"), is_lead=True)
    Team.objects.create(
        organization=world.organization,
        ref=f"{prefix}-old",
        name="Old",
        archived_at="2026-01-01T00:00Z",
    )


@pytest.mark.parametrize(
    "page",
    [
        lambda world: reverse("team_list"),
        lambda world: reverse("team_detail", args=["platform"]),
        lambda world: reverse("team_edit", args=["platform"]),
        lambda world: reverse("team_new"),
        lambda world: reverse("people"),
        lambda world: reverse("people") + "?team=platform&state=invited",
        lambda world: reverse("person_edit", args=[world.owner.pk]),
    ],
)
def test_team_and_people_pages_queries_do_not_grow(
    world: World, page: Callable[[World], str]
) -> None:
    client = client_for(world.admin)
    url = page(world)
    grow(world, "a", 2)
    few = count_queries(client, url)
    grow(world, "b", 12)
    assert count_queries(client, url) == few
