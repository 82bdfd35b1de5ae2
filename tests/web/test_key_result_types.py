"""Key result forms that fit the type (issue 11): the fields of the chosen type, by htmx and
without JavaScript, owners (default: me), a metric's target as a change in %, the objective
a linked key result follows, one block plus "Add key result", the error summary.

People as in test_objective_pages: `owner` and `teammate` in the platform team, `outsider`
in no team, `admin` an organization admin.
"""

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from pacer.initiatives import services as initiatives
from pacer.initiatives.services import InitiativeSpec
from pacer.okrs import rules, services
from pacer.okrs.errors import DomainError
from pacer.okrs.models import KeyResult, Objective
from tests.web import test_objective_pages as pages
from tests.web.test_objective_pages import World, client_for, make_kr, make_objective

pytestmark = pytest.mark.django_db
world = pages.world  # the fixture: the cast of test_objective_pages
NEW = reverse("objective_new")


def new_data(world: World, *rows: dict[str, str], **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Grow",
        "cycle": world.quarter.pk,
        "team": world.platform.pk,
        "kind": "committed",
        "visibility": "public",
        "key_results-TOTAL_FORMS": str(max(len(rows), 1)),
        "key_results-INITIAL_FORMS": "0",
    } | fields
    for i, row in enumerate(rows):
        data |= {f"key_results-{i}-{k}": v for k, v in row.items()}
    return data


def create(world: World, *rows: dict[str, str], **fields: Any) -> Objective:
    response = client_for(world.owner).post(NEW, new_data(world, *rows, **fields))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Objective.objects.get(title=fields.get("title", "Grow"))


# --- The pure function -------------------------------------------------------------------


def test_target_from_change_increases_and_decreases() -> None:
    assert rules.target_from_change(Decimal(1200), Decimal(50), increase=True) == 1800
    assert rules.target_from_change(Decimal(1200), Decimal(25), increase=False) == 900
    assert rules.target_from_change(Decimal(3), Decimal("33.3"), increase=True) == Decimal(
        "3.999000"
    )


# --- The new form: one block, fields of the type ---------------------------------------


def test_new_form_shows_one_block_with_metric_fields_and_add_button(world: World) -> None:
    html = client_for(world.owner).get(NEW).content.decode()
    assert 'name="key_results-0-title"' in html
    assert 'name="key_results-1-title"' not in html
    assert 'name="key_results-0-start"' in html and 'name="key_results-0-change_by"' in html
    assert 'name="key_results-0-threshold"' not in html
    assert 'name="key_results-0-linked_objective"' not in html
    assert "Raise weekly active users from 1,200 to 2,000" in html
    assert "Add key result" in html and "Update fields" in html
    assert 'hx-get="/objectives/new/key-result-fields/?prefix=key_results-0"' in html


