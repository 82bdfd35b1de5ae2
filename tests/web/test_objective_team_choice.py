"""The web's new-objective form offers only the teams its author may file under."""

import re

from django.test import Client
from django.urls import reverse

from pacer.accounts.models import User
from pacer.okrs.models import Objective
from tests.factories import World, make_team


def team_options(page: str) -> set[str]:
    select = re.search(r'<select name="team"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    return set(re.findall(r'<option value="(\d+)"', select.group(1)))


def signed_in(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_new_objective_offers_only_my_teams_and_refuses_another(world: World) -> None:
    sales = make_team(world.org, "sales")
    client = signed_in(world.owner)
    page = client.get(reverse("objective_new")).content.decode()
    assert team_options(page) == {str(world.team.pk)}
    form = {
        "cycle": world.cycle.pk,
        "title": "Sell the platform",
        "team": sales.pk,
        "kind": "aspirational",
        "visibility": "public",
        "key_results-TOTAL_FORMS": "0",
        "key_results-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("objective_new"), form)
    assert response.status_code == 400
    assert not Objective.objects.filter(title="Sell the platform").exists()


def test_admins_may_file_under_any_team(world: World) -> None:
    sales = make_team(world.org, "sales")
    page = signed_in(world.admin).get(reverse("objective_new")).content.decode()
    assert team_options(page) == {str(world.team.pk), str(sales.pk)}
