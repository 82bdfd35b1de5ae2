"""Every page passes an automated WCAG 2.1 AA check: axe-core (vendored in
tests/web/vendor/axe-core, never served by the app) runs in Chromium on each page, as the
person who would see it, with the rules tagged wcag2a, wcag2aa, wcag21a and wcag21aa. No
violation of impact "serious" or "critical" may remain; the failure lists the page, the rule,
its impact and the elements.

axe goes in through `page.evaluate` (the DevTools protocol), which the page's strict
Content Security Policy does not govern; a <script> tag (`add_script_tag`) would be refused.

The pages are visited by URL (this is a check of each page, not of the way there: the
clicking tests cover that), with one page per signed-in person, light theme first, then a
second pass of a few pages in the dark theme (`prefers-color-scheme: dark`).

The shared world (tests.factories): Acme's admin, owner (leads platform) and teammate;
2026-Q2 (active) holds "Deliver faster" with the metric "adoption". Added here: a milestones
key result, a closed 2026-Q1 with a scored objective, an empty planning 2026-Q3, a cycle
running today (so the weekly check-in has rows awaiting the owner).

Two checks axe does not make run along: form fields' edges contrast 3:1 (WCAG 1.4.11), and
every page reflows at 320 px without scrolling sideways (WCAG 1.4.10).
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Page, expect

from pacer.accounts.models import User
from pacer.insights.snapshots import write_snapshots
from pacer.kpis import services as kpi_services
from pacer.kpis.models import KPI
from pacer.kpis.services import KPISpec
from pacer.okrs import services
from tests.factories import World, check_in, make_cycle, make_key_result, make_milestones
from tests.factories import make_objective as make_objective_in
from tests.web.test_browser_flows import sign_in
from tests.web.test_browser_keyboard import contrast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations", "incomplete"],
  });
  const summary = (kind) => (v) => ({
    kind, id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
  });
  return [...result.violations.map(summary("violation")),
          ...result.incomplete.map(summary("incomplete"))];
}"""
# axe leaves these for review ("incomplete"), but in a server-rendered page they are plain
# faults: an aria-describedby naming an id that is not on the page; an aria-label on an
# element that may not take one (a <span> with no role), which screen readers skip.
FAULTS_LEFT_FOR_REVIEW = {"aria-valid-attr-value", "aria-prohibited-attr"}


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's violations and results left for review on the page as it stands (axe is
    injected once per document)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE)
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE, TAGS)
    return found


def check(page: Page, label: str, found: list[str]) -> None:
    """Record the serious and critical violations of the page now shown under `label`."""
    page.wait_for_load_state("load")
    for v in violations(page):
        if v["impact"] in BLOCKING and (
            v["kind"] == "violation" or v["id"] in FAULTS_LEFT_FOR_REVIEW
        ):
            targets = ", ".join(v["targets"][:5]) + (" …" if len(v["targets"]) > 5 else "")
            rule = f"{v['id']} ({v['impact']}, {v['kind']})"
            found.append(f"{label} [{page.url}]: {rule}: {v['help']} at {targets}")


FIELD_EDGES = """() => [...document.querySelectorAll(
    "main :is(input:not([type=hidden]), select, textarea)")]
  .filter((el) => el.offsetParent !== null).map((el) => {
    let around = el.parentElement;
    while (around && getComputedStyle(around).backgroundColor === "rgba(0, 0, 0, 0)") {
      around = around.parentElement;
    }
    return {field: el.name, edge: getComputedStyle(el).borderTopColor,
            around: around ? getComputedStyle(around).backgroundColor : "rgb(255, 255, 255)"};
  })"""


def faint_field_edges(page: Page, label: str) -> list[str]:
    """Form fields whose border contrasts less than 3:1 with what surrounds them (WCAG
    1.4.11: a field is found by its edge; axe does not check this)."""
    return [
        f"{label}: the edge of {f['field']} is {contrast(f['edge'], f['around']):.1f}:1 ({f})"
        for f in page.evaluate(FIELD_EDGES)
        if contrast(f["edge"], f["around"]) < 3
    ]


