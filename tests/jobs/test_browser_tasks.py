"""The Background tasks page in a real browser, reached by clicking from `/`: a failed task
shows its error and runs again."""

from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import Page, expect

from tests.factories import World
from tests.jobs.test_tasks_page import failed
from tests.web.test_browser_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_clicks_to_background_tasks_and_runs_a_failure_again(
    page: Page, live_server: Any, world: World
) -> None:
    old = failed()
    world.admin.set_password("pw")
    world.admin.save()
    sign_in(page, live_server, world.admin, then="/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Background tasks").click()
    expect(page.get_by_role("heading", name="Background tasks")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("No worker seems to be running")
    page.get_by_role("link", name="Failed (1)").click()
    row = page.locator(f"#task-{old.id}")
    expect(row).to_contain_text("ValueError")
    row.get_by_text("Traceback (last lines)").click()
    expect(row.locator("pre")).to_contain_text("<script>alert('x')</script> & more")
    row.get_by_role("button", name="Run again").click()
    expect(page.get_by_text("Queued prune_tasks again.")).to_be_visible()
    assert DBTaskResult.objects.filter(status="READY", task_path=old.task_path).count() == 1