@pytest.mark.parametrize(
    ("kind", "shown", "hidden"),
    [
        ("metric", ["unit", "start", "target", "change_by"], ["threshold", "linked_objective"]),
        ("boolean", [], ["start", "target", "threshold", "low", "linked_objective"]),
        ("milestones", [], ["start", "target", "threshold", "linked_objective"]),
        ("stay_above", ["threshold"], ["start", "low", "linked_objective"]),
        ("range", ["low", "high"], ["start", "threshold", "linked_objective"]),
        ("linked", ["linked_objective"], ["start", "threshold", "unit"]),
        ("initiatives", [], ["start", "target", "threshold", "low", "unit", "linked_objective"]),
    ],
)
def test_type_fields_partial_shows_the_fields_of_the_type(
    world: World, kind: str, shown: list[str], hidden: list[str]
) -> None:
    url = reverse("key_result_type_fields")
    response = client_for(world.owner).get(
        url, {"prefix": "key_results-2", "key_results-2-type": kind}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="key_results-2-type-fields"' in html and "<html" not in html
    for name in shown:
        assert f'name="key_results-2-{name}"' in html
    for name in hidden:
        assert f'name="key_results-2-{name}"' not in html


def test_type_fields_partial_refuses_an_unknown_prefix(world: World) -> None:
    url = reverse("key_result_type_fields")
    response = client_for(world.owner).get(url, {"prefix": '"><script>'})
    assert response.status_code == 400


def test_milestones_help_says_where_milestones_are_added(world: World) -> None:
    url = reverse("key_result_type_fields")
    html = client_for(world.owner).get(url, {"prefix": "", "type": "milestones"}).content.decode()
    assert "Add the milestones on the key result" in html


def test_initiatives_help_says_where_initiatives_are_linked(world: World) -> None:
    url = reverse("key_result_type_fields")
    html = client_for(world.owner).get(url, {"prefix": "", "type": "initiatives"}).content.decode()
    assert "mean progress of the initiatives" in html and "Work page" in html


def test_no_js_update_fields_shows_the_chosen_type_and_saves_nothing(world: World) -> None:
    row = {"title": "Latency", "type": "stay_below"}
    data = new_data(world, row, refresh="1")
    response = client_for(world.owner).post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="key_results-0-threshold"' in html
    assert 'name="key_results-0-start"' not in html
    assert 'value="Latency"' in html and "error-summary" not in html
    assert not Objective.objects.exists()


def test_no_js_add_key_result_adds_a_block_and_saves_nothing(world: World) -> None:
    data = new_data(world, {"title": "First"}, add_key_result="1", title="")
    response = client_for(world.owner).post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="key_results-1-title"' in html and 'value="First"' in html
    assert 'name="key_results-TOTAL_FORMS" value="2"' in html
    assert "error-summary" not in html
    assert not Objective.objects.exists()


def test_no_js_add_stops_at_seven(world: World) -> None:
    rows = [{"title": f"KR {i}"} for i in range(7)]
    html = client_for(world.owner).post(NEW, new_data(world, *rows, add_key_result="1"))
    text = html.content.decode()
    assert 'name="key_results-TOTAL_FORMS" value="7"' in text
    assert "7 key results at most" in text


def test_htmx_add_block_returns_next_block_and_counter(world: World) -> None:
    url = reverse("key_result_block")
    html = client_for(world.owner).get(url, {"index": "1"}).content.decode()
    assert 'name="key_results-1-title"' in html
    assert 'name="key_results-TOTAL_FORMS" value="2"' in html and 'hx-swap-oob="true"' in html
    assert "?index=2" in html
    assert client_for(world.owner).get(url, {"index": "7"}).status_code == 400
    assert client_for(world.owner).get(url, {"index": "x"}).status_code == 400


# --- Creating each type ------------------------------------------------------------------


def test_create_each_type(world: World) -> None:
    followed = make_objective(world, "Followed")
    rows = [
        {"title": "WAU", "type": "metric", "start": "1200", "target": "2000", "unit": "users"},
        {"title": "Launch", "type": "boolean", "start": "5"},  # start ignored for a boolean
        {"title": "Ship", "type": "milestones"},
        {"title": "NPS", "type": "stay_above", "threshold": "40"},
        {"title": "Stock", "type": "range", "low": "200", "high": "500"},
        {"title": "Follow", "type": "linked", "linked_objective": str(followed.pk)},
        {"title": "Work", "type": "initiatives", "start": "1", "target": "9"},  # both ignored
    ]
    objective = create(world, *rows)
    krs = {kr.title: kr for kr in objective.key_results.all()}
    assert krs["WAU"].target == 2000 and krs["WAU"].unit == "users"
    assert krs["Launch"].type == "boolean" and krs["Launch"].start is None
    assert krs["Ship"].type == "milestones"
    assert krs["NPS"].threshold == 40
    assert (krs["Stock"].low, krs["Stock"].high) == (200, 500)
    assert krs["Follow"].linked_objective == followed
    work = krs["Work"]
    assert (work.type, work.start, work.target) == ("initiatives", None, None)


def test_milestones_key_result_gets_milestones_from_its_edit_page(world: World) -> None:
    objective = create(world, {"title": "Ship", "type": "milestones"})
    kr = objective.key_results.get()
    detail = client_for(world.owner).get(reverse("objective_detail", args=[objective.ref]))
    edit_url = reverse("key_result_edit", args=[objective.ref, kr.ref])
    assert edit_url in detail.content.decode()
    assert "Add milestone" in client_for(world.owner).get(edit_url).content.decode()


def test_metric_target_from_increase_by_percent(world: World) -> None:
    row = {"title": "WAU", "type": "metric", "start": "1200", "change_by": "50"}
    objective = create(world, row | {"direction": "increase"})
    assert objective.key_results.get().target == 1800


def test_metric_target_from_decrease_by_percent(world: World) -> None:
    row = {"title": "Churn", "type": "metric", "start": "8", "change_by": "25"}
    objective = create(world, row | {"direction": "decrease"})
    assert objective.key_results.get().target == 6


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"start": "10", "target": "20", "change_by": "5"}, "Give a target or a change in %"),
        ({"change_by": "5"}, "Needed to compute the target"),
        ({"start": "10", "change_by": "0"}, "Must be more than 0"),
        ({"start": "10"}, "is required for this type"),
    ],
)
def test_change_by_percent_errors(world: World, row: dict[str, str], message: str) -> None:
    data = new_data(world, {"title": "WAU", "type": "metric"} | row)
    response = client_for(world.owner).post(NEW, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Objective.objects.exists()


def test_linked_without_objective_names_the_field(world: World) -> None:
    data = new_data(world, {"title": "Follow", "type": "linked"})
    html = client_for(world.owner).post(NEW, data).content.decode()
    assert "a linked key result needs the objective it follows" in html
    assert 'href="#id_key_results-0-linked_objective"' in html


def test_linked_picker_offers_only_objectives_the_user_sees(world: World) -> None:
    visible = make_objective(world, "Visible one")
    hidden = make_objective(world, "Secret one", owner=world.admin, team=None, visibility="private")
    url = reverse("key_result_type_fields")
    html = client_for(world.owner).get(url, {"prefix": "", "type": "linked"}).content.decode()
    assert "Visible one" in html and "Secret one" not in html
    assert 'name="linked_objective__q"' in html  # searchable (pacer/web/pickers.py)
    data = new_data(world, {"title": "F", "type": "linked", "linked_objective": str(hidden.pk)})
    assert client_for(world.owner).post(NEW, data).status_code == 400
    assert visible.pk


def test_error_in_third_key_result_shows_in_summary(world: World) -> None:
    rows = [
        {"title": "A", "type": "boolean"},
        {"title": "B", "type": "boolean"},
        {"title": "C", "type": "metric", "start": "5", "target": "5"},
    ]
    html = client_for(world.owner).post(NEW, new_data(world, *rows)).content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_key_results-2-target"' in html and "Key result 3, Target" in html


# --- Owners ------------------------------------------------------------------------------


def test_owners_default_to_me(world: World) -> None:
    html = client_for(world.owner).get(NEW).content.decode()
    assert f'<option value="{world.owner.pk}" selected>' in html
    objective = create(world, {"title": "WAU", "type": "boolean", "owner": str(world.owner.pk)})
    assert objective.owner == world.owner
    assert objective.key_results.get().owner == world.owner


def test_key_result_owner_is_any_active_person(world: World) -> None:
    objective = create(world, {"title": "WAU", "type": "boolean", "owner": str(world.teammate.pk)})
    assert objective.key_results.get().owner == world.teammate


def test_deactivated_person_cannot_own_a_key_result(world: World) -> None:
    world.teammate.is_active = False
    world.teammate.save()
    data = new_data(world, {"title": "WAU", "type": "boolean", "owner": str(world.teammate.pk)})
    assert client_for(world.owner).post(NEW, data).status_code == 400
    assert not Objective.objects.exists()


def test_admin_names_another_objective_owner_member_cannot(world: World) -> None:
    data = new_data(world, {"title": "K", "type": "boolean"}, owner=str(world.teammate.pk))
    assert client_for(world.owner).post(NEW, data).status_code == 400
    response = client_for(world.admin).post(NEW, data)
    assert response.status_code == 302
    assert Objective.objects.get().owner == world.teammate


def test_objective_edit_changes_the_owner(world: World) -> None:
    objective = make_objective(world)
    page = client_for(world.admin).get(reverse("objective_edit", args=[objective.ref]))
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields} | {"owner": world.teammate.pk}
    data = {k: v for k, v in data.items() if v is not None}
    response = client_for(world.admin).post(reverse("objective_edit", args=[objective.ref]), data)
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.owner == world.teammate


