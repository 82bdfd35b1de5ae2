"""The key result edit page: the Edit link on the objective page, saving a definition through
services.key_result_update (errors next to their fields, nothing written), deleting after a
confirmation, adding milestones and marking them done.

The shared world (tests.factories): `owner` owns "Deliver faster" (the platform team's, where
`teammate` is a member) with the metric `adoption` (0 -> 90 %, one check-in of 30);
`outsider` is in no team: they see the objective but may not change it.
"""

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pacer.accounts.models import User
from pacer.okrs.models import KeyResult, Milestone
from tests.factories import World, make_key_result, make_milestones

pytestmark = pytest.mark.django_db

XSS = "<img src=x onerror=alert(1)>"


def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def edit_url(kr: KeyResult) -> str:
    return reverse("key_result_edit", args=[kr.objective.ref, kr.ref])


def delete_url(kr: KeyResult) -> str:
    return reverse("key_result_delete", args=[kr.objective.ref, kr.ref])


def fields_of(kr: KeyResult, **changes: Any) -> dict[str, Any]:
    data = {
        "title": kr.title,
        "type": kr.type,
        "unit": kr.unit,
        "start": kr.start if kr.start is not None else "",
        "target": kr.target if kr.target is not None else "",
        "threshold": "",
        "low": "",
        "high": "",
        "weight": kr.weight,
        "due": "",
        "description": kr.description,
    }
    data.update(changes)
    return data


def test_the_objective_page_links_each_key_result_to_its_edit_page_for_editors(
    world: World,
) -> None:
    page = client_for(world.teammate).get(reverse("objective_detail", args=["delivery"]))
    assert f'href="{edit_url(world.adoption)}"' in page.content.decode()


def test_the_objective_page_has_no_edit_link_for_people_who_may_not_edit(world: World) -> None:
    page = client_for(world.outsider).get(reverse("objective_detail", args=["delivery"]))
    assert page.status_code == 200
    assert edit_url(world.adoption) not in page.content.decode()


def test_the_edit_page_shows_the_stored_definition(world: World) -> None:
    page = client_for(world.owner).get(edit_url(world.adoption))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Adoption"' in html and 'value="90.000000"' in html
    assert "Delete key result" in html
    assert "Add milestone" not in html  # a metric has no milestones


def test_saving_changes_the_target_and_goes_back_to_the_objective(world: World) -> None:
    answer = client_for(world.owner).post(
        edit_url(world.adoption), fields_of(world.adoption, target="80", title="Adopted")
    )
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("objective_detail", args=["delivery"]))
    world.adoption.refresh_from_db()
    assert (world.adoption.target, world.adoption.title) == (Decimal(80), "Adopted")


def test_a_member_without_edit_rights_gets_403_and_nothing_changes(world: World) -> None:
    client = client_for(world.outsider)
    assert client.get(edit_url(world.adoption)).status_code == 403
    data = fields_of(world.adoption, target="10")
    assert client.post(edit_url(world.adoption), data).status_code == 403
    assert client.post(delete_url(world.adoption)).status_code == 403
    url = reverse("key_result_milestone_add", args=["delivery", "adoption"])
    assert client.post(url, {"milestone-title": "x"}).status_code == 403
    world.adoption.refresh_from_db()
    assert world.adoption.target == Decimal(90)


def test_another_organizations_person_gets_404(world: World) -> None:
    assert client_for(world.stranger).get(edit_url(world.adoption)).status_code == 404


def test_bad_input_shows_the_error_at_its_field_and_writes_nothing(world: World) -> None:
    before = KeyResult.objects.get(pk=world.adoption.pk)
    data = fields_of(world.adoption, title=XSS, target="", start="5")
    answer = client_for(world.owner).post(edit_url(world.adoption), data)
    assert answer.status_code == 400
    form = answer.context["form"]
    assert form.errors["target"]
    html = answer.content.decode()
    assert 'class="error-summary"' in html and 'href="#id_target"' in html
    assert XSS not in html and "&lt;img" in html
    after = KeyResult.objects.get(pk=world.adoption.pk)
    assert (after.title, after.start, after.target) == (before.title, before.start, before.target)


def test_a_number_that_does_not_parse_is_a_field_error(world: World) -> None:
    data = fields_of(world.adoption, target="lots")
    answer = client_for(world.owner).post(edit_url(world.adoption), data)
    assert answer.status_code == 400
    assert answer.context["form"].errors["target"]


def test_delete_asks_first_then_deletes_and_returns_to_the_objective(world: World) -> None:
    client = client_for(world.owner)
    confirm = client.get(delete_url(world.adoption))
    assert confirm.status_code == 200
    assert KeyResult.objects.filter(pk=world.adoption.pk).exists()
    answer = client.post(delete_url(world.adoption))
    assert answer.status_code == 302
    assert answer["Location"] == reverse("objective_detail", args=["delivery"])
    assert not KeyResult.objects.filter(pk=world.adoption.pk).exists()


def test_add_a_milestone_and_mark_it_done(world: World) -> None:
    kr = make_key_result(world.public, "launch", type="milestones", title="Launch")
    client = client_for(world.owner)
    assert "Add milestone" in client.get(edit_url(kr)).content.decode()
    add = reverse("key_result_milestone_add", args=["delivery", "launch"])
    answer = client.post(add, {"milestone-title": "Beta", "milestone-weight": "2"})
    assert answer.status_code == 302
    milestone = Milestone.objects.get(key_result=kr)
    assert (milestone.title, milestone.weight, milestone.done) == ("Beta", Decimal(2), False)
    done = reverse("key_result_milestone_done", args=["delivery", "launch", milestone.pk])
    assert client.post(done, {"done": "1"}).status_code == 302
    milestone.refresh_from_db()
    kr.refresh_from_db()
    assert milestone.done and kr.progress == Decimal(1)


def test_a_milestone_without_a_title_is_a_field_error(world: World) -> None:
    kr = make_key_result(world.public, "launch", type="milestones", title="Launch")
    add = reverse("key_result_milestone_add", args=["delivery", "launch"])
    answer = client_for(world.owner).post(add, {"milestone-title": " ", "milestone-weight": "1"})
    assert answer.status_code == 400
    assert answer.context["milestone_form"].errors["title"]
    assert not Milestone.objects.filter(key_result=kr).exists()


def test_the_edit_page_lists_milestones_in_constant_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    kr = make_key_result(world.public, "launch", type="milestones", title="Launch")
    make_milestones(kr, *((f"Step {i}", 1, i % 2 == 0) for i in range(30)))
    client = client_for(world.owner)
    client.get(edit_url(kr))  # warm
    with django_assert_max_num_queries(15):
        page = client.get(edit_url(kr))
    assert page.content.decode().count('Mark<span class="visually-hidden"> “Step') == 30


def test_a_blank_weight_saves_as_one(world: World) -> None:
    KeyResult.objects.filter(pk=world.adoption.pk).update(weight=Decimal(3))
    world.adoption.refresh_from_db()
    answer = client_for(world.owner).post(
        edit_url(world.adoption), fields_of(world.adoption, weight="")
    )
    assert answer.status_code == 302
    world.adoption.refresh_from_db()
    assert world.adoption.weight == Decimal(1)
