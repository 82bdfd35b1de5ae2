"""The data source page of a key result: reached from the key result's edit page, Preview
shows the value (or the error on its field) and writes nothing, Save, Run now and Remove;
the sync log; who may see it; the objective page's "from …" line; constant query counts."""

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacer.accounts.models import User
from pacer.datasources import services
from pacer.datasources.models import DataSource, SourceRun
from pacer.okrs.models import CheckIn
from tests.factories import World, make_key_result

pytestmark = pytest.mark.django_db


def signed_in(client: Client, person: User) -> Client:
    client.force_login(person)
    return client


def page(world: World, kr_ref: str = "adoption") -> str:
    return reverse("key_result_source", args=[world.public.ref, kr_ref])


def form(url: str, action: str, **fields: Any) -> dict[str, Any]:
    return {
        "kind": "http_json",
        "url": url,
        "jsonpath": "$.value",
        "headers": "",
        "database": "",
        "query": "",
        "count": "",
        "interval_minutes": "60",
        "action": action,
        **fields,
    }


def test_the_edit_page_links_to_the_source_page_for_metrics_only(
    client: Client, world: World
) -> None:
    c = signed_in(client, world.owner)
    edit = reverse("key_result_edit", args=[world.public.ref, "adoption"])
    assert page(world) in c.get(edit).content.decode()
    make_key_result(world.public, "shipped", type="boolean", title="Shipped")
    edit = reverse("key_result_edit", args=[world.public.ref, "shipped"])
    assert page(world, "shipped") not in c.get(edit).content.decode()


def test_preview_shows_the_value_and_writes_nothing_then_save_run_and_remove(
    client: Client, world: World, http_receiver: Any
) -> None:
    http_receiver.documents["/metric"] = (200, json.dumps({"value": 64}).encode())
    url = f"{http_receiver.url}/metric"
    c = signed_in(client, world.teammate)
    preview = c.post(page(world), form(url, "preview"))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Preview: <strong>64</strong>" in html and "$.value = 64" in html
    assert not DataSource.objects.exists()
    assert c.post(page(world), form(url, "save")).status_code == 302
    source = DataSource.objects.get()
    assert source.created_by == world.teammate and source.kind == "http_json"
    assert (
        c.post(reverse("key_result_source_run", args=[world.public.ref, "adoption"])).status_code
        == 302
    )
    html = c.get(page(world)).content.decode()
    assert "Sync log" in html and "check-in written" in html and "Check-in of" in html
    assert CheckIn.objects.filter(note__startswith="From GET").count() == 1
    objective = c.get(reverse("objective_detail", args=[world.public.ref])).content.decode()
    assert "from HTTP JSON · last synced" in objective
    remove = reverse("key_result_source_remove", args=[world.public.ref, "adoption"])
    assert c.post(remove).status_code == 302
    assert not DataSource.objects.exists() and not SourceRun.objects.exists()
    assert CheckIn.objects.filter(note__startswith="From GET").count() == 1


def test_a_failed_preview_names_the_field_and_writes_nothing(
    client: Client, world: World, http_receiver: Any
) -> None:
    http_receiver.documents["/metric"] = (200, b'{"other": 1}')
    c = signed_in(client, world.owner)
    answer = c.post(page(world), form(f"{http_receiver.url}/metric", "preview"))
    assert answer.status_code == 422
    assert 'href="#id_jsonpath"' in answer.content.decode()
    private = c.post(page(world), form("http://10.0.0.8/metric", "save"))
    assert private.status_code == 422 and 'href="#id_url"' in private.content.decode()
    assert not DataSource.objects.exists()


def test_sql_sources_choose_among_the_configured_databases(
    client: Client, world: World, metrics_db: Any
) -> None:
    c = signed_in(client, world.owner)
    assert '<option value="warehouse">warehouse</option>' in c.get(page(world)).content.decode()
    fields = {"kind": "sql", "database": "warehouse"}
    refused = c.post(page(world), form("", "save", query="DELETE FROM signups", **fields))
    assert refused.status_code == 422 and 'href="#id_query"' in refused.content.decode()
    query = "SELECT count(*) FROM signups"
    assert c.post(page(world), form("", "save", query=query, **fields)).status_code == 302
    assert DataSource.objects.get().query == query


def test_the_url_and_headers_are_never_shown_back(
    client: Client, world: World, http_receiver: Any
) -> None:
    services.source_set(
        key_result=world.adoption,
        by=world.owner,
        kind="http_json",
        url=f"{http_receiver.url}/metric?api_key=topsecretvalue",
        jsonpath="$.value",
        headers={"X-Api-Key": "another-secret"},
    )
    html = signed_in(client, world.owner).get(page(world)).content.decode()
    assert "topsecret" not in html and "another-secret" not in html
    assert "X-Api-Key" in html and "http://127.0.0.1/…alue" in html


@pytest.mark.parametrize("who", ["outsider", "stranger"])
def test_people_who_may_not_check_in_get_403_or_404(client: Client, world: World, who: str) -> None:
    c = signed_in(client, getattr(world, who))
    expected = 403 if who == "outsider" else 404  # the outsider sees the public objective
    assert c.get(page(world)).status_code == expected
    assert c.post(page(world), form("https://93.184.215.14/m", "save")).status_code == expected
    hidden = reverse("key_result_source", args=[world.private.ref, "secret-kr"])
    assert c.get(hidden).status_code == 404
    assert not DataSource.objects.exists()


def test_the_source_page_costs_the_same_queries_however_long_its_log(
    client: Client, world: World, http_receiver: Any, django_assert_max_num_queries: Any
) -> None:
    http_receiver.documents["/metric"] = (200, b'{"value": 1}')
    source = services.source_set(
        key_result=world.adoption,
        by=world.owner,
        kind="http_json",
        url=f"{http_receiver.url}/metric",
        jsonpath="$.value",
    )
    services.run_source(source.pk)
    c = signed_in(client, world.owner)
    with CaptureQueriesContext(connection) as one:
        c.get(page(world))
    for n in range(30):
        http_receiver.documents["/metric"] = (200, json.dumps({"value": n + 2}).encode())
        services.run_source(source.pk)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert c.get(page(world)).content.decode().count("Check-in of") == 31