def too_wide_at_320_px(page: Page, label: str) -> list[str]:
    """WCAG 1.4.10 (reflow): at 320 px wide (1280 px at 400 % zoom) the page does not scroll
    sideways; a wide table scrolls inside its own box (.table-wrap), as data tables may."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    width = int(page.evaluate("document.documentElement.scrollWidth"))
    if size:
        page.set_viewport_size(size)
    return [f"{label} [{page.url}]: {width} px wide at 320 px"] if width > 320 else []


def visit(page: Page, live_server: Any, url: str, label: str, found: list[str]) -> None:
    page.goto(f"{live_server.url}{url}")
    check(page, label, found)


def report(found: list[str]) -> str:
    return f"{len(found)} serious or critical WCAG violation(s):\n" + "\n".join(found)


def with_password(person: User) -> User:
    person.set_password("pw")
    person.save()
    return person


@pytest.fixture
def scene(world: World) -> World:
    """The shared world plus a milestones key result, a closed quarter and an empty one."""
    launch = make_key_result(world.public, "launch", type="milestones", title="Launch")
    make_milestones(launch, ("Beta", 1, True), ("GA", 2, False))
    q1 = make_cycle(world.org, "2026-q1", date(2026, 1, 1), date(2026, 3, 31))
    earlier = make_objective_in(
        q1, "foundations", world.owner, team=world.team, title="Lay foundations"
    )
    done = make_key_result(earlier, "uptime", target=10, title="Uptime")
    check_in(done, 7, date(2026, 3, 20), confidence="on_track", note="nearly")
    services.cycle_close(cycle=q1)
    make_cycle(world.org, "2026-q3", date(2026, 7, 1), date(2026, 9, 30), state="planning")
    # A cycle running today, so that the weekly check-in has rows awaiting the owner.
    today = date.today()
    now = make_cycle(world.org, "running", today - timedelta(days=30), today + timedelta(days=60))
    current = make_objective_in(now, "current", world.owner, team=world.team, title="Run now")
    make_key_result(current, "signups", target=50, title="Signups")
    write_snapshots()  # the running cycle's dashboard draws its week-by-week charts
    with_password(world.admin)
    with_password(world.owner)
    return world


def admin_pages(world: World) -> list[tuple[str, str]]:
    from tests.web.test_browser_work import sample_initiative  # the work pages show one

    delivery, q2 = world.public.ref, world.cycle.ref
    work = sample_initiative(world)
    task = work.tasks.get()
    kpi = sample_kpi(world)
    return [
        ("my focus", "/"),
        ("cycle list", reverse("cycle_list")),
        ("cycle overview (active)", reverse("cycle_overview", args=[q2])),
        ("cycle overview (closed)", reverse("cycle_overview", args=["2026-q1"])),
        ("cycle overview (planning)", reverse("cycle_overview", args=["2026-q3"])),
        ("alignment map", reverse("alignment_map", args=[q2])),
        ("missing check-ins", reverse("missing_checkins", args=[q2])),
        ("objective (live cycle)", reverse("objective_detail", args=[delivery])),
        ("objective (closed cycle)", reverse("objective_detail", args=["foundations"])),
        ("new objective", reverse("objective_new")),
        ("edit objective", reverse("objective_edit", args=[delivery])),
        ("copy objective", reverse("objective_copy", args=[delivery])),
        ("edit metric key result", reverse("key_result_edit", args=[delivery, "adoption"])),
        ("edit milestones key result", reverse("key_result_edit", args=[delivery, "launch"])),
        ("delete key result", reverse("key_result_delete", args=[delivery, "adoption"])),
        ("weekly check-in", reverse("checkin_week")),
        ("team list", reverse("team_list")),
        ("team detail", reverse("team_detail", args=[world.team.ref])),
        ("new team", reverse("team_new")),
        ("edit team", reverse("team_edit", args=[world.team.ref])),
        ("people", reverse("people")),
        ("invite a person", reverse("person_invite")),
        ("edit a person", reverse("person_edit", args=[world.teammate.pk])),
        ("new cycle", reverse("cycle_new")),
        ("edit cycle", reverse("cycle_edit", args=[q2])),
        ("plan next cycle", reverse("cycle_plan_next", args=[q2])),
        ("close cycle", reverse("cycle_close", args=[q2])),
        ("close page of a closed cycle", reverse("cycle_close", args=["2026-q1"])),
        ("delete cycle", reverse("cycle_delete", args=["2026-q3"])),
        ("API tokens", reverse("api_tokens")),
        ("search results", reverse("search") + "?q=Deliver"),
        ("search with no result", reverse("search") + "?q=zzzz"),
        ("work list", reverse("cycle_work", args=[q2])),
        ("work board", reverse("cycle_work", args=[q2]) + "?view=board"),
        ("work timeline", reverse("cycle_work_timeline", args=[q2])),
        ("initiative", reverse("initiative_detail", args=[work.ref])),
        ("new initiative", reverse("cycle_initiative_new", args=[q2])),
        ("edit initiative", reverse("initiative_edit", args=[work.ref])),
        ("delete initiative", reverse("initiative_delete", args=[work.ref])),
        ("edit task", reverse("initiative_task_edit", args=[work.ref, task.pk])),
        ("delete task", reverse("initiative_task_delete", args=[work.ref, task.pk])),
        ("organization dashboard", reverse("dashboard_organization", args=[q2])),
        ("dashboard with trends", reverse("dashboard_organization", args=["running"])),
        ("team dashboard", reverse("dashboard_team", args=[q2, world.team.ref])),
        ("person dashboard", reverse("dashboard_person", args=[q2, world.owner.pk])),
        ("dashboard list", reverse("dashboard_list", args=[q2, "objectives"])),
        ("quarterly review (closed)", reverse("cycle_review", args=["2026-q1"])),
        ("person calibration", reverse("person_calibration", args=[world.owner.pk])),
        ("team calibration", reverse("team_calibration", args=[world.team.ref])),
        ("KPI list", reverse("kpi_list")),
        ("KPI", reverse("kpi_detail", args=[kpi.ref])),
        ("new KPI", reverse("kpi_new")),
        ("edit KPI", reverse("kpi_edit", args=[kpi.ref])),
        ("KPI data source", reverse("kpi_source", args=[kpi.ref])),
        ("OKR templates", reverse("okr_templates")),
        (
            "new objective from a template",
            reverse("objective_new") + "?template=project-manager&objective=1",
        ),
        ("lint rules", reverse("lint_rule_settings")),
        ("404 page", "/objectives/no-such-objective/"),
        ("API docs", "/api/v1/docs"),
    ]


def sample_kpi(world: World) -> KPI:
    """A KPI with a short history, so its page draws the chart and the healthy band."""
    spec = KPISpec(
        name="Uptime", owner=world.owner, kind="stay_above", unit="%", threshold=Decimal(99)
    )
    kpi = kpi_services.kpi_create(organization=world.org, spec=spec)
    for day, value in ((1, 99.5), (8, 98.7), (15, 99.9)):
        moment = datetime.combine(date(2026, 5, day), time(9), tzinfo=UTC)
        kpi_services.kpi_value_add(kpi=kpi, value=Decimal(str(value)), at=moment)
    return kpi


def submit_without_browser_checks(page: Page, button: str) -> None:
    """Send the form as it is (required fields empty), to see the server's error summary."""
    page.evaluate("document.querySelectorAll('form').forEach((f) => { f.noValidate = true; })")
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state("load")


