"""OKR templates by role (pacer.coach.role_templates): the built-in files, `apply` (all or
nothing, the same permission as the web), `pacer templates list|apply`, an organization's
own templates (PACER_TEMPLATE_DIR), the templates page and the New objective form filled
in from one of its objectives.

The shared world (tests.factories): Acme's `admin`; `owner` leads the platform team, where
`teammate` is a member; `outsider` is in no team; 2026-Q2 is active. Globex is another
organization (`stranger`).
"""

import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pacer.accounts.models import User
from pacer.coach import role_templates
from pacer.okrs.errors import DomainError
from pacer.okrs.models import KeyResult, Milestone, Objective
from tests.factories import (
    World,
    database_state,
    line_number,
    make_cycle,
    run_argv,
    run_command,
    write_file,
)

BUILT_IN = (
    "customer-success",
    "design",
    "engineering",
    "hr",
    "operations",
    "product-manager",
    "project-manager",
    "sales",
)
# Words a key result's title must not start with: it would name an activity, not an outcome.
ACTIVITY_VERBS = (
    "implement", "launch", "conduct", "complete", "hold", "run", "build", "create", "deliver",
    "organise", "organize", "host", "hire", "publish", "release", "migrate", "train",
    "introduce", "develop", "set up", "roll out", "write", "ship", "start", "establish",
)  # fmt: skip
STRETCH_WORDS = ("stretch", "moonshot", "moon shot", "aspirational", "ambitious", "10x")
DELIVERY = "Enhance project delivery efficiency and quality"
LEADERSHIP = "Develop leadership and team management skills"
ACME = ("--organization", "Acme")

OWN_TEMPLATE = """\
organization: Field <b>service</b>
objectives:
  - ref: fix-first-time
    title: Fix it on the first visit <script>alert(1)</script>
    cycle: template
    owner: owner@template.invalid
    kind: committed
    key_results:
      - {ref: first-time-fix, title: First-time fix rate, type: metric, start: 70, target: 85,
         unit: "%"}
      - {ref: repeat-visits, title: Repeat visits per month, type: metric, start: 40, target: 20}
"""


def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def objectives_by_title(created: list[Objective]) -> dict[str, Objective]:
    return {objective.title: objective for objective in created}


def key_results_of(objective: Objective) -> dict[str, KeyResult]:
    return {kr.title: kr for kr in objective.key_results.order_by("position")}


def run(capsys: Any, *args: str) -> tuple[int, str, str]:
    return run_argv(capsys, "templates", *args)


@pytest.fixture
def own_templates(settings: Any, tmp_path: Path) -> Path:
    """An organization's folder of templates: one of its own, and its project-manager."""
    settings.PACER_TEMPLATE_DIR = str(tmp_path)
    write_file(tmp_path, OWN_TEMPLATE, "field-service.yaml")
    pm = (role_templates.BUILT_IN / "project-manager.yaml").read_text(encoding="utf-8")
    write_file(tmp_path, pm.replace("Project manager", "Our PMs"), "project-manager.yaml")
    return tmp_path


# --- The built-in templates ----------------------------------------------------------------


def test_the_built_in_templates_are_the_eight_roles() -> None:
    assert [template.name for template in role_templates.available()] == list(BUILT_IN)


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_built_in_template_loads_as_a_coach_would_write_it(name: str) -> None:
    doc = role_templates.load(name)
    assert doc.organization
    assert 2 <= len(doc.objectives) <= 3
    for objective in doc.objectives:
        assert (objective.cycle, objective.owner) == ("template", "owner@template.invalid")
        assert not re.search(r"\d|%", objective.title), objective.title
        assert 2 <= len(objective.key_results) <= 5, objective.title
        if objective.kind == "committed":
            texts = [objective.title, objective.description]
            texts += [text for kr in objective.key_results for text in (kr.title, kr.description)]
            assert not any(w in text.lower() for text in texts for w in STRETCH_WORDS)
        for kr in objective.key_results:
            first_words = " ".join(kr.title.lower().split()[:2])
            assert not any(re.match(rf"{verb}\b", first_words) for verb in ACTIVITY_VERBS), kr.title
            assert kr.type != "boolean" or re.search(r"\d", kr.title), kr.title


