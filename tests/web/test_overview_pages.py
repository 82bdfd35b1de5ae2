"""The overview pages: my focus, cycles, cycle overview, teams and the alignment map.

People: `owner` and `teammate` are in the platform team, `outsider` in no team, `admin` is an
organization admin. Today the current quarter is one third through (expected 1/3).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pacer.accounts.models import User
from pacer.okrs.models import Alignment, Cycle, KeyResult, Membership, Objective, Organization, Team
from pacer.web.selectors import checkin_period_start

pytestmark = pytest.mark.django_db

serial = count(1)
XSS = "<img src=x onerror=alert(1)>"


@dataclass
class World:
    organization: Organization
    quarter: Cycle
    year: Cycle
    company: Team
    platform: Team
    owner: User
    teammate: User
    outsider: User
    admin: User


def make_person(organization: Organization, name: str, **fields: Any) -> User:
    email = f"{name.lower()}@example.com"
    return User.objects.create_user(email, "pw", name=name, organization=organization, **fields)


def make_objective(world: World, title: str, **fields: Any) -> Objective:
    n = next(serial)
    values: dict[str, Any] = {
        "organization": world.organization,
        "cycle": world.quarter,
        "ref": f"o-{n}",
        "owner": world.owner,
        "team": world.platform,
        "progress": Decimal("0.5"),
    } | fields
    return Objective.objects.create(title=title, **values)


def make_key_result(objective: Objective, title: str, **fields: Any) -> KeyResult:
    values: dict[str, Any] = {
        "organization": objective.organization,
        "ref": f"kr-{next(serial)}",
        "type": KeyResult.Type.METRIC,
        "start": Decimal(0),
        "target": Decimal(10),
    } | fields
    return KeyResult.objects.create(objective=objective, title=title, **values)


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
    year = Cycle.objects.create(
        organization=organization,
        ref="y-now",
        name="This year",
        start=today - timedelta(days=100),
        end=today + timedelta(days=200),
    )
    company = Team.objects.create(organization=organization, ref="acme", name="Acme")
    platform = Team.objects.create(
        organization=organization, ref="platform", name="Platform", parent=company
    )
    world = World(
        organization=organization,
        quarter=quarter,
        year=year,
        company=company,
        platform=platform,
        owner=make_person(organization, "Olivia"),
        teammate=make_person(organization, "Tariq"),
        outsider=make_person(organization, "Oscar"),
        admin=make_person(organization, "Ada", role=User.Role.ADMIN),
    )
    Membership.objects.create(team=platform, person=world.owner, is_lead=True)
    Membership.objects.create(team=platform, person=world.teammate)
    return world


def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def page_urls(world: World) -> list[str]:
    return [
        "/",
        "/cycles/",
        f"/cycles/{world.quarter.ref}/",
        "/teams/",
        f"/teams/{world.company.ref}/",
        f"/teams/{world.platform.ref}/",
        f"/cycles/{world.quarter.ref}/map/",
    ]


def html(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.content.decode()


# --- Access --------------------------------------------------------------------------------


def test_every_page_renders_for_a_member(world: World) -> None:
    make_objective(world, "Ship the new build pipeline", owner=world.teammate)
    client = client_for(world.teammate)
    for url in page_urls(world):
        assert "Ship the new build pipeline" in html(client, url) or url in ("/cycles/", "/teams/")


def test_anonymous_people_are_sent_to_sign_in(world: World) -> None:
    for url in page_urls(world):
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url


@pytest.mark.parametrize(
    "url", ["/cycles/nope/", "/cycles/nope/map/", "/teams/nope/", "/teams/platform/?cycle=nope"]
)
def test_unknown_refs_are_404(world: World, url: str) -> None:
    assert client_for(world.owner).get(url).status_code == 404


def test_a_cycle_of_another_organization_is_404(world: World) -> None:
    other = Organization.objects.create(name="Other")
    Cycle.objects.create(
        organization=other, ref="theirs", name="Theirs", start=world.quarter.start,
        end=world.quarter.end,
    )  # fmt: skip
    assert client_for(world.owner).get("/cycles/theirs/").status_code == 404


# --- Cycle overview ------------------------------------------------------------------------


def statuses_world(world: World) -> None:
    """Expected progress is 1/3: 1.0 done, 0.5 on track, 0.2 at risk, 0.0 off track."""
    make_objective(world, "Finished thing", progress=Decimal(1))
    make_objective(world, "Going well", progress=Decimal("0.5"), kind="committed")
    make_objective(world, "Wobbly", progress=Decimal("0.2"), owner=world.teammate)
    make_objective(world, "Stuck A", progress=Decimal(0), team=world.company)
    make_objective(world, "Stuck B", progress=Decimal(0), team=None)


def count_of(page: str, label: str) -> str:
    chip = f'<span class="chip {label}">'
    after = page.split(chip, 1)[1]
    return after.split("<strong>", 1)[1].split("</strong>", 1)[0]


def test_cycle_overview_counts_objectives_per_status(world: World) -> None:
    statuses_world(world)
    page = html(client_for(world.owner), f"/cycles/{world.quarter.ref}/")
    counts = {s: count_of(page, s) for s in ("done", "on_track", "at_risk", "off_track")}
    assert counts == {"done": "1", "on_track": "1", "at_risk": "1", "off_track": "2"}


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("status=at_risk", ["Wobbly"], ["Going well", "Stuck A"]),
        ("status=off_track", ["Stuck A", "Stuck B"], ["Wobbly"]),
        ("kind=committed", ["Going well"], ["Wobbly", "Stuck A"]),
        ("team=acme", ["Stuck A"], ["Going well", "Stuck B"]),
        ("owner=tariq@example.com", ["Wobbly"], ["Going well"]),
        ("q=wob", ["Wobbly"], ["Going well", "Stuck A"]),
        ("q=stuck&team=platform", [], ["Stuck A", "Stuck B", "Wobbly"]),
    ],
)
def test_cycle_overview_filters(world: World, query: str, shown: list, hidden: list) -> None:
    statuses_world(world)
    url = f"/cycles/{world.quarter.ref}/?{query}"
    results = html(client_for(world.owner), url, HX_Request="true")
    for title in shown:
        assert title in results
    for title in hidden:
        assert title not in results


def test_cycle_overview_groups_by_team_and_links_objectives(world: World) -> None:
    objective = make_objective(world, "Ship it")
    page = html(client_for(world.owner), f"/cycles/{world.quarter.ref}/")
    assert f'href="/objectives/{objective.ref}/"' in page
    assert '<a href="/teams/platform/">Platform</a>' in page


def test_cycle_overview_paginates(world: World) -> None:
    for i in range(55):
        make_objective(world, f"Objective number {i:02d}")
    client = client_for(world.owner)
    first = html(client, f"/cycles/{world.quarter.ref}/")
    second = html(client, f"/cycles/{world.quarter.ref}/?page=2")
    assert "Page 1 of 2" in first and "Objective number 49" in first
    assert "Objective number 50" not in first and "Objective number 54" in second


def test_htmx_request_gets_the_results_fragment(world: World) -> None:
    make_objective(world, "Ship it")
    url = f"/cycles/{world.quarter.ref}/?q=ship"
    fragment = html(client_for(world.owner), url, HX_Request="true")
    assert "Ship it" in fragment
    assert "<html" not in fragment and 'name="q"' not in fragment
    full = html(client_for(world.owner), url)
    assert "<html" in full and 'hx-get="/cycles/q-now/"' in full


def test_htmx_history_restore_gets_the_whole_page(world: World) -> None:
    url = f"/cycles/{world.quarter.ref}/?q=ship"
    response = client_for(world.owner).get(
        url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_user_text_is_escaped(world: World) -> None:
    make_objective(world, XSS)
    client = client_for(world.owner)
    for url in [*page_urls(world), f"/cycles/{world.quarter.ref}/?status=on_track"]:
        page = client.get(url).content.decode()
        assert XSS not in page, url
    assert "&lt;img src=x onerror=alert(1)&gt;" in html(client, f"/cycles/{world.quarter.ref}/")


# --- Visibility ----------------------------------------------------------------------------


@pytest.fixture
def secret(world: World) -> Objective:
    """A private objective of the platform team, at risk (progress 0.2), owned by someone
    outside it who owns nothing else."""
    loner = make_person(world.organization, "Sigrid")
    objective = make_objective(
        world, "Secret acquisition", visibility="private", owner=loner, progress=Decimal("0.2")
    )
    public_parent = make_objective(world, "Public parent", team=world.company)
    Alignment.objects.create(child=objective, parent=public_parent)
    return objective


def every_url(world: World, secret: Objective) -> list[str]:
    return [
        *page_urls(world),
        f"/cycles/{world.quarter.ref}/?status=at_risk",
        f"/cycles/{world.quarter.ref}/map/children/{secret.parent_links.get().parent.ref}/",
    ]


def test_private_objective_never_reaches_an_outsider(world: World, secret: Objective) -> None:
    client = client_for(world.outsider)
    for url in every_url(world, secret):
        page = html(client, url)
        assert "Secret acquisition" not in page, url
        assert "Sigrid" not in page, url  # not even as an owner in the filter
    overview = html(client, f"/cycles/{world.quarter.ref}/")
    assert count_of(overview, "at_risk") == "0"
    assert "1 objective." in overview


@pytest.mark.parametrize("who", ["teammate", "admin"])
def test_private_objective_is_shown_to_teammates_and_admins(
    world: World, secret: Objective, who: str
) -> None:
    client = client_for(getattr(world, who))
    overview = html(client, f"/cycles/{world.quarter.ref}/")
    assert "Secret acquisition" in overview and count_of(overview, "at_risk") == "1"
    assert "Secret acquisition" in html(client, f"/teams/{world.platform.ref}/")


# --- My focus ------------------------------------------------------------------------------


def test_focus_lists_my_objectives_with_their_key_results(world: World) -> None:
    mine = make_objective(world, "Faster builds")
    make_key_result(mine, "Build time under 5 minutes")
    make_objective(world, "Someone else's", owner=world.teammate)
    page = html(client_for(world.owner), "/")
    assert "Faster builds" in page and "Build time under 5 minutes" in page
    assert "This quarter" in page and "This year" in page


def test_focus_lists_key_results_awaiting_my_checkin_this_week(world: World) -> None:
    mine = make_objective(world, "Faster builds")
    monday = checkin_period_start(world.owner, timezone.now())
    make_key_result(mine, "Never checked in")
    make_key_result(mine, "Checked in last week", last_checkin_at=monday - timedelta(hours=1))
    make_key_result(mine, "Checked in this week", last_checkin_at=monday + timedelta(minutes=1))
    make_key_result(mine, "Owned by Tariq", owner=world.teammate)
    make_key_result(mine, "Done yes/no", type=KeyResult.Type.BOOLEAN, progress=Decimal(1))
    theirs = make_objective(world, "Their objective", owner=world.teammate)
    make_key_result(theirs, "Mine in theirs", owner=world.owner, type=KeyResult.Type.BOOLEAN)
    page = html(client_for(world.owner), "/")
    awaiting = page.split('id="awaiting-heading"', 1)[1].split("</section>", 1)[0]
    assert "Never checked in" in awaiting and "Checked in last week" in awaiting
    assert "Mine in theirs" in awaiting and 'href="/checkin/"' in awaiting
    assert "Checked in this week" not in awaiting and "Owned by Tariq" not in awaiting
    assert "Done yes/no" not in awaiting


def test_focus_lists_what_slips_in_my_teams(world: World) -> None:
    make_objective(world, "Wobbly", progress=Decimal("0.2"), owner=world.teammate)
    make_objective(world, "Going well", progress=Decimal("0.9"), owner=world.teammate)
    make_objective(world, "Not my team", progress=Decimal(0), team=world.company)
    page = html(client_for(world.owner), "/")
    slipping = page.split('id="slipping-heading"', 1)[1].split("</section>", 1)[0]
    assert "Wobbly" in slipping and "At risk" in slipping
    assert "Going well" not in slipping and "Not my team" not in slipping


# --- Teams ---------------------------------------------------------------------------------


def test_team_page_shows_own_and_sub_team_objectives_people_and_leads(world: World) -> None:
    make_objective(world, "Platform goal")
    make_objective(world, "Company goal", team=world.company)
    make_objective(world, "Last year's goal", cycle=world.year, team=world.company)
    page = html(client_for(world.outsider), f"/teams/{world.company.ref}/")
    own = page.split('id="own-heading"', 1)[1].split("</section>", 1)[0]
    below = page.split('id="sub-heading"', 1)[1].split("</section>", 1)[0]
    assert "Company goal" in own and "Platform goal" not in own
    assert "Platform goal" in below
    assert "Last year's goal" not in page.replace("&#x27;", "'")
    builds = Team.objects.create(
        organization=world.organization, ref="builds", name="Builds", parent=world.platform
    )
    make_objective(world, "Builds goal", team=builds)
    platform = html(client_for(world.outsider), f"/teams/{world.platform.ref}/")
    assert "Olivia" in platform and "Lead" in platform and "Tariq" in platform
    below = platform.split('id="sub-heading"', 1)[1].split("</section>", 1)[0]
    assert "Builds goal" in below and 'href="/teams/builds/"' in platform


def test_team_page_cycle_selector(world: World) -> None:
    make_objective(world, "Yearly goal", cycle=world.year)
    page = html(client_for(world.owner), f"/teams/{world.platform.ref}/?cycle={world.year.ref}")
    assert "Yearly goal" in page


def test_team_tree_lists_teams_by_depth(world: World) -> None:
    page = html(client_for(world.owner), "/teams/")
    assert page.index(">Acme<") < page.index(">Platform<")
    assert 'style="--depth: 1"' in page


# --- Alignment map -------------------------------------------------------------------------


def test_map_shows_an_objective_under_each_of_its_parents(world: World) -> None:
    left = make_objective(world, "Grow revenue", cycle=world.year, team=world.company)
    right = make_objective(world, "Delight customers", team=world.company)
    child = make_objective(world, "Faster checkout")
    Alignment.objects.create(child=child, parent=left)
    Alignment.objects.create(child=child, parent=right)
    client = client_for(world.owner)
    top = html(client, f"/cycles/{world.quarter.ref}/map/")
    assert "Grow revenue" in top and "Delight customers" in top
    assert "Faster checkout" not in top  # loaded on demand, under its parents
    assert top.count("<details>") == 2
    base = f"/cycles/{world.quarter.ref}/map/children"
    under_left = html(client, f"{base}/{left.ref}/", HX_Request="true")
    under_right = html(client, f"{base}/{right.ref}/", HX_Request="true")
    assert "Faster checkout" in under_left and "also aligned to" in under_left
    assert "Delight customers" in under_left and "Grow revenue" in under_right
    assert "<html" not in under_left


def test_map_filters_make_matches_top_level(world: World) -> None:
    parent = make_objective(world, "Grow revenue", team=world.company)
    child = make_objective(world, "Faster checkout", progress=Decimal(0))
    Alignment.objects.create(child=child, parent=parent)
    url = f"/cycles/{world.quarter.ref}/map/?status=off_track"
    page = html(client_for(world.owner), url)
    assert "Faster checkout" in page and "Grow revenue" not in page


def test_map_children_without_htmx_is_a_full_page(world: World) -> None:
    parent = make_objective(world, "Grow revenue")
    Alignment.objects.create(child=make_objective(world, "Faster checkout"), parent=parent)
    page = html(client_for(world.owner), f"/cycles/{world.quarter.ref}/map/children/{parent.ref}/")
    assert "<html" in page and "Faster checkout" in page


def test_map_children_of_a_hidden_objective_is_404(world: World, secret: Objective) -> None:
    url = f"/cycles/{world.quarter.ref}/map/children/{secret.ref}/"
    assert client_for(world.outsider).get(url).status_code == 404


# --- Query counts --------------------------------------------------------------------------


def grow(world: World, n: int, parent: Objective) -> None:
    """`n` more objectives across teams, people, kinds and visibilities, with key results,
    all aligned to `parent`."""
    people = [world.owner, world.teammate, make_person(world.organization, f"P{next(serial)}")]
    for i in range(n):
        objective = make_objective(
            world,
            f"Objective {i}",
            owner=people[i % 3],
            team=[world.platform, world.company, None][i % 3],
            progress=Decimal(i % 5) / 4,
            visibility=["public", "private"][i % 2],
        )
        make_key_result(objective, f"KR {i}a", confidence="at_risk")
        make_key_result(objective, f"KR {i}b", owner=world.owner)
        Alignment.objects.create(child=objective, parent=parent)


def queries_for(client: Client, url: str, **headers: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, headers=headers).status_code == 200
    return len(queries)


QUERY_PAGES: list[tuple[str, Callable[[World], str], dict[str, str]]] = [
    ("focus", lambda w: "/", {}),
    ("cycles", lambda w: "/cycles/", {}),
    ("overview", lambda w: f"/cycles/{w.quarter.ref}/", {}),
    ("overview filtered", lambda w: f"/cycles/{w.quarter.ref}/?status=on_track&q=obj", {}),
    ("overview forecast to miss", lambda w: f"/cycles/{w.quarter.ref}/?forecast=miss", {}),
    ("overview htmx", lambda w: f"/cycles/{w.quarter.ref}/", {"HX_Request": "true"}),
    ("teams", lambda w: "/teams/", {}),
    ("team", lambda w: f"/teams/{w.company.ref}/", {}),
    ("map", lambda w: f"/cycles/{w.quarter.ref}/map/", {}),
    ("map children", lambda w: f"/cycles/{w.quarter.ref}/map/children/o-root/", {}),
]


@pytest.mark.parametrize(
    ("name", "url_of", "headers"), QUERY_PAGES, ids=[p[0] for p in QUERY_PAGES]
)
def test_query_count_does_not_grow_with_data(
    world: World, name: str, url_of: Callable[[World], str], headers: dict[str, str]
) -> None:
    client = client_for(world.teammate)
    root = make_objective(world, "Root", ref="o-root", team=world.company)
    grow(world, 5, root)
    small = queries_for(client, url_of(world), **headers)
    grow(world, 20, root)
    large = queries_for(client, url_of(world), **headers)
    assert small == large, f"{name}: {small} queries with 5 objectives, {large} with 25"


def test_many_owners_turn_the_owner_filter_into_an_email_field(world: World) -> None:
    from pacer.web.selectors import OWNER_CHOICES

    url = f"/cycles/{world.quarter.ref}/"
    make_objective(world, "Few owners")
    few = client_for(world.admin).get(url).content.decode()
    assert '<select id="filter-owner"' in few
    for n in range(OWNER_CHOICES + 1):
        owner = make_person(world.organization, f"Owner{n}")
        make_objective(world, f"Goal {n}", owner=owner)
    many = client_for(world.admin).get(url).content.decode()
    assert '<input type="email" id="filter-owner" name="owner"' in many
    assert "owner47@example.com" not in many  # no option per owner
    # The email field filters like the list did.
    filtered = client_for(world.admin).get(url, {"owner": "owner47@example.com"}).content.decode()
    assert "Goal 47" in filtered and "Goal 48" not in filtered