def test_key_result_edit_changes_owner_and_link(world: World) -> None:
    objective = make_objective(world)
    followed = make_objective(world, "Followed")
    kr = make_kr(objective)
    url = reverse("key_result_edit", args=[objective.ref, kr.ref])
    data = {"title": "Adoption", "type": "linked", "linked_objective": followed.pk}
    response = client_for(world.owner).post(url, data | {"owner": world.teammate.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    kr.refresh_from_db()
    assert (kr.owner, kr.linked_objective, kr.start) == (world.teammate, followed, None)


def test_key_result_edit_update_fields_without_js_saves_nothing(world: World) -> None:
    objective = make_objective(world)
    kr = make_kr(objective)
    url = reverse("key_result_edit", args=[objective.ref, kr.ref])
    html = client_for(world.owner).post(url, {"title": "X", "type": "range", "refresh": "1"})
    assert 'name="low"' in html.content.decode()
    kr.refresh_from_db()
    assert (kr.title, kr.type) == ("Adoption", "metric")


# --- The service rule, as the API and importer get it -----------------------------------


def test_service_refuses_an_owner_of_another_organization(world: World) -> None:
    from tests.web.test_objective_pages import Organization, make_person

    stranger = make_person(Organization.objects.create(name="Other"), "Stranger")
    objective = make_objective(world)
    spec = services.KeyResultSpec(title="X", type="boolean", owner=stranger)
    with pytest.raises(DomainError) as caught:
        services.key_result_create(objective=objective, spec=spec)
    assert caught.value.problems == [("owner", "belongs to another organization")]
    assert not KeyResult.objects.exists()


# --- The objective edit page's "Add a key result" -----------------------------------------


def test_add_key_result_on_the_edit_page_by_type_with_owner_default(world: World) -> None:
    objective = make_objective(world)
    page = client_for(world.owner).get(reverse("objective_edit", args=[objective.ref]))
    html = page.content.decode()
    assert 'hx-get="/objectives/new/key-result-fields/?prefix=new_kr"' in html
    assert 'name="new_kr-start"' in html and 'name="new_kr-threshold"' not in html
    url = reverse("key_result_add", args=[objective.ref])
    again = client_for(world.owner).post(
        url, {"new_kr-title": "NPS", "new_kr-type": "stay_above", "refresh": "1"}
    )
    assert 'name="new_kr-threshold"' in again.content.decode()
    assert not objective.key_results.exists()
    data = {"new_kr-title": "NPS", "new_kr-type": "stay_above", "new_kr-threshold": "40"}
    response = client_for(world.owner).post(url, data | {"new_kr-owner": world.owner.pk})
    assert response.status_code == 302
    kr = objective.key_results.get()
    assert (kr.type, kr.threshold, kr.owner) == ("stay_above", 40, world.owner)


# --- A key result of type initiatives on the objective page ---------------------------------


def test_initiatives_key_result_shows_the_progress_of_its_work_and_takes_no_value(
    world: World,
) -> None:
    objective = make_objective(world)
    kr = make_kr(objective, "Billing runs on the new API", type="initiatives", start=None)
    spec = InitiativeSpec(title="Migrate billing", owner=world.owner, key_results=[kr])
    billing = initiatives.initiative_create(cycle=world.quarter, spec=spec)
    tasks = [initiatives.task_create(initiative=billing, title=f"Step {n}") for n in range(4)]
    initiatives.task_set_done(task=tasks[0], done=True)
    client = client_for(world.owner)
    html = client.get(reverse("objective_detail", args=[objective.ref])).content.decode()
    card = html.split(f'id="kr-{kr.pk}"')[1].split("</article>")[0]
    assert "Moved by its initiatives: <strong>25%</strong>" in card
    assert 'class="checkin-inline"' in card and "New value" not in card
    checkin = reverse("key_result_checkin", args=[objective.ref, kr.ref])
    sent = {"value": "5", "confidence": "at_risk", "note": "Blocked on QA"}
    assert client.post(checkin, {f"kr{kr.pk}-{k}": v for k, v in sent.items()}).status_code == 302
    kr.refresh_from_db()
    assert (kr.progress, kr.confidence) == (Decimal("0.25"), "at_risk")
    assert kr.checkins.get().value is None  # its progress comes from the work alone