def test_the_project_manager_template_holds_the_issues_objectives() -> None:
    doc = role_templates.load("project-manager")
    objectives = {objective.title: objective for objective in doc.objectives}
    assert doc.organization == "Project manager"
    delivery = {kr.title: kr for kr in objectives[DELIVERY].key_results}
    adoption = delivery["Project-management tool adoption"]
    assert (adoption.type, adoption.start, adoption.target, adoption.unit) == (
        "metric",
        0,
        90,
        "%",
    )
    time = delivery["Average delivery time (days)"]
    assert time.type == "metric" and time.target < time.start  # a decreasing metric
    assert (time.start - time.target) / time.start == Decimal("0.15")
    satisfaction = delivery["Client satisfaction"]
    assert (satisfaction.target, satisfaction.unit) == (90, "%")

    leadership = {kr.title: kr for kr in objectives[LEADERSHIP].key_results}
    programmes = leadership["Leadership programmes completed"]
    assert (programmes.type, programmes.start, programmes.target) == ("metric", 0, 2)
    sessions = leadership["Monthly feedback sessions held"]
    assert sessions.type == "milestones" and len(sessions.milestones) == 3
    engagement = leadership["Team engagement score"]
    assert engagement.target == engagement.start * Decimal("1.2")  # +20 %


def test_templates_lint_without_errors() -> None:
    from pacer.coach.lint import lint_file

    for template in role_templates.available():
        findings = lint_file(str(template.path))
        errors = [f"{f.rule}: {f.message}" for f in findings if f.level == "error"]
        assert errors == [], template.name


# --- Applying a template -------------------------------------------------------------------


def test_apply_creates_the_objectives_with_their_key_results_and_milestones(
    world: World,
) -> None:
    created = role_templates.apply(
        "project-manager", cycle=world.cycle, owner=world.owner, team=world.team, by=world.owner
    )
    assert len(created) == 3
    for objective in created:
        assert (objective.cycle, objective.owner, objective.team) == (
            world.cycle,
            world.owner,
            world.team,
        )
    by_title = objectives_by_title(created)
    assert by_title[DELIVERY].kind == "committed"
    delivery = key_results_of(by_title[DELIVERY])
    assert list(delivery) == [
        "Project-management tool adoption",
        "Average delivery time (days)",
        "Client satisfaction",
    ]
    time = delivery["Average delivery time (days)"]
    assert (time.type, time.start, time.target, time.unit) == (
        "metric",
        Decimal(40),
        Decimal(34),
        "days",
    )
    assert time.current == Decimal(40) and time.owner == world.owner
    leadership = key_results_of(by_title[LEADERSHIP])
    sessions = leadership["Monthly feedback sessions held"]
    assert sessions.type == "milestones"
    milestones = Milestone.objects.filter(key_result=sessions).order_by("position")
    assert [(m.title, m.done) for m in milestones] == [
        ("Month 1 feedback session", False),
        ("Month 2 feedback session", False),
        ("Month 3 feedback session", False),
    ]
    budget = key_results_of(by_title["Keep projects on budget and on schedule"])
    variance = budget["Budget variance across active projects"]
    assert (variance.type, variance.threshold) == ("stay_below", Decimal(10))