def test_signed_out_pages_have_no_serious_wcag_violation(
    page: Page, live_server: Any, scene: World
) -> None:
    found: list[str] = []
    visit(page, live_server, reverse("login"), "sign in", found)
    page.fill("input[name=username]", scene.owner.email)
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    check(page, "sign in with an error", found)
    visit(page, live_server, reverse("password_reset"), "password reset", found)
    visit(page, live_server, reverse("password_reset_done"), "password reset sent", found)
    uid = urlsafe_base64_encode(force_bytes(scene.teammate.pk))
    token = default_token_generator.make_token(scene.teammate)
    reset = reverse("password_reset_confirm", args=[uid, token])
    visit(page, live_server, reset, "choose a new password", found)
    visit(page, live_server, reverse("password_reset_complete"), "password reset done", found)
    # Pages shown when something is wrong, rendered as their views would and written into
    # a page of the app (same origin, same CSP, same stylesheet).
    for template in ("500.html", "503.html", "registration/locked_out.html"):
        page.set_content(render_to_string(template))
        check(page, template, found)
    assert found == [], report(found)


def test_every_admin_page_has_no_serious_wcag_violation(
    page: Page, live_server: Any, scene: World
) -> None:
    found: list[str] = []
    sign_in(page, live_server, scene.admin, then="/")
    for label, url in admin_pages(scene):
        visit(page, live_server, url, label, found)
        if url != "/api/v1/docs":  # Swagger UI's own layout
            found += too_wide_at_320_px(page, label)

    page.goto(f"{live_server.url}{reverse('objective_new')}")
    submit_without_browser_checks(page, "Create objective")
    check(page, "new objective with errors", found)
    page.goto(f"{live_server.url}{reverse('cycle_new')}")
    page.get_by_label("Name").fill("")
    submit_without_browser_checks(page, "Create cycle")
    check(page, "new cycle with errors", found)
    assert found == [], report(found)


