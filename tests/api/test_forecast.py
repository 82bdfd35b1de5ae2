"""The forecast in the API: key results and objectives carry forecast, forecast_progress
and forecast_label (docs/forecast.md)."""

from datetime import date

from tests.api.conftest import ApiClient, World
from tests.factories import check_in


def test_key_results_and_objectives_carry_their_forecast(
    world: World, owner_api: ApiClient
) -> None:
    # adoption 0 -> 90 %: 30 on 20 April (day 19 of a 91-day window): 30/19 a day.
    adoption = owner_api.get_json("/key-results/adoption")
    assert adoption["forecast"] == round(30 * 91 / 19, 6)
    assert (adoption["forecast_progress"], adoption["forecast_label"]) == (1, "likely")
    secret = owner_api.get_json("/key-results/secret-kr")  # no check-in: no forecast
    assert (secret["forecast"], secret["forecast_progress"], secret["forecast_label"]) == (
        None,
        0,
        None,
    )
    objective = owner_api.get_json("/objectives/delivery")
    assert (objective["forecast_progress"], objective["forecast_label"]) == (1, "likely")
    check_in(world.adoption, 20, date(2026, 5, 10))  # points (0,0) (19,30) (39,20): ~52.8
    adoption = owner_api.get_json("/key-results/adoption")
    assert adoption["forecast_label"] == "unlikely"
    assert 0.58 < adoption["forecast_progress"] < 0.59
    listed = owner_api.get_json("/objectives?cycle=2026-q2")["items"]
    delivery = next(item for item in listed if item["ref"] == "delivery")
    assert delivery["forecast_label"] == "unlikely"