@pytest.mark.parametrize(
    ("who", "owner", "team", "field"),
    [
        ("admin", "stranger", None, "owner"),  # another organization's person
        ("teammate", "owner", "team", "owner"),  # a member, for someone else
        ("outsider", "outsider", "team", "team"),  # a team they are not in
        ("stranger", "stranger", None, "cycle"),  # another organization's cycle
    ],
)
def test_apply_refuses_what_the_web_refuses_and_writes_nothing(
    world: World, who: str, owner: str, team: str | None, field: str
) -> None:
    before = database_state()
    with pytest.raises(DomainError) as refused:
        role_templates.apply(
            "sales",
            cycle=world.cycle,
            owner=getattr(world, owner),
            team=getattr(world, team) if team else None,
            by=getattr(world, who),
        )
    assert list(dict(refused.value.problems)) == [field]
    assert database_state() == before


def test_apply_into_a_closed_cycle_writes_nothing(world: World) -> None:
    closed = make_cycle(world.org, "2026-q1", date(2026, 1, 1), date(2026, 3, 31), state="closed")
    before = database_state()
    with pytest.raises(DomainError, match="closed"):
        role_templates.apply("engineering", cycle=closed, owner=world.admin, by=world.admin)
    assert database_state() == before


def test_a_failure_in_a_later_objective_undoes_the_earlier_ones(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project manager's second objective has milestones: refusing them must take the
    first objective, created by then, back out too."""

    def refuse(**_: Any) -> None:
        raise DomainError("no milestones today", "title")

    monkeypatch.setattr(role_templates.services, "milestone_create", refuse)
    before = database_state()
    refused = r"objective 2 \(Develop leadership and team management skills\), title: no milestones"
    with pytest.raises(DomainError, match=refused):
        role_templates.apply("project-manager", cycle=world.cycle, owner=world.admin, by=None)
    assert database_state() == before


def test_an_unknown_template_is_named(world: World) -> None:
    with pytest.raises(role_templates.UnknownTemplate, match="no template named 'nope'"):
        role_templates.apply("nope", cycle=world.cycle, owner=world.admin, by=world.admin)


# --- The command line ----------------------------------------------------------------------


def test_templates_list_prints_each_template_with_its_size(db: Any) -> None:
    lines = run_command("templates", "list").splitlines()
    assert len(lines) == len(BUILT_IN)
    pm = next(line for line in lines if line.startswith("project-manager"))
    assert re.search(r"Project manager\s+3 objectives, 9 key results$", pm)


def test_templates_apply_prints_what_it_created(world: World) -> None:
    out = run_command(
        "templates",
        "apply",
        "project-manager",
        "--cycle",
        world.cycle.ref,
        "--owner",
        world.owner.email,
        "--team",
        world.team.ref,
        "--by",
        world.owner.email,
        *ACME,
    )
    created = Objective.objects.filter(title=DELIVERY).get()
    assert f"{created.ref}: {DELIVERY}" in out.splitlines()
    assert "Average delivery time (days)" in out
    assert (created.owner, created.team) == (world.owner, world.team)


SALES = ["sales", "--cycle", "2026-q2", "--owner", "owner@acme.test"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["nope", "--cycle", "2026-q2", "--owner", "owner@acme.test"], 2, "NAME: no template"),
        (["sales", "--cycle", "nope", "--owner", "owner@acme.test"], 2, "--cycle: no cycle"),
        (["sales", "--cycle", "2026-q2", "--owner", "who@acme.test"], 2, "--owner: no person"),
        ([*SALES, "--team", "nope"], 2, "--team: no team with ref 'nope'"),
        ([*SALES, "--by", "x@acme.test"], 2, "--by: no person"),
        (
            [*SALES, "--by", "outsider@acme.test"],
            1,
            "only an admin creates objectives for someone else; nothing was created",
        ),
        (["sales", "--owner", "owner@acme.test"], 2, "arguments are required: --cycle"),
    ],
)
def test_templates_apply_bad_input_exits_non_zero_and_writes_nothing(
    world: World, capsys: Any, args: list[str], code: int, message: str
) -> None:
    before = database_state()
    exit_code, _, err = run(capsys, "apply", *args, *ACME)
    assert exit_code == code
    assert message in err
    assert "Traceback" not in err
    assert database_state() == before


def test_templates_apply_into_a_closed_cycle_exits_1_and_writes_nothing(
    world: World, capsys: Any
) -> None:
    make_cycle(world.org, "2026-q1", date(2026, 1, 1), date(2026, 3, 31), state="closed")
    before = database_state()
    args = ["hr", "--cycle", "2026-q1", "--owner", "admin@acme.test", *ACME]
    code, out, err = run(capsys, "apply", *args)
    assert (code, out) == (1, "")
    assert "objective 1 (Bring great people on board quickly and fairly)" in err
    assert "nothing was created" in err
    assert database_state() == before


def test_templates_apply_needs_the_organization_when_there_are_several(
    world: World, capsys: Any
) -> None:
    code, _, err = run(capsys, "apply", "sales", "--cycle", "2026-q2", "--owner", "a@acme.test")
    assert code == 2 and "--organization NAME" in err


# --- An organization's own templates -------------------------------------------------------


def test_an_organizations_templates_come_after_the_built_in_ones_and_replace_theirs(
    own_templates: Path,
) -> None:
    templates = role_templates.available()
    assert [t.name for t in templates] == [*BUILT_IN, "field-service"]
    by_name = {t.name: t for t in templates}
    assert by_name["project-manager"].title == "Our PMs"
    assert by_name["project-manager"].path == own_templates / "project-manager.yaml"
    field_service = by_name["field-service"]
    assert (field_service.objective_count, field_service.key_result_count) == (1, 2)
    assert re.search(
        r"^field-service +Field <b>service</b> +1 objective, 2 key results$",
        run_command("templates", "list"),
        re.M,
    )


def test_an_invalid_template_is_named_with_its_file_and_line(own_templates: Path) -> None:
    misspelt = OWN_TEMPLATE.replace("type: metric, start: 70", "type: metrc, start: 70")
    path = write_file(own_templates, misspelt, "broken.yaml")
    with pytest.raises(role_templates.InvalidTemplate) as refused:
        role_templates.load("broken")
    line = line_number(misspelt, "metrc")
    assert f"{path}:{line}: objectives[0].key_results[0].type: Input should be" in str(
        refused.value
    )

    unmovable = OWN_TEMPLATE.replace("start: 40, target: 20", "start: 40, target: 40")
    write_file(own_templates, unmovable, "broken.yaml")
    with pytest.raises(role_templates.InvalidTemplate) as refused:
        role_templates.load("broken")
    line = line_number(unmovable, "repeat-visits")
    assert (
        f"{path}:{line}: objectives[0].key_results[1].target: must differ from start (40)"
        in str(refused.value)
    )


def test_templates_list_names_an_invalid_file(own_templates: Path, capsys: Any) -> None:
    write_file(own_templates, "organization: [\n", "broken.yaml")
    code, _, err = run(capsys, "list")
    assert code == 1 and "broken.yaml:" in err and "not valid YAML" in err


def test_a_template_dir_that_is_not_a_folder_keeps_the_built_in_ones(
    settings: Any, tmp_path: Path
) -> None:
    settings.PACER_TEMPLATE_DIR = str(tmp_path / "missing")
    assert [t.name for t in role_templates.available()] == list(BUILT_IN)


# --- The web -------------------------------------------------------------------------------


def test_the_new_objective_page_links_to_the_templates_only_when_creating(world: World) -> None:
    client = client_for(world.owner)
    page = client.get(reverse("objective_new") + "?team=platform").content.decode()
    assert f'href="{reverse("okr_templates")}?team=platform">Start from a template</a>' in page
    edit = client.get(reverse("objective_edit", args=[world.public.ref])).content.decode()
    assert "Start from a template" not in edit


def test_the_templates_page_lists_every_template_with_its_key_results(world: World) -> None:
    response = client_for(world.owner).get(reverse("okr_templates") + "?team=platform&x=1")
    page = response.content.decode()
    assert response.status_code == 200
    for template in role_templates.available():
        assert template.title in page
    assert DELIVERY in page
    assert "Average delivery time (days)" in page
    assert "40 → 34 days (-15 %)" in page
    assert "Month 1 feedback session, Month 2 feedback session" in page
    assert "Stay Below: 10 %" in page
    assert "0 → 90 %</span>" in page  # no relative change of a percentage
    use = reverse("objective_new") + "?team=platform&amp;template=project-manager&amp;objective=1"
    assert f'href="{use}"' in page


def test_the_templates_page_needs_a_sign_in(db: Any) -> None:
    response = Client().get(reverse("okr_templates"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_templates_page_escapes_an_organizations_template(
    world: World, own_templates: Path
) -> None:
    page = client_for(world.owner).get(reverse("okr_templates")).content.decode()
    assert "<script>alert(1)</script>" not in page and "<b>service</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_use_this_objective_fills_in_the_new_objective_form(world: World) -> None:
    url = reverse("objective_new") + "?template=project-manager&objective=1"
    response = client_for(world.owner).get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{DELIVERY}"' in page
    assert re.search(r'<option value="committed" selected>', page)
    assert 'value="Project-management tool adoption"' in page
    assert 'value="Average delivery time (days)"' in page
    assert 'name="key_results-1-start" value="40"' in page
    assert 'name="key_results-1-target" value="34"' in page
    assert 'name="key_results-TOTAL_FORMS" value="3"' in page
    assert "Filled in from a template" in page


def test_saving_a_filled_in_form_creates_the_objective_with_its_milestones(
    world: World,
) -> None:
    client = client_for(world.owner)
    url = reverse("objective_new") + "?template=project-manager&objective=2"
    page = client.get(url).content.decode()
    data = form_data(page)
    data["team"] = [str(world.team.pk)]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    objective = Objective.objects.get(title=LEADERSHIP)
    assert (objective.owner, objective.team, objective.kind) == (
        world.owner,
        world.team,
        "aspirational",
    )
    key_results = key_results_of(objective)
    assert list(key_results) == [
        "Leadership programmes completed",
        "Monthly feedback sessions held",
        "Team engagement score",
    ]
    sessions = key_results["Monthly feedback sessions held"]
    assert sessions.milestones.count() == 3
    engagement = key_results["Team engagement score"]
    assert (engagement.start, engagement.target, engagement.owner) == (
        Decimal(60),
        Decimal(72),
        world.owner,
    )


@pytest.mark.parametrize(
    "query",
    ["template=nope&objective=1", "template=sales&objective=9", "template=sales&objective=x"],
)
def test_an_unknown_template_or_objective_opens_the_plain_form(world: World, query: str) -> None:
    response = client_for(world.owner).get(reverse("objective_new") + f"?{query}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "No such template objective: start from a blank form." in page
    assert 'name="key_results-TOTAL_FORMS" value="1"' in page
    assert 'name="title" value=' not in page


class FormReader(HTMLParser):
    """The values of a page's inputs, selected options and text areas, as a browser sends
    them (no submit buttons, no unchecked boxes)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.select = ""
        self.textarea = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "input" and values.get("type") not in ("submit", "checkbox"):
            self.data.setdefault(values.get("name", ""), []).append(values.get("value", ""))
        elif tag == "select":
            self.select = values.get("name", "")
            self.data.setdefault(self.select, [])
        elif tag == "option" and self.select and "selected" in values:
            self.data[self.select].append(values.get("value", ""))
        elif tag == "textarea":
            self.textarea = values.get("name", "")
            self.data[self.textarea] = [""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = ""
        elif tag == "textarea":
            self.textarea = ""

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.data[self.textarea][0] += data.strip("\n")


def form_data(page: str) -> dict[str, list[str]]:
    reader = FormReader()
    reader.feed(page)
    return {name: values for name, values in reader.data.items() if name}