def test_member_pages_have_no_serious_wcag_violation(
    page: Page, live_server: Any, scene: World
) -> None:
    found: list[str] = []
    sign_in(page, live_server, scene.owner, then="/")
    visit(page, live_server, "/", "my focus (owner)", found)
    visit(page, live_server, reverse("checkin_week"), "weekly check-in (owner)", found)
    page.get_by_label("Value for Signups").fill("1000000000")  # awaiting me, shown first
    page.get_by_role("button", name="Save all check-ins").click()
    expect(page.locator(".confirm-far")).to_be_visible()
    check(page, "weekly check-in asking to confirm a far value", found)
    objective = reverse("objective_detail", args=[scene.public.ref])
    visit(page, live_server, objective, "objective (owner)", found)
    row = page.locator(f"#kr-{scene.adoption.pk}")
    row.get_by_label("Value").fill("-5000")
    row.get_by_role("button", name="Check in").click()
    expect(row.locator(".confirm-far")).to_be_visible()  # the row comes back through htmx
    check(page, "objective with a check-in answer in place", found)
    visit(page, live_server, reverse("objective_new"), "new objective (owner)", found)
    found += faint_field_edges(page, "new objective (owner)")
    visit(page, live_server, reverse("cycle_new"), "403 page", found)
    assert found == [], report(found)


def test_dark_theme_pages_have_no_serious_wcag_violation(
    page: Page, live_server: Any, scene: World
) -> None:
    page.emulate_media(color_scheme="dark")
    found: list[str] = []
    visit(page, live_server, reverse("login"), "sign in (dark)", found)
    sign_in(page, live_server, scene.owner, then="/")
    for label, url in [
        ("my focus (dark)", "/"),
        ("weekly check-in (dark)", reverse("checkin_week")),
        ("objective (dark)", reverse("objective_detail", args=[scene.public.ref])),
        ("objective, closed cycle (dark)", reverse("objective_detail", args=["foundations"])),
        ("cycle overview (dark)", reverse("cycle_overview", args=[scene.cycle.ref])),
        ("alignment map (dark)", reverse("alignment_map", args=[scene.cycle.ref])),
        ("people (dark)", reverse("people")),
        ("404 page (dark)", "/objectives/no-such-objective/"),
    ]:
        visit(page, live_server, url, label, found)
    found += faint_field_edges(page, "people (dark)")
    visit(page, live_server, reverse("objective_new"), "new objective (dark)", found)
    found += faint_field_edges(page, "new objective (dark)")
    assert found == [], report(found)
