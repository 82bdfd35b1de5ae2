"""The admins' Background tasks page (/settings/tasks/) and Run again."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from pacer.accounts.models import User
from pacer.jobs import overview, services
from pacer.jobs.models import ScheduleRun
from pacer.okrs.models import Organization
from tests.factories import World

pytestmark = pytest.mark.django_db


PAGE = "/settings/tasks/"
PRUNE = "pacer.jobs.recovery.prune_tasks"
HOSTILE_TRACEBACK = (
    "Traceback (most recent call last):\n"
    + "".join(f'  File "x.py", line {n}, in f\n' for n in range(40))
    + "ValueError: <script>alert('x')</script> & more"
)


def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def result(status: str = "READY", **fields: Any) -> DBTaskResult:
    now = timezone.now()
    values: dict[str, Any] = {
        "task_path": PRUNE,
        "args_kwargs": {"args": [], "kwargs": {}},
        "backend_name": "default",
        "run_after": get_date_max(),
        "exception_class_path": "",
        "traceback": "",
        "status": status,
    }
    if status in ("FAILED", "SUCCESSFUL"):
        values.update(started_at=now, finished_at=now, worker_ids=["host:1"])
    if status == "RUNNING":
        values.update(started_at=now, worker_ids=["host:42"])
    values.update(fields)
    return DBTaskResult.objects.create(**values)


def failed(**fields: Any) -> DBTaskResult:
    values = {"exception_class_path": "builtins.ValueError", "traceback": HOSTILE_TRACEBACK}
    return result("FAILED", **{**values, **fields})


def test_only_admins_see_the_page(world: World) -> None:
    assert client_for(world.admin).get(PAGE).status_code == 200
    assert client_for(world.owner).get(PAGE).status_code == 403
    assert Client().get(PAGE).status_code == 302  # to the sign-in page


def test_with_several_organizations_only_superusers_see_the_tasks(world: World) -> None:
    """Tasks and their errors may concern any organization: with two, an organization's
    admin is not the installation's operator."""
    Organization.objects.create(name="Globex")
    assert client_for(world.admin).get(PAGE).status_code == 403
    assert "/settings/tasks/" not in client_for(world.admin).get("/settings/").content.decode()
    world.owner.is_superuser = True
    world.owner.save()
    assert client_for(world.owner).get(PAGE).status_code == 200


def test_the_page_counts_and_lists_each_state(world: World) -> None:
    result()
    result(run_after=timezone.now() + timedelta(hours=1))
    result("RUNNING")
    failed()
    result("SUCCESSFUL")
    html = client_for(world.admin).get(PAGE).content.decode()
    for label in ("All (5)", "Queued (1)", "Scheduled (1)", "Running (1)", "Failed (1)"):
        assert label in html
    assert "Finished (1)" in html
    assert "since " in html and "host:42" in html  # the running one: since when, and where
    running = client_for(world.admin).get(PAGE, {"state": "running"}).content.decode()
    assert running.count('id="task-') == 1


def test_a_failure_shows_its_class_and_escaped_traceback_end(world: World) -> None:
    failed()
    html = client_for(world.admin).get(PAGE, {"state": "failed"}).content.decode()
    assert "ValueError" in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in html
    assert "<script>alert" not in html
    assert "line 39" in html and "line 5," not in html  # only the last lines


def test_the_page_runs_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = client_for(world.admin)
    client.get(PAGE)  # the session, once
    for _ in range(60):
        failed()
        result("RUNNING")
    with django_assert_max_num_queries(8):
        response = client.get(PAGE)
    assert response.content.decode().count('id="task-') == overview.PAGE_SIZE
    assert "Page 1 of 3" in response.content.decode()


def test_no_worker_is_said_plainly(world: World) -> None:
    result(enqueued_at=timezone.now() - timedelta(minutes=5))
    html = client_for(world.admin).get(PAGE).content.decode()
    assert "No worker seems to be running: start <code>pacer worker</code>" in html


def test_a_ticking_worker_is_not_reported_absent(world: World) -> None:
    now = timezone.now()
    ScheduleRun.objects.create(name="recover-tasks", last_run_at=now)
    result("RUNNING")
    assert not overview.worker_absent(now)
    stale = result()
    DBTaskResult.objects.filter(pk=stale.pk).update(enqueued_at=now - timedelta(minutes=5))
    DBTaskResult.objects.filter(status="RUNNING").delete()
    assert overview.worker_absent(now)  # work waits and nothing runs


def test_run_again_enqueues_the_same_task_and_arguments(world: World) -> None:
    old = failed(args_kwargs={"args": [], "kwargs": {}})
    response = client_for(world.admin).post(f"{PAGE}{old.id}/run-again/", follow=True)
    assert "Queued prune_tasks again." in response.content.decode()
    again = DBTaskResult.objects.exclude(pk=old.pk).get()
    assert (again.task_path, again.status, again.args_kwargs) == (
        PRUNE,
        "READY",
        {"args": [], "kwargs": {}},
    )
    assert DBTaskResult.objects.get(pk=old.pk).status == "FAILED"  # its error stays shown


def test_run_again_is_for_admins_and_failed_tasks_only(world: World) -> None:
    old = failed()
    assert client_for(world.owner).post(f"{PAGE}{old.id}/run-again/").status_code == 403
    assert client_for(world.admin).get(f"{PAGE}{old.id}/run-again/").status_code == 405
    done = result("SUCCESSFUL")
    with pytest.raises(services.CannotRunAgain, match="this one is successful"):
        services.run_again(str(done.id))
    gone = failed(task_path="pacer.nowhere.gone")
    response = client_for(world.admin).post(f"{PAGE}{gone.id}/run-again/", follow=True)
    assert "pacer.nowhere.gone is no longer a task" in response.content.decode()
    assert DBTaskResult.objects.count() == 3  # nothing queued


def test_a_traceback_never_shows_a_webhook_url_or_token_in_full(world: World) -> None:
    hook = "https://hooks.slack.com/services/T000/B000/abcdefghijklmnopqrstuvwxsecret"
    failed(traceback=f"outbound.Failed: {hook} answered 500\nAuthorization: Bearer abc.def")
    html = client_for(world.admin).get(PAGE, {"state": "failed"}).content.decode()
    assert "abcdefghijklmnopqrstuvwx" not in html and "abc.def" not in html
    assert "https://hooks.slack.com/…cret answered 500" in html
