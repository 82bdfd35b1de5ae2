"""The forecast on the objective page: the label beside progress and the dashed line on
the charts (docs/forecast.md)."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from pacer.okrs import progress as engine
from pacer.okrs.models import Cycle
from pacer.web import charts, selectors
from tests.factories import make_key_result, make_objective, make_world

pytestmark = pytest.mark.django_db


def page_of(person, ref: str) -> str:
    client = Client()
    client.force_login(person)
    response = client.get(reverse("objective_detail", args=[ref]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_objective_page_shows_the_label_and_the_dashed_forecast_line() -> None:
    world = make_world()
    # adoption 0 -> 90 %, 30 on 20 April 2026: ~144 at the end of June, so likely.
    make_key_result(world.public, "launch", type="boolean")  # no check-in: unlikely, 0 %
    html = page_of(world.owner, "delivery")
    assert 'data-testid="kr-forecast"' in html
    assert "likely</span>" in html and "100% by the end (143.684211 %)" in html
    assert 'data-testid="objective-forecast"' in html  # (1 + 0) / 2: unlikely
    assert 'class="forecast-unlikely">unlikely</span> <span class="muted small">50% by' in html
    assert html.count('class="forecast"') == 2  # the key result's chart and the objective's


def test_no_forecast_no_label_and_no_line() -> None:
    world = make_world()
    html = page_of(world.owner, "secret-merger")  # its key result has no check-in
    assert 'data-testid="kr-forecast"' not in html
    assert 'class="forecast"' not in html


def test_the_chart_draws_the_forecast_from_the_last_check_in_to_the_windows_end() -> None:
    start, end = date(2026, 1, 1), date(2026, 3, 31)
    svg = charts.progress_chart(
        [(start, charts.engine.ZERO)],
        window_start=start,
        window_end=end,
        title="t",
        dom_id="c",
        forecast=((date(2026, 2, 14), charts.engine.ONE / 2), charts.engine.ONE),
    )
    scale = charts._Scale(start, end)
    line = f'class="forecast" points="{scale.xy(date(2026, 2, 14), 0.5)} {scale.xy(end, 1)}"'
    assert line in svg
    closed = charts.progress_chart(
        [],
        window_start=start,
        window_end=end,
        title="t",
        dom_id="c",
        pace=False,
        forecast=((start, charts.engine.ZERO), charts.engine.ONE),
    )
    assert 'class="forecast"' not in closed


def test_forecast_to_miss_keeps_the_objectives_labelled_unlikely() -> None:
    world = make_world()
    behind = make_objective(world.cycle, "behind", world.owner)
    make_key_result(behind, "launch", type="boolean")  # not done: forecast 0, unlikely
    filters = selectors.parse_filters({"forecast": "miss"})
    assert filters.active
    found = selectors.cycle_objectives(
        world.admin, world.cycle, filters, on=world.cycle.end, bands=engine.Bands()
    )
    # delivery is likely, secret-merger (0 %) and behind unlikely.
    assert sorted(o.ref for o in found) == ["behind", "secret-merger"]
    assert selectors.parse_filters({"forecast": "nonsense"}).forecast == ""
    client = Client()
    client.force_login(world.owner)
    html = client.get(reverse("cycle_overview", args=[world.cycle.ref]) + "?forecast=miss")
    page = html.content.decode()
    assert html.status_code == 200
    assert '<option value="miss" selected>Forecast to miss</option>' in page
    assert "Deliver faster" not in page and "Buy Initech" in page
    # Each row says its forecast, so the filter's reason is visible on the list.
    assert 'data-testid="row-forecast">Forecast <span class="forecast-unlikely">unlikely' in page


def test_overview_rows_say_the_forecast_label_of_open_cycles_only() -> None:
    world = make_world()
    client = Client()
    client.force_login(world.admin)
    page = client.get(reverse("cycle_overview", args=[world.cycle.ref])).content.decode()
    assert '<span class="forecast-likely">likely</span>' in page  # Deliver faster
    Cycle.objects.filter(pk=world.cycle.pk).update(state=Cycle.State.CLOSED)
    closed = client.get(reverse("cycle_overview", args=[world.cycle.ref])).content.decode()
    assert 'data-testid="row-forecast"' not in closed
