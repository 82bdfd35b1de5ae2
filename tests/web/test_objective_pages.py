"""The objective page, inline check-ins, create/edit/copy/archive and closing a cycle.

People: `owner` and `teammate` are in the platform team, `outsider` in no team, `admin` is an
organization admin. The quarter is active and one third through.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pacer.accounts.models import User
from pacer.okrs import selectors, services
from pacer.okrs.models import (
    Alignment,
    CheckIn,
    Cycle,
    KeyResult,
    Membership,
    Milestone,
    Objective,
    Organization,
    Team,
)
from pacer.web.selectors import HISTORY_SHOWN

pytestmark = pytest.mark.django_db

serial = count(1)
XSS = "<img src=x onerror=alert(1)>"


@dataclass
class World:
    organization: Organization
    quarter: Cycle
    next_quarter: Cycle
    platform: Team
    owner: User
    teammate: User
    outsider: User
    admin: User


def make_person(organization: Organization, name: str, **fields: Any) -> User:
    return User.objects.create_user(
        f"{name.lower()}@example.com", "pw", name=name, organization=organization, **fields
    )


@pytest.fixture
def world() -> World:
    organization = Organization.objects.create(name="Acme")
    today = timezone.localdate()
    quarter = Cycle.objects.create(
        organization=organization,
        ref="q-now",
        name="This quarter",
        start=today - timedelta(days=30),
        end=today + timedelta(days=60),
    )
    next_quarter = Cycle.objects.create(
        organization=organization,
        ref="q-next",
        name="Next quarter",
        start=today + timedelta(days=61),
        end=today + timedelta(days=150),
        state=Cycle.State.PLANNING,
    )
    platform = Team.objects.create(organization=organization, ref="platform", name="Platform")
    owner = make_person(organization, "Olivia")
    teammate = make_person(organization, "Tom")
    outsider = make_person(organization, "Oscar")
    admin = make_person(organization, "Ada", role=User.Role.ADMIN)
    for person in (owner, teammate):
        Membership.objects.create(team=platform, person=person)
    return World(organization, quarter, next_quarter, platform, owner, teammate, outsider, admin)


def make_objective(world: World, title: str = "Ship the platform", **fields: Any) -> Objective:
    values: dict[str, Any] = {
        "organization": world.organization,
        "cycle": world.quarter,
        "ref": f"o-{next(serial)}",
        "owner": world.owner,
        "team": world.platform,
    } | fields
    return Objective.objects.create(title=title, **values)


def make_kr(objective: Objective, title: str = "Adoption", **fields: Any) -> KeyResult:
    values: dict[str, Any] = {
        "organization_id": objective.organization_id,
        "objective": objective,
        "ref": f"kr-{next(serial)}",
        "type": "metric",
        "start": Decimal(0),
        "target": Decimal(100),
        "unit": "%",
    } | fields
    return KeyResult.objects.create(title=title, **values)


def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def detail_url(objective: Objective) -> str:
    return reverse("objective_detail", args=[objective.ref])


def checkin_url(kr: KeyResult) -> str:
    return reverse("key_result_checkin", args=[kr.objective.ref, kr.ref])


def rich_objective(world: World, checkins: int = 3) -> Objective:
    """An objective with one key result of each kind and `checkins` check-ins on each."""
    objective = make_objective(world)
    child = make_objective(world, "Child goal")
    Alignment.objects.create(child=child, parent=objective)
    metric = make_kr(objective, "Adoption")
    health = make_kr(objective, "Uptime", type="stay_above", threshold=Decimal("99.5"))
    flag = make_kr(objective, "Launched", type="boolean", start=None, target=None)
    steps = make_kr(objective, "Rollout", type="milestones", start=None, target=None)
    make_kr(objective, "Child", type="linked", linked_objective=child, start=None, target=None)
    Milestone.objects.create(key_result=steps, title="Alpha", done=True)
    Milestone.objects.create(key_result=steps, title="Beta")
    now = timezone.now()
    for n in range(checkins):
        at = now - timedelta(days=checkins - n)
        for kr, value in ((metric, 10 * (n + 1)), (health, 99.9), (flag, 0)):
            services.checkin_create(
                key_result=kr, value=Decimal(str(value)), author=world.owner, at=at, note=f"n{n}"
            )
    return objective


# --- Objective page --------------------------------------------------------------------


def test_objective_page_renders_for_editor_with_forms(world: World) -> None:
    objective = rich_objective(world)
    response = client_for(world.teammate).get(detail_url(objective))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Adoption" in html and "Uptime" in html and "Rollout" in html
    assert "start</span> 0 %" in html and "30 %" in html  # start → current → target
    assert "Satisfied" in html  # 99.9 ≥ 99.5
    assert 'class="checkin-inline"' in html
    assert "<svg" in html and 'class="pace"' in html  # chart with expected pace
    assert "Child goal" in html  # children
    assert "n2" in html  # notes in the history


def test_objective_page_for_viewer_has_no_forms(world: World) -> None:
    objective = rich_objective(world)
    response = client_for(world.outsider).get(detail_url(objective))
    assert response.status_code == 200
    assert 'class="checkin-inline"' not in response.content.decode()
    assert 'type="checkbox"' not in response.content.decode()


def test_anonymous_is_sent_to_login(world: World) -> None:
    objective = make_objective(world)
    response = Client().get(detail_url(objective))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_outsider_gets_404_for_private_objective(world: World) -> None:
    objective = make_objective(world, visibility="private")
    kr = make_kr(objective)
    outsider = client_for(world.outsider)
    assert outsider.get(detail_url(objective)).status_code == 404
    assert outsider.post(checkin_url(kr), {f"kr{kr.pk}-value": "5"}).status_code == 404
    assert client_for(world.teammate).get(detail_url(objective)).status_code == 200


def test_viewer_may_not_check_in(world: World) -> None:
    kr = make_kr(make_objective(world))
    response = client_for(world.outsider).post(checkin_url(kr), {f"kr{kr.pk}-value": "5"})
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


def test_title_is_escaped(world: World) -> None:
    objective = make_objective(world, XSS)
    make_kr(objective, XSS)
    html = client_for(world.owner).get(detail_url(objective)).content.decode()
    assert XSS not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def with_initiatives(objective: Objective, owner: User, count: int) -> None:
    """`count` initiatives with a task each, behind the objective's first key result."""
    from pacer.initiatives import services as work

    kr = objective.key_results.order_by("position", "id").first()
    for n in range(count):
        spec = work.InitiativeSpec(title=f"Work {n}", owner=owner, key_results=[kr])
        initiative = work.initiative_create(cycle=objective.cycle, spec=spec)
        work.task_create(initiative=initiative, title="Step", assignee=owner)


