"""Settings, Lint rules (views/coach.py, coach.services.save_rule_settings): admins turn
each rule on or off and set its threshold; the service checks every value and writes all or
nothing; `pacer lint --cycle` then follows the organization's choices.

The shared world (tests.factories): Acme's `admin`; `owner` (a member) owns "Deliver
faster" in 2026-Q2, whose only key result is the metric `adoption`; Globex is another
organization, with its admin `stranger`.
"""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from pacer.accounts.models import User
from pacer.coach import config as lint_config
from pacer.coach.config import Choice
from pacer.coach.models import RuleSetting
from pacer.coach.rules import RULES
from pacer.coach.services import save_rule_settings
from pacer.okrs.errors import DomainError
from tests.coach.test_lint_cli import ACME, run
from tests.factories import World

pytestmark = pytest.mark.django_db
PAGE = reverse("lint_rule_settings")
COUNTING = [rule.id for rule in RULES.values() if rule.threshold is not None]


def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def stored(world: World) -> dict[str, tuple[bool, int | None]]:
    rows = RuleSetting.objects.filter(organization=world.org)
    return {row.rule: (row.enabled, row.threshold) for row in rows}


def form_data(**changes: Any) -> dict[str, Any]:
    """Every rule on, no threshold typed, then `changes` (`rule__field` keyword names)."""
    data: dict[str, Any] = {f"{rule_id}-enabled": "on" for rule_id in RULES}
    data |= {f"{rule_id}-threshold": "" for rule_id in COUNTING}
    for name, value in changes.items():
        rule_id, field = name.replace("_", "-").rsplit("--", 1)
        if value is None:
            data.pop(f"{rule_id}-{field}")
        else:
            data[f"{rule_id}-{field}"] = value
    return data


# --- The service ---------------------------------------------------------------------------


def test_the_service_writes_every_choice(world: World) -> None:
    choices = {"unaligned": Choice(enabled=False), "too-many-objectives": Choice(True, 3)}
    save_rule_settings(organization=world.org, choices=choices, by=world.admin)
    assert stored(world) == {"unaligned": (False, None), "too-many-objectives": (True, 3)}
    save_rule_settings(
        organization=world.org, choices={"unaligned": Choice(True)}, by=world.admin
    )  # a second save updates the row
    assert stored(world)["unaligned"] == (True, None)
    assert RuleSetting.objects.filter(organization=world.org, rule="unaligned").count() == 1


@pytest.mark.parametrize(
    ("choices", "problem"),
    [
        ({"no-such-rule": Choice()}, ("no-such-rule", "no such rule")),
        (
            {"too-many-objectives": Choice(True, 1001)},
            ("too-many-objectives-threshold", "from 0 to 1000"),
        ),
        ({"too-few-key-results": Choice(True, -1)}, ("too-few-key-results-threshold", "0 to")),
        ({"no-owner": Choice(True, 3)}, ("no-owner-threshold", "this rule has no threshold")),
    ],
)
def test_the_service_refuses_bad_choices_and_writes_none(
    world: World, choices: dict[str, Choice], problem: tuple[str, str]
) -> None:
    good = {"unaligned": Choice(enabled=False)}
    with pytest.raises(DomainError) as refused:
        save_rule_settings(organization=world.org, choices=good | choices, by=world.admin)
    [(field, message)] = refused.value.problems
    assert field == problem[0]
    assert problem[1] in message
    assert stored(world) == {}


def test_only_the_organizations_admins_may_save(world: World) -> None:
    for person in (world.owner, world.stranger):
        with pytest.raises(PermissionDenied):
            save_rule_settings(
                organization=world.org, choices={"unaligned": Choice(False)}, by=person
            )
    assert stored(world) == {}


# --- The page ------------------------------------------------------------------------------


def test_the_page_lists_every_rule(world: World) -> None:
    RuleSetting.objects.create(organization=world.org, rule="unaligned", enabled=False)
    RuleSetting.objects.create(organization=world.org, rule="too-many-objectives", threshold=3)
    html = client_for(world.admin).get(PAGE).content.decode()
    for rule in RULES.values():
        assert f"<code>{rule.id}</code>" in html
        assert f'name="{rule.id}-enabled"' in html
        assert (f'name="{rule.id}-threshold"' in html) == (rule.threshold is not None)
    assert 'name="unaligned-enabled" id="id_unaligned-enabled">' in html  # unchecked
    assert 'name="no-owner-enabled" id="id_no-owner-enabled" checked>' in html
    assert 'name="too-many-objectives-threshold" value="3"' in html
    assert "Most objectives per owner or team in a cycle; empty: the default, 5." in html


def test_the_settings_hub_links_it_for_admins_only(world: World) -> None:
    hub = reverse("settings")
    assert f'<a href="{PAGE}">Lint rules</a>' in client_for(world.admin).get(hub).content.decode()
    assert "Lint rules" not in client_for(world.owner).get(hub).content.decode()


def test_non_admins_are_refused(world: World) -> None:
    member = client_for(world.owner)
    assert member.get(PAGE).status_code == 403
    assert member.post(PAGE, form_data(unaligned__enabled=None)).status_code == 403
    assert Client().get(PAGE).status_code == 302  # to sign in
    assert stored(world) == {}


def test_saving_the_form(world: World) -> None:
    admin = client_for(world.admin)
    data = form_data(unaligned__enabled=None, too_many_objectives__threshold="3")
    response = admin.post(PAGE, data)
    assert response.status_code == 302
    assert stored(world)["unaligned"] == (False, None)
    assert stored(world)["too-many-objectives"] == (True, 3)
    assert stored(world)["no-owner"] == (True, None)
    assert "Saved the lint rules." in admin.get(PAGE).content.decode()
    assert not RuleSetting.objects.filter(organization=world.other_org).exists()


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("too-many-objectives-threshold", "1001", "from 0 to 1000"),
        ("too-few-key-results-threshold", "-2", "from 0 to 1000"),
        ("too-many-key-results-threshold", "lots", "Enter a whole number."),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    world: World, field: str, typed: str, message: str
) -> None:
    RuleSetting.objects.create(organization=world.org, rule="unaligned", enabled=False)
    data = form_data() | {field: typed}
    response = client_for(world.admin).post(PAGE, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<a href="#id_{field}">{field.rsplit("-", 1)[0]}: threshold: ' in html
    assert message in html
    assert stored(world) == {"unaligned": (False, None)}


# --- pacer lint follows the settings --------------------------------------------------------


def test_pacer_lint_follows_the_organizations_settings(world: World, capsys: Any) -> None:
    _, before, _ = run(capsys, "--cycle", "2026-q2", *ACME)
    assert "too-few-key-results" in before  # "Deliver faster" has one key result
    admin = client_for(world.admin)
    assert admin.post(PAGE, form_data(too_few_key_results__threshold="1")).status_code == 302
    assert lint_config.of_organization(world.org.pk).threshold("too-few-key-results") == 1
    _, after, _ = run(capsys, "--cycle", "2026-q2", *ACME)
    assert "too-few-key-results" not in after
    assert admin.post(PAGE, form_data(no_owner__enabled=None)).status_code == 302
    assert not lint_config.of_organization(world.org.pk).enabled("no-owner")
    assert lint_config.of_organization(world.other_org.pk) == lint_config.DEFAULTS
