"""The milestones editor on the key result edit page (views/milestones.py): rename a
milestone and change its weight (a page of its own), move it up or down, delete it after a
confirmation; bad input is an error at its field and writes nothing.

The shared world (tests.factories): `owner` owns "Deliver faster" (the platform team's);
here it also holds the milestones key result "Launch" with Pilot (1, done), Beta (1) and
GA (2): progress 1/4. `outsider` sees the objective but may not change it; the private
objective is hidden from them; `stranger` is of another organization.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacer.accounts.models import User
from pacer.okrs import rollup, services
from pacer.okrs.models import KeyResult, Milestone
from tests.factories import World, fresh, make_key_result, make_milestones

pytestmark = pytest.mark.django_db

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def launch(world: World) -> KeyResult:
    kr = make_key_result(world.public, "launch", type="milestones", title="Launch")
    make_milestones(kr, ("Pilot", 1, True), ("Beta", 1, False), ("GA", 2, False))
    rollup.refresh_after_change(kr)  # 1 of 4
    return fresh(kr)


def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def milestone(kr: KeyResult, title: str) -> Milestone:
    return Milestone.objects.get(key_result=kr, title=title)


def url(name: str, m: Milestone) -> str:
    kr = m.key_result
    return reverse(f"key_result_milestone_{name}", args=[kr.objective.ref, kr.ref, m.pk])


def edit_page(kr: KeyResult) -> str:
    return reverse("key_result_edit", args=[kr.objective.ref, kr.ref])


def titles(kr: KeyResult) -> list[str]:
    return list(kr.milestones.order_by("position", "pk").values_list("title", flat=True))


def test_the_edit_page_offers_each_milestones_buttons_and_the_progress(
    world: World, launch: KeyResult
) -> None:
    html = client_for(world.owner).get(edit_page(launch)).content.decode()
    assert "Progress: <strong>25%</strong>" in html
    for m in launch.milestones.all():
        assert url("edit", m) in html and url("delete", m) in html
    # The first cannot move up, the last not down (each form names its URL twice: action,
    # hx-post).
    assert html.count(url("move", milestone(launch, "Pilot"))) == 2
    assert html.count(url("move", milestone(launch, "Beta"))) == 4
    assert html.count(url("move", milestone(launch, "GA"))) == 2
    assert 'Move<span class="visually-hidden"> “Pilot”</span> up' not in html
    assert 'Move<span class="visually-hidden"> “GA”</span> down' not in html


def test_rename_and_reweigh_a_milestone_refreshes_the_progress(
    world: World, launch: KeyResult
) -> None:
    client = client_for(world.owner)
    beta = milestone(launch, "Beta")
    page = client.get(url("edit", beta))
    assert page.status_code == 200 and 'value="Beta"' in page.content.decode()
    answer = client.post(url("edit", beta), {"title": " Beta, two teams ", "weight": "5"})
    assert answer.status_code == 302 and answer["Location"] == edit_page(launch)
    assert (fresh(beta).title, fresh(beta).weight) == ("Beta, two teams", Decimal(5))
    assert fresh(launch).progress == Decimal("0.125")  # 1 of 8
    client.post(url("edit", beta), {"title": "Beta", "weight": ""})  # blank weight: 1
    assert fresh(beta).weight == Decimal(1)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": " ", "weight": "1"}, "title"),
        ({"title": "Beta", "weight": "-1"}, "weight"),
        ({"title": "Beta", "weight": "heavy"}, "weight"),
        ({"title": "Beta", "weight": "1.23456"}, "weight"),
    ],
)
def test_bad_input_is_an_error_at_its_field_and_in_the_summary_and_writes_nothing(
    world: World, launch: KeyResult, data: dict[str, str], field: str
) -> None:
    beta = milestone(launch, "Beta")
    before = (beta.title, beta.weight, beta.updated_at)
    answer = client_for(world.owner).post(url("edit", beta), data)
    assert answer.status_code == 400
    assert answer.context["form"].errors[field]
    html = answer.content.decode()
    assert 'class="error-summary"' in html and f'href="#id_{field}"' in html
    after = fresh(beta)
    assert (after.title, after.weight, after.updated_at) == before


def test_user_text_is_escaped_on_the_editor_pages(world: World, launch: KeyResult) -> None:
    client = client_for(world.owner)
    beta = milestone(launch, "Beta")
    client.post(url("edit", beta), {"title": XSS, "weight": "1"})
    for page in (edit_page(launch), url("edit", beta), url("delete", beta)):
        html = client.get(page).content.decode()
        assert XSS not in html and "&lt;img" in html


def test_move_up_and_down(world: World, launch: KeyResult) -> None:
    client = client_for(world.owner)
    answer = client.post(url("move", milestone(launch, "GA")), {"direction": "up"})
    assert answer.status_code == 302 and answer["Location"] == edit_page(launch)
    assert titles(launch) == ["Pilot", "GA", "Beta"]
    client.post(url("move", milestone(launch, "Pilot")), {"direction": "down"})
    assert titles(launch) == ["GA", "Pilot", "Beta"]
    assert fresh(launch).progress == Decimal("0.25")  # the order weighs nothing


def test_a_move_off_the_list_or_without_a_direction_is_a_message_and_changes_nothing(
    world: World, launch: KeyResult
) -> None:
    client = client_for(world.owner)
    answer = client.post(url("move", milestone(launch, "Pilot")), {"direction": "up"}, follow=True)
    assert "“Pilot” was not moved: is the first milestone already" in answer.content.decode()
    client.post(url("move", milestone(launch, "Beta")), {"direction": "sideways"})
    assert titles(launch) == ["Pilot", "Beta", "GA"]
    assert client.get(url("move", milestone(launch, "Beta"))).status_code == 405


def test_delete_asks_first_then_deletes_and_refreshes_the_progress(
    world: World, launch: KeyResult
) -> None:
    client = client_for(world.owner)
    ga = milestone(launch, "GA")
    confirm = client.get(url("delete", ga))
    assert confirm.status_code == 200
    assert "Delete the milestone “GA”?" in confirm.content.decode()
    assert Milestone.objects.filter(pk=ga.pk).exists()  # nothing gone yet
    answer = client.post(url("delete", ga))
    assert answer.status_code == 302 and answer["Location"] == edit_page(launch)
    assert titles(launch) == ["Pilot", "Beta"]
    assert fresh(launch).progress == Decimal("0.5")


def test_people_who_may_not_edit_get_403_or_404_and_nothing_changes(
    world: World, launch: KeyResult
) -> None:
    ga = milestone(launch, "GA")
    secret = make_key_result(world.private, "secret-plan", type="milestones")
    (hidden,) = make_milestones(secret, ("Sign", 1, False))
    calls = [
        ("get", "edit", {}),
        ("post", "edit", {"title": "Mine", "weight": "9"}),
        ("post", "move", {"direction": "up"}),
        ("get", "delete", {}),
        ("post", "delete", {}),
    ]
    for method, name, data in calls:
        outsider = client_for(world.outsider)
        assert getattr(outsider, method)(url(name, ga), data).status_code == 403
        assert getattr(outsider, method)(url(name, hidden), data).status_code == 404
        stranger = client_for(world.stranger)
        assert getattr(stranger, method)(url(name, ga), data).status_code == 404
    assert titles(launch) == ["Pilot", "Beta", "GA"]
    assert (fresh(ga).title, fresh(ga).weight) == ("GA", Decimal(2))
    assert Milestone.objects.filter(pk=hidden.pk).exists()


def test_a_milestone_of_another_key_result_is_a_404(world: World, launch: KeyResult) -> None:
    other = make_key_result(world.public, "other", type="milestones")
    (stray,) = make_milestones(other, ("Elsewhere", 1, False))
    wrong = reverse("key_result_milestone_edit", args=["delivery", launch.ref, stray.pk])
    assert client_for(world.owner).get(wrong).status_code == 404


def test_a_closed_cycle_offers_no_editor_and_refuses_its_writes(
    world: World, launch: KeyResult
) -> None:
    services.cycle_close(cycle=world.cycle)
    client = client_for(world.owner)
    ga = milestone(launch, "GA")
    page = client.get(edit_page(launch), follow=True)
    assert url("edit", ga) not in page.content.decode()  # back on the objective page
    for name, data in (("edit", {"title": "GA!", "weight": "1"}), ("delete", {})):
        assert client.post(url(name, ga), data).status_code == 302
    client.post(url("move", ga), {"direction": "up"})
    assert titles(launch) == ["Pilot", "Beta", "GA"]
    assert (fresh(ga).title, fresh(ga).weight) == ("GA", Decimal(2))


def queries_of_the_edit_page(client: Client, kr: KeyResult) -> int:
    client.get(edit_page(kr))  # warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get(edit_page(kr)).status_code == 200
    return len(queries)


def test_the_edit_page_queries_as_often_for_3_as_for_12_milestones(
    world: World, launch: KeyResult
) -> None:
    client = client_for(world.owner)
    few = queries_of_the_edit_page(client, launch)
    make_milestones(launch, *((f"Step {i}", 1, i % 2 == 0) for i in range(9)))
    assert launch.milestones.count() == 12
    assert queries_of_the_edit_page(client, launch) == few


def test_htmx_moves_and_marks_done_answer_with_the_section_alone(
    world: World, launch: KeyResult
) -> None:
    client = client_for(world.owner)
    answer = client.post(
        url("move", milestone(launch, "GA")), {"direction": "up"}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 200 and "HX-Request" in answer["Vary"]
    html = answer.content.decode()
    assert html.lstrip().startswith('<section class="card" id="milestones"')
    assert html.index("GA") < html.index("Beta")
    answer = client.post(
        url("done", milestone(launch, "GA")), {"done": "1"}, HTTP_HX_REQUEST="true"
    )
    assert "Progress: <strong>75%</strong>" in answer.content.decode()
    refused = client.post(
        url("move", milestone(launch, "Pilot")), {"direction": "up"}, HTTP_HX_REQUEST="true"
    )
    assert "“Pilot” was not moved: is the first milestone already" in refused.content.decode()
    assert titles(launch) == ["Pilot", "GA", "Beta"]


def test_a_weight_of_ten_reads_10_not_1e1(world: World, launch: KeyResult) -> None:
    client = client_for(world.owner)
    beta = milestone(launch, "Beta")
    client.post(url("edit", beta), {"title": "Beta", "weight": "10"})
    assert "(weight 10)" in client.get(edit_page(launch)).content.decode()
    assert 'value="10"' in client.get(url("edit", beta)).content.decode()
