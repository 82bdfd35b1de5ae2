"""A closed cycle's pages show final numbers; a live cycle's explain its pace tick and where
computed status and reported confidence disagree; the close page colours each number by its
own value.

The shared world (tests.factories): 2026-Q2 (1 April to 30 June, active, over by now) holds
"Deliver faster" (owner `owner`, platform team, aspirational) whose metric `adoption` runs
0 -> 90 % and holds one check-in of 30 (progress 1/3: score 0.3, red, not met).
`live_world` adds a quarter around today, one third through (expected 1/3).
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from pacer.accounts.models import User
from pacer.okrs import services
from pacer.okrs.models import Cycle, KeyResult, Objective
from tests.factories import World, check_in, fresh, make_cycle, make_key_result, make_objective

pytestmark = pytest.mark.django_db

# A status chip (a confidence chip has the class "confidence" first: "chip confidence ...").
STATUS_CHIP = re.compile(r'class="chip (done|on_track|at_risk|off_track)"')
TICK = 'class="expected"'
PACE_LINE = 'class="pace"'
AHEAD = escape("Progress is on pace, but the owner's last check-in reported low confidence.")
BEHIND = escape(
    "Progress is behind the expected pace, but the owner's last check-in reported on track."
)
AHEAD_OBJECTIVE = escape(
    "Progress is on pace, but a key result's last check-in reported low confidence."
)


def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return str(response.content.decode())


def closed_pages(world: World) -> dict[str, str]:
    ref = world.cycle.ref
    return {
        "objective": reverse("objective_detail", args=[world.public.ref]),
        "overview": reverse("cycle_overview", args=[ref]),
        "overview htmx": reverse("cycle_overview", args=[ref]),
        "team": reverse("team_detail", args=[world.team.ref]) + f"?cycle={ref}",
        "map": reverse("alignment_map", args=[ref]),
    }


def assert_final_only(text: str) -> None:
    """Final numbers: no status chip, no expected pace (word, tick, chart line), no legend,
    no confidence-versus-status line."""
    assert not STATUS_CHIP.search(text)
    assert TICK not in text
    assert PACE_LINE not in text
    assert "expected" not in text.lower()
    assert 'data-testid="pace-legend"' not in text
    assert 'data-testid="disagreement"' not in text


# --- A closed cycle's pages ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["objective", "overview", "overview htmx", "team", "map"])
def test_a_closed_cycle_shows_final_score_colour_and_success_and_no_live_status(
    world: World, name: str
) -> None:
    world.adoption.confidence = "on_track"  # would disagree with "off track" were it live
    world.adoption.save(update_fields=["confidence"])
    services.cycle_close(cycle=world.cycle)
    client = client_for(world.owner)
    headers = {"HX-Request": "true"} if name.endswith("htmx") else {}
    response = client.get(closed_pages(world)[name], headers=headers)
    assert response.status_code == 200
    text = response.content.decode()
    assert_final_only(text)
    if name != "map":  # the map's line shows the score, its colour and the result
        assert '<span class="score red">0.3</span>' in text
    assert 'class="chip not_met"' in text or '<span class="chip not_met">Not met' in text
    if name in ("overview", "map"):
        assert 'id="filter-status"' not in text  # nor is a status filter offered


def test_the_closed_objective_page_says_final_score_result_and_progress_at_close(
    world: World,
) -> None:
    services.cycle_close(cycle=world.cycle)
    text = html(client_for(world.owner), reverse("objective_detail", args=[world.public.ref]))
    assert "Final score" in text
    assert '<span class="score red">0.3</span></span> <span class="small muted">red</span>' in text
    assert "Not met" in text
    assert "Progress at close" in text
    assert "is closed: its scores are final" in text
    assert "Confidence shown is the lowest" not in text
    # The key result's row: its final chip and score, no status.
    assert '<span class="chip final"' in text


def test_a_closed_cycle_counts_met_and_not_met_and_ignores_a_status_filter(world: World) -> None:
    committed = make_objective(world.cycle, "done-deal", world.owner, kind="committed")
    kr = make_key_result(committed, "signed", target=10)
    check_in(kr, 10, world.cycle.start + timedelta(days=5))
    services.cycle_close(cycle=world.cycle)
    url = reverse("cycle_overview", args=[world.cycle.ref])
    text = html(client_for(world.owner), url)
    assert re.search(r'chip met">Met</span> <strong>1</strong>', text)
    # "Deliver faster" (0.3) and the private "Buy Initech" (0.0), which the owner sees
    assert re.search(r'chip not_met">Not met</span> <strong>2</strong>', text)
    assert 'id="filter-status"' not in text
    filtered = html(client_for(world.owner), url + "?status=on_track")
    assert "Deliver faster" in filtered and "Done deal" in filtered


def test_an_override_decides_the_result_on_closed_pages(world: World) -> None:
    services.cycle_close(cycle=world.cycle)
    Objective.objects.filter(pk=world.public.pk).update(
        score_override=Decimal("0.7"), override_reason="Shipped the rest in July"
    )
    text = html(client_for(world.owner), reverse("cycle_overview", args=[world.cycle.ref]))
    assert '<span class="score green">0.7</span>' in text
    assert re.search(r'chip met">Met</span> <strong>1</strong>', text)


def test_reopening_brings_the_live_display_back(world: World) -> None:
    services.cycle_close(cycle=world.cycle)
    services.cycle_reopen(cycle=fresh(world.cycle))
    text = html(client_for(world.owner), reverse("objective_detail", args=[world.public.ref]))
    assert STATUS_CHIP.search(text)
    assert TICK in text and "expected" in text
    assert "Final score" not in text


def test_my_focus_lists_no_closed_cycle(world: World) -> None:
    """My focus shows the active cycles only: a closed cycle's objectives never reach it."""
    live = make_cycle(world.org, "now", timezone.localdate(), timezone.localdate())
    make_objective(live, "current", world.owner, title="Current work")
    services.cycle_close(cycle=world.cycle)
    text = html(client_for(world.owner), "/")
    assert "Current work" in text
    assert "Deliver faster" not in text