def test_objective_page_queries_are_few_and_constant(world: World) -> None:
    small, large = rich_objective(world, checkins=1), rich_objective(world, checkins=8)
    for extra in range(4):
        make_kr(large, f"More {extra}")
    with_initiatives(small, world.owner, 1)
    with_initiatives(large, world.teammate, 6)
    client = client_for(world.teammate)
    client.get(detail_url(small))  # warm the session
    # 15 for the objective, 5 for its initiatives (the supporting ones' ids, then them with
    # their key results, tasks, weights; the ids first keep PostgreSQL's plan on these rows,
    # see work_by_key_result), 1 for the live region's version (docs/live-pages.md)
    assert count_queries(client, detail_url(small)) <= 21
    assert count_queries(client, detail_url(small)) == count_queries(client, detail_url(large))


# --- Inline check-in -------------------------------------------------------------------


def test_htmx_checkin_returns_fragments_and_updates_progress(world: World) -> None:
    objective = make_objective(world)
    kr = make_kr(objective)
    response = client_for(world.teammate).post(
        checkin_url(kr),
        {f"kr{kr.pk}-value": "40", f"kr{kr.pk}-confidence": "at_risk", f"kr{kr.pk}-note": "ok"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert f'id="kr-{kr.pk}"' in html
    assert 'id="objective-header"' in html and 'id="objective-chart"' in html
    assert html.count('hx-swap-oob="true"') == 2
    kr.refresh_from_db()
    objective.refresh_from_db()
    assert kr.current == Decimal(40) and kr.confidence == "at_risk"
    assert objective.progress == Decimal("0.4")
    assert CheckIn.objects.get().author == world.teammate


def test_inline_checkin_answers_vary_on_hx_request(world: World) -> None:
    kr = make_kr(make_objective(world))
    client = client_for(world.teammate)
    data = {f"kr{kr.pk}-value": "x"}
    for headers in ({"HX-Request": "true"}, {}):
        response = client.post(checkin_url(kr), data, headers=headers)
        assert "HX-Request" in response["Vary"]
        assert ("<html" in response.content.decode()) == (not headers)
        assert response.status_code == (200 if headers else 400)


def test_bad_checkin_value_shows_error_keeps_input_writes_nothing(world: World) -> None:
    kr = make_kr(make_objective(world))
    response = client_for(world.owner).post(
        checkin_url(kr),
        {f"kr{kr.pk}-value": "lots", f"kr{kr.pk}-note": "kept note"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps the row with its errors
    assert "Enter a number." in html
    assert 'value="lots"' in html and 'value="kept note"' in html
    assert "hx-swap-oob" not in html
    assert not CheckIn.objects.exists()


def test_missing_value_is_refused_by_the_service_rule(world: World) -> None:
    kr = make_kr(make_objective(world))
    response = client_for(world.owner).post(checkin_url(kr), {f"kr{kr.pk}-confidence": "on_track"})
    assert response.status_code == 400
    assert "is required" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_milestone_tick_updates_progress(world: World) -> None:
    objective = make_objective(world)
    kr = make_kr(objective, "Steps", type="milestones", start=None, target=None)
    first = Milestone.objects.create(key_result=kr, title="One")
    Milestone.objects.create(key_result=kr, title="Two")
    url = reverse("milestone_toggle", args=[objective.ref, first.pk])
    response = client_for(world.owner).post(url, {"done": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    objective.refresh_from_db()
    assert objective.progress == Decimal("0.5")


def test_closed_cycle_refuses_checkins_and_hides_forms(world: World) -> None:
    objective = make_objective(world)
    kr = make_kr(objective)
    services.cycle_close(cycle=world.quarter)
    client = client_for(world.owner)
    html = client.get(detail_url(objective)).content.decode()
    assert 'class="checkin-inline"' not in html and "is closed" in html
    response = client.post(checkin_url(kr), {f"kr{kr.pk}-value": "5"})
    assert response.status_code == 400 and "is closed" in response.content.decode()
    assert not CheckIn.objects.exists()


# --- Create, edit, copy, archive --------------------------------------------------------


def test_create_objective_with_three_key_results(world: World) -> None:
    parent = make_objective(world, "Company goal", team=None, owner=world.admin)
    data = {
        "title": "Faster onboarding",
        "cycle": world.quarter.pk,
        "team": world.platform.pk,
        "kind": "committed",
        "visibility": "public",
        "parents": [parent.pk],
        "key_results-TOTAL_FORMS": "5",
        "key_results-INITIAL_FORMS": "0",
    }
    rows = [
        {"title": "Time to first value", "type": "metric", "start": "10", "target": "3"},
        {"title": "Docs rewritten", "type": "boolean"},
        {"title": "Error rate", "type": "stay_below", "threshold": "1"},
    ]
    for i, row in enumerate(rows):
        data |= {f"key_results-{i}-{k}": v for k, v in row.items()}
    response = client_for(world.owner).post(reverse("objective_new"), data)
    assert response.status_code == 302, (
        response.context["form"].errors
        or [f.errors for f in response.context["formset"]]
        or response.context["formset"].non_form_errors()
    )
    objective = Objective.objects.get(title="Faster onboarding")
    assert objective.ref == "faster-onboarding"
    assert objective.owner == world.owner
    assert [kr.title for kr in objective.key_results.order_by("position")] == [
        "Time to first value",
        "Docs rewritten",
        "Error rate",
    ]
    assert list(objective.parents.all()) == [parent]


def test_create_with_bad_key_result_shows_error_and_saves_nothing(world: World) -> None:
    data = {
        "title": "Bad",
        "cycle": world.quarter.pk,
        "kind": "aspirational",
        "visibility": "public",
        "key_results-TOTAL_FORMS": "2",
        "key_results-INITIAL_FORMS": "0",
        "key_results-1-title": "Same start and target",
        "key_results-1-type": "metric",
        "key_results-1-start": "5",
        "key_results-1-target": "5",
    }
    response = client_for(world.owner).post(reverse("objective_new"), data)
    assert response.status_code == 400
    assert "must differ from start" in response.content.decode()
    assert 'value="Same start and target"' in response.content.decode()
    assert not Objective.objects.exists()


def edit_data(objective: Objective, version: str, title: str) -> dict[str, Any]:
    return {
        "title": title,
        "kind": objective.kind,
        "visibility": objective.visibility,
        "team": objective.team_id or "",
        "version": version,
    }


def test_stale_edit_is_detected_and_explained(world: World) -> None:
    objective = make_objective(world, "Original")
    version = selectors.objective_version(objective)
    Objective.objects.filter(pk=objective.pk).update(title="Changed by someone else")
    url = reverse("objective_edit", args=[objective.ref])
    response = client_for(world.owner).post(url, edit_data(objective, version, "Mine"))
    assert response.status_code == 400
    assert "someone else changed this objective" in response.content.decode()
    assert 'value="Mine"' in response.content.decode()
    objective.refresh_from_db()
    assert objective.title == "Changed by someone else"


def test_fresh_edit_saves(world: World) -> None:
    objective = make_objective(world, "Original")
    url = reverse("objective_edit", args=[objective.ref])
    client = client_for(world.owner)
    assert client.get(url).status_code == 200
    version = selectors.objective_version(objective)
    response = client.post(url, edit_data(objective, version, "Renamed"))
    assert response.status_code == 302, response.context["form"].errors
    objective.refresh_from_db()
    assert objective.title == "Renamed"


def test_copy_with_chosen_key_results(world: World) -> None:
    objective = make_objective(world)
    keep, drop = make_kr(objective, "Keep me"), make_kr(objective, "Leave me")
    services.checkin_create(key_result=keep, value=Decimal(50), author=world.owner)
    url = reverse("objective_copy", args=[objective.ref])
    response = client_for(world.owner).post(
        url, {"cycle": world.next_quarter.pk, "key_results": [keep.pk]}
    )
    assert response.status_code == 302
    copy = Objective.objects.exclude(pk=objective.pk).get(title=objective.title)
    assert copy.cycle == world.next_quarter and copy.ref != objective.ref
    assert [kr.title for kr in copy.key_results.all()] == ["Keep me"]
    assert copy.progress == 0 and not CheckIn.objects.filter(key_result__objective=copy).exists()
    assert drop.objective == objective


def test_move_key_result(world: World) -> None:
    source, target = make_objective(world, "Source"), make_objective(world, "Target")
    kr = make_kr(source)
    services.checkin_create(key_result=kr, value=Decimal(100), author=world.owner)
    url = reverse("key_result_move", args=[source.ref, kr.ref])
    response = client_for(world.owner).post(url, {f"move{kr.pk}-objective": target.pk})
    assert response.status_code == 302
    source.refresh_from_db()
    target.refresh_from_db()
    assert source.progress == 0 and target.progress == 1


def test_archive_and_restore(world: World) -> None:
    objective = make_objective(world)
    kr = make_kr(objective)
    client = client_for(world.owner)
    client.post(reverse("objective_archive", args=[objective.ref]))
    objective.refresh_from_db()
    assert objective.archived_at is not None
    response = client.post(checkin_url(kr), {f"kr{kr.pk}-value": "5"})
    assert response.status_code == 400 and "archived" in response.content.decode()
    assert not CheckIn.objects.exists()
    client.post(reverse("objective_restore", args=[objective.ref]))
    objective.refresh_from_db()
    assert objective.archived_at is None


# --- Close a cycle ---------------------------------------------------------------------


def test_close_cycle_with_one_override_reason_required(world: World) -> None:
    objective = make_objective(world, kind="committed")
    kr = make_kr(objective)
    services.checkin_create(key_result=kr, value=Decimal(64), author=world.owner)
    url = reverse("cycle_close", args=[world.quarter.ref])
    admin = client_for(world.admin)
    page = admin.get(url).content.decode()
    assert "0.6" in page and "not met" in page
    prefix = f"o{objective.pk}"
    no_reason = {"objective": objective.pk, f"{prefix}-score_override": "1.0"}
    response = admin.post(url, no_reason)
    assert response.status_code == 400 and "needs a written reason" in response.content.decode()
    objective.refresh_from_db()
    assert objective.score_override is None
    with_reason = no_reason | {f"{prefix}-override_reason": "Scope cut agreed with the CEO"}
    assert admin.post(url, with_reason).status_code == 302
    assert admin.post(url, {"action": "close", "confirm": "yes"}).status_code == 302
    world.quarter.refresh_from_db()
    objective.refresh_from_db()
    assert world.quarter.is_closed
    assert objective.final_score == Decimal("0.6") and objective.score_override == Decimal("1.0")


def test_only_admins_close_cycles(world: World) -> None:
    url = reverse("cycle_close", args=[world.quarter.ref])
    assert client_for(world.owner).get(url).status_code == 403
    assert client_for(world.owner).post(url, {"action": "close"}).status_code == 403
    world.quarter.refresh_from_db()
    assert not world.quarter.is_closed


def test_owner_sets_retrospective_on_closed_cycle(world: World) -> None:
    objective = make_objective(world)
    services.cycle_close(cycle=world.quarter)
    url = reverse("objective_retrospective", args=[objective.ref])
    response = client_for(world.owner).post(url, {"went_well": "Shipped", "learned": "Plan less"})
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.went_well == "Shipped" and objective.learned == "Plan less"


def add_kr_data(**fields: Any) -> dict[str, Any]:
    values = {"title": "Weekly active teams", "type": "metric", "unit": "teams"}
    values |= {"start": "10", "target": "40", "weight": "2"}
    return {f"new_kr-{name}": value for name, value in (values | fields).items()}


def test_edit_page_adds_a_key_result(world: World) -> None:
    objective = make_objective(world)
    first = make_kr(objective, "Adoption")
    services.checkin_create(key_result=first, value=Decimal(100), author=world.owner)
    client = client_for(world.teammate)  # a member of the owning team
    edit = client.get(reverse("objective_edit", args=[objective.ref]))
    assert "Add a key result" in edit.content.decode()
    url = reverse("key_result_add", args=[objective.ref])
    response = client.post(url, add_kr_data())
    assert response.status_code == 302
    added = objective.key_results.get(title="Weekly active teams")
    assert (added.start, added.target, added.weight) == (Decimal(10), Decimal(40), Decimal(2))
    assert added.position == 1 and added.unit == "teams"
    objective.refresh_from_db()
    assert objective.progress == Decimal("0.333333333333")  # weights 1 and 2: rolled up
    assert "Weekly active teams" in client.get(detail_url(objective)).content.decode()


def test_bad_new_key_result_shows_error_keeps_input_saves_nothing(world: World) -> None:
    objective = make_objective(world)
    url = reverse("key_result_add", args=[objective.ref])
    response = client_for(world.owner).post(url, add_kr_data(target="10"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "must differ from start" in text
    assert 'value="Weekly active teams"' in text
    assert not objective.key_results.exists()
    response = client_for(world.owner).post(url, add_kr_data(title=""))
    assert "is required" in str(response.context["kr_form"].errors["title"])


def test_only_editors_add_key_results_and_not_in_closed_cycles(world: World) -> None:
    objective = make_objective(world)
    url = reverse("key_result_add", args=[objective.ref])
    assert client_for(world.outsider).post(url, add_kr_data()).status_code == 403
    services.cycle_close(cycle=world.quarter)
    response = client_for(world.owner).post(url, add_kr_data())
    assert response.status_code == 302
    assert not objective.key_results.exists()


def activity_lines(client: Client, objective: Objective) -> list[str]:
    response = client.get(detail_url(objective))
    return [
        " ".join(item.split())
        for item in response.content.decode()
        .split('<ol class="activity">')[1]
        .split("</ol>")[0]
        .split("<li>")[1:]
    ]


def test_activity_is_the_change_history_newest_first_with_backdating_said(
    world: World, settings: Any
) -> None:
    """The list is the change history (docs/history.md), newest written first; a check-in
    dated earlier than it was written says for which day."""
    settings.TIME_ZONE = "America/New_York"
    objective = make_objective(world, "Created today")
    kr = make_kr(objective, "Adoption")
    now = timezone.now().replace(microsecond=0)
    today_utc = now.astimezone(UTC).date()
    for days, value in ((3, 10), (1, 30), (2, 20)):  # written out of order
        at = datetime.combine(today_utc - timedelta(days=days), datetime.min.time(), tzinfo=UTC)
        services.checkin_create(key_result=kr, value=Decimal(value), at=at, author=world.owner)
    services.checkin_create(
        key_result=kr, value=Decimal(40), at=now - timedelta(minutes=5), author=world.owner
    )
    lines = activity_lines(client_for(world.owner), objective)
    words = (": 40 %", ": 20 %", ": 30 %", ": 10 %", "added", "created")
    assert [next(w for w in words if w in line) for line in lines] == list(words)
    day_one = today_utc - timedelta(days=1)
    assert f"(for {day_one:%Y-%m-%d})" in lines[2]
    assert "(for" not in lines[0]  # written the day it is for


# --- A linked key result that follows a private objective ------------------------------


def follow_a_private_objective(world: World) -> tuple[Objective, KeyResult]:
    """The outsider's public objective follows the platform team's private "Secret plan"
    (37 % done) with one key result, beside a metric of weight 3 at 0."""
    secret = make_objective(world, "Secret plan", visibility="private")
    secret_kr = make_kr(secret, "Secret metric")
    mine = make_objective(world, "Outsider goal", owner=world.outsider, team=None)
    make_kr(mine, "Own metric", weight=Decimal(3))
    follows = make_kr(
        mine, "Follows the plan", type="linked", linked_objective=secret, start=None, target=None
    )
    services.checkin_create(key_result=secret_kr, value=Decimal(37), author=world.owner)
    follows = KeyResult.objects.get(pk=follows.pk)  # the plan's progress as stored now
    services.checkin_create(
        key_result=follows, value=None, confidence="at_risk", author=world.outsider
    )
    return mine, follows


def test_linked_key_result_hides_a_private_objective_and_its_progress(world: World) -> None:
    mine, follows = follow_a_private_objective(world)
    html = client_for(world.outsider).get(detail_url(mine)).content.decode()
    row = html[html.index(f'id="kr-{follows.pk}"') :]
    row = row[: row.index("</article>")]
    assert "Follows an objective you cannot see" in row
    assert "Secret plan" not in html and "37%" not in html
    assert 'class="chip' not in row.split("Confidence")[0]  # no status chip
    assert "kr-chart" not in row and "<svg" not in row
    assert "at risk" in row.lower()  # its own check-in's confidence stays
    assert "9%" in html  # the objective's progress counts it: 0.37 / 4


def test_linked_key_result_shows_a_private_objective_to_its_team(world: World) -> None:
    mine, follows = follow_a_private_objective(world)
    html = client_for(world.teammate).get(detail_url(mine)).content.decode()
    assert "Secret plan" in html and "37%" in html and f'id="kr-chart-{follows.pk}' in html


def test_focus_and_checkin_pages_hide_the_progress_of_a_private_followed_objective(
    world: World,
) -> None:
    follow_a_private_objective(world)
    client = client_for(world.outsider)
    for url in (reverse("focus"), reverse("checkin_week")):
        html = client.get(url).content.decode()
        assert "Follows the plan" in html, url
        assert "follows an objective you cannot see" in html, url
        assert "37%" not in html and "Secret plan" not in html, url


def test_activity_hides_the_frozen_score_of_a_private_followed_objective(world: World) -> None:
    mine, follows = follow_a_private_objective(world)
    services.cycle_close(cycle=world.quarter)
    froze = f"froze the final score of key result “{follows.title}”"
    for person, shown in ((world.outsider, False), (world.teammate, True)):
        html = client_for(person).get(detail_url(mine)).content.decode()
        entry = html[html.index(froze) :]
        entry = entry[: entry.index("</li>\n")]
        assert ('class="changes"' in entry) == shown


# --- Bounded at any number of check-ins ----------------------------------------------------


def busy_key_result(world: World, checkins: int, days: int = 10) -> Objective:
    """An objective whose metric holds `checkins` check-ins spread over the last `days` days
    (written in bulk: the page's reads are what is measured)."""
    objective = make_objective(world, f"Busy {checkins}")
    kr = make_kr(objective, "Requests served")
    now = timezone.now()
    CheckIn.objects.bulk_create(
        CheckIn(
            key_result=kr,
            value=Decimal(n % 100),
            at=now - timedelta(days=1 + n % days, minutes=n),
            author=world.owner,
            note="steady",
        )
        for n in range(checkins)
    )
    return objective


def page_reads(client: Client, url: str) -> tuple[int, int, int]:
    """(queries, check-in rows loaded, bytes) of one visit."""
    loaded = count_instances(CheckIn)
    with CaptureQueriesContext(connection) as queries, loaded:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), loaded.count, len(response.content)


class count_instances:
    """How many instances of `model` are built inside the block."""

    def __init__(self, model: type) -> None:
        self.model, self.count = model, 0

    def built(self, **kwargs: Any) -> None:
        self.count += 1

    def __enter__(self) -> "count_instances":
        post_init.connect(self.built, sender=self.model)
        return self

    def __exit__(self, *exc: object) -> None:
        post_init.disconnect(self.built, sender=self.model)


def test_objective_page_cost_does_not_grow_with_check_ins(world: World) -> None:
    few, many = busy_key_result(world, 10), busy_key_result(world, 2_000)
    client = client_for(world.teammate)
    client.get(detail_url(few))  # warm the session
    few_queries, few_loaded, few_bytes = page_reads(client, detail_url(few))
    many_queries, many_loaded, many_bytes = page_reads(client, detail_url(many))
    assert many_queries == few_queries
    # The latest HISTORY_SHOWN for the list, the last of each day for the chart.
    days = {timezone.localdate(at) for at in CheckIn.objects.values_list("at", flat=True)}
    assert few_loaded <= many_loaded <= HISTORY_SHOWN + len(days)
    assert abs(many_bytes - few_bytes) < 1_000
    assert "Check-ins (2000)" in client.get(detail_url(many)).content.decode()


def test_chart_takes_the_last_check_in_of_each_day(world: World) -> None:
    objective = make_objective(world)
    kr = make_kr(objective)
    day = timezone.localdate() - timedelta(days=2)
    for hour, value in ((17, 60), (9, 20)):  # the later one written first
        at = timezone.make_aware(datetime.combine(day, time(hour)))
        services.checkin_create(key_result=kr, value=Decimal(value), author=world.owner, at=at)
    html = client_for(world.owner).get(detail_url(objective)).content.decode()
    chart = html[html.index(f'id="kr-chart-{kr.pk}-title"') :]
    assert f"{day:%d %b %Y}: 60%" in chart[: chart.index("</svg>")]


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Pacific/Kiritimati"])
def test_a_check_in_stored_far_outside_the_cycle_does_not_break_the_page(
    world: World, zone: str, settings: Any
) -> None:
    settings.TIME_ZONE = zone
    objective = make_objective(world)
    kr = make_kr(objective)
    for at in (datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, tzinfo=UTC)):
        CheckIn.objects.create(key_result=kr, value=Decimal(5), at=at)  # as stored long ago
    response = client_for(world.owner).get(detail_url(objective))
    assert response.status_code == 200
    assert "Check-ins (2)" in response.content.decode()


def test_latest_checkins_are_each_key_results_newest_on_every_database(world: World) -> None:
    """One query for several key results (ORed slices on SQLite, a UNION ALL of them on
    PostgreSQL): each key result's HISTORY_SHOWN newest, newest first, nothing else."""
    from pacer.web.selectors.objective import latest_checkins

    objective = make_objective(world)
    krs = [make_kr(objective), make_kr(objective), make_kr(objective)]
    start = timezone.now() - timedelta(days=30)
    for n, kr in enumerate(krs):
        for i in range(HISTORY_SHOWN + 3 - n * 5):  # 11, 6 and 1 check-ins
            CheckIn.objects.create(key_result=kr, value=Decimal(i), at=start + timedelta(hours=i))
    found = latest_checkins(krs)
    for kr in krs:
        expected = list(
            CheckIn.objects.filter(key_result=kr).order_by("-at", "-id")[:HISTORY_SHOWN]
        )
        assert found.get(kr.pk, []) == expected
    assert latest_checkins([]) == {}


@pytest.mark.parametrize("parent", ["9" * 5000, "²", "٣"])
def test_a_parent_key_that_is_no_number_is_a_form_error_not_a_500(
    world: World, parent: str
) -> None:
    """int() refuses digits such as "²" that str.isdigit accepts, and raises over 4,300
    digits: both reached the parents picker."""
    before = Objective.objects.count()
    response = client_for(world.owner).post(
        reverse("objective_new"),
        {"title": "Ship it", "cycle": world.quarter.pk, "parents": [parent], "kind": "committed"},
    )
    assert response.status_code == 400
    assert Objective.objects.count() == before