@pytest.mark.parametrize("name", ["objective", "overview", "team", "map"])
def test_closing_keeps_the_query_count(world: World, name: str) -> None:
    client = client_for(world.owner)
    url = closed_pages(world)[name]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    live = queries()
    services.cycle_close(cycle=world.cycle)
    assert queries() == live


# --- The close page: each number in its own colour -----------------------------------------


def close_page(world: World) -> str:
    """The close page's section of "Deliver faster"."""
    text = html(client_for(world.admin), reverse("cycle_close", args=[world.cycle.ref]))
    return text[text.index(f'id="o{world.public.pk}"') :]


def score_span(text: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">(.*?)</span></span>', text, re.S)
    assert found, testid
    return found.group(1)


@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize(
    ("value", "override", "computed_html", "final_html"),
    [
        (
            72,
            "0.5",
            '<span class="score green">0.8</span>',
            '<span class="score yellow">0.5</span>',
        ),
        (27, "0.7", '<span class="score red">0.3</span>', '<span class="score green">0.7</span>'),
        (45, "0.2", '<span class="score yellow">0.5</span>', '<span class="score red">0.2</span>'),
    ],
)
def test_the_close_page_colours_the_computed_and_the_final_score_each_by_its_own_value(
    world: World,
    closed: bool,
    value: int,
    override: str,
    computed_html: str,
    final_html: str,
) -> None:
    check_in(world.adoption, value, world.cycle.start + timedelta(days=30))
    Objective.objects.filter(pk=world.public.pk).update(
        score_override=Decimal(override), override_reason="A judgement call"
    )
    if closed:
        services.cycle_close(cycle=world.cycle)
    text = close_page(world)
    computed = score_span(text, "computed-score")
    final = score_span(text, "final-score")
    assert computed_html in computed and final_html not in computed
    assert final_html in final and computed_html not in final


def test_a_frozen_computed_score_of_zero_is_shown_as_zero(world: World) -> None:
    services.cycle_close(cycle=world.cycle)
    Objective.objects.filter(pk=world.public.pk).update(
        final_score=Decimal("0.0"), progress=Decimal("0.5")
    )
    computed = score_span(close_page(world), "computed-score")
    assert '<span class="score red">0.0</span>' in computed


# --- A live cycle: the tick's legend and the disagreement line -----------------------------


@dataclass
class Live:
    cycle: Cycle
    objective: Objective
    kr: KeyResult


@pytest.fixture
def live(world: World) -> Live:
    """A quarter one third through today (expected 1/3): a metric 0 -> 90."""
    today = timezone.localdate()
    cycle = make_cycle(world.org, "live", today - timedelta(days=30), today + timedelta(days=60))
    objective = make_objective(cycle, "live-one", world.owner, team=world.team, title="Live one")
    kr = make_key_result(objective, "signups", title="Signups", target=90)
    return Live(cycle, objective, kr)


def live_pages(live: Live, world: World) -> list[str]:
    return [
        reverse("objective_detail", args=[live.objective.ref]),
        reverse("cycle_overview", args=[live.cycle.ref]),
        reverse("team_detail", args=[world.team.ref]) + f"?cycle={live.cycle.ref}",
        reverse("alignment_map", args=[live.cycle.ref]),
        "/",
    ]


def test_every_live_page_with_progress_bars_explains_the_tick_once(
    world: World, live: Live
) -> None:
    client = client_for(world.owner)
    for url in live_pages(live, world):
        text = html(client, url)
        assert TICK in text, url
        assert text.count('data-testid="pace-legend"') == 1, url
        assert "where progress should be today at a steady pace" in text


def days_ago(n: int) -> Any:
    return timezone.now() - timedelta(days=n)


def test_on_pace_with_low_confidence_is_explained_until_confidence_recovers(
    world: World, live: Live
) -> None:
    client = client_for(world.owner)
    url = reverse("objective_detail", args=[live.objective.ref])
    check_in(live.kr, 40, days_ago(2), confidence="off_track")  # 44 % of 33 % expected
    text = html(client, url)
    assert AHEAD in text
    assert AHEAD_OBJECTIVE in text
    assert AHEAD in html(client, "/")  # my focus: the key result's row
    overview = html(client, reverse("cycle_overview", args=[live.cycle.ref]))
    assert AHEAD_OBJECTIVE in overview
    check_in(live.kr, 41, days_ago(1), confidence="on_track")
    text = html(client, url)
    assert 'data-testid="disagreement"' not in text


def test_behind_pace_while_reported_on_track_is_explained(world: World, live: Live) -> None:
    client = client_for(world.owner)
    check_in(live.kr, 3, days_ago(2), confidence="on_track")  # 3 % of 33 %: off track
    text = html(client, reverse("objective_detail", args=[live.objective.ref]))
    assert BEHIND in text
    assert AHEAD not in text
    check_in(live.kr, 4, days_ago(1), confidence="off_track")  # now both say off track
    text = html(client, reverse("objective_detail", args=[live.objective.ref]))
    assert 'data-testid="disagreement"' not in text


def test_no_disagreement_line_once_the_cycle_is_closed(world: World, live: Live) -> None:
    check_in(live.kr, 40, days_ago(2), confidence="off_track")
    services.cycle_close(cycle=live.cycle)
    text = html(client_for(world.owner), reverse("objective_detail", args=[live.objective.ref]))
    assert_final_only(text)


def test_the_objective_table_carries_the_disagreement_line(world: World, live: Live) -> None:
    """The team page's objective table: the objective's line under its title (at risk is
    low confidence too)."""
    check_in(live.kr, 40, days_ago(2), confidence="at_risk")
    text = html(
        client_for(world.owner),
        reverse("team_detail", args=[world.team.ref]) + f"?cycle={live.cycle.ref}",
    )
    assert text.count('data-testid="disagreement"') == 1
    assert AHEAD_OBJECTIVE in text
