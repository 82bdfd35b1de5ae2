"""The KPI pages: list (from the navigation), page with chart and history, add value, new,
edit, archive, delete, follow, data source; who sees and who may change (docs/kpis.md)."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.test import Client

from pacer.datasources.models import DataSource
from pacer.kpis import services
from pacer.kpis.models import KPI, KPIFollow, KPIValue
from pacer.kpis.services import KPISpec
from pacer.okrs.models import CheckIn
from tests.factories import World, make_key_result

D = Decimal


def signed_in(client: Client, someone: object) -> Client:
    client.force_login(someone)  # type: ignore[arg-type]
    return client


def make_kpi(world: World, **changes: object) -> KPI:
    spec = KPISpec(
        name="Uptime", owner=world.owner, kind="stay_above", unit="%", threshold=D("99.9")
    )
    for name, value in changes.items():
        setattr(spec, name, value)
    return services.kpi_create(organization=world.org, spec=spec)


def test_the_navigation_links_to_the_list(world: World, client: Client) -> None:
    make_kpi(world)
    home = signed_in(client, world.teammate).get("/", follow=True)
    assert 'href="/kpis/"' in home.content.decode()
    page = client.get("/kpis/").content.decode()
    assert "Uptime" in page and "at least 99.9 %" in page and "No value yet" in page


def test_the_page_draws_the_history_with_the_healthy_band(world: World, client: Client) -> None:
    kpi = make_kpi(world, name="Uptime <script>")
    for day, value in ((1, "99.95"), (8, "99.5"), (15, "99.99")):
        moment = datetime.combine(date(2026, 5, day), time(9), tzinfo=UTC)
        services.kpi_value_add(kpi=kpi, value=D(value), at=moment)
    page = signed_in(client, world.outsider).get(f"/kpis/{kpi.ref}/").content.decode()
    assert '<svg viewBox="0 0 480 170"' in page and 'class="healthy-band"' in page
    assert page.count('class="reading"') == 3 and "Healthy" in page
    assert "<script>" not in page.split("<main", 1)[-1].split("</main>")[0].replace(
        "&lt;script&gt;", ""
    )
    assert "Add a value" not in page  # the outsider sees, but does not report, it


def test_adding_a_value_from_the_page(world: World, client: Client) -> None:
    kpi = make_kpi(world, team=world.team)
    answer = signed_in(client, world.teammate).post(
        f"/kpis/{kpi.ref}/values/", {"value": "99.2", "note": "incident"}
    )
    assert answer.status_code == 302
    kpi.refresh_from_db()
    assert kpi.current == D("99.2") and kpi.status == "unhealthy"
    bad = client.post(f"/kpis/{kpi.ref}/values/", {"value": "1e20"})
    assert bad.status_code == 400 and KPIValue.objects.count() == 1


def test_outsiders_may_not_change_and_others_do_not_see(world: World, client: Client) -> None:
    kpi = make_kpi(world)
    signed_in(client, world.outsider)
    for url in (f"/kpis/{kpi.ref}/edit/", f"/kpis/{kpi.ref}/delete/", f"/kpis/{kpi.ref}/source/"):
        assert client.get(url).status_code == 403
    assert client.post(f"/kpis/{kpi.ref}/values/", {"value": "1"}).status_code == 400
    assert not KPIValue.objects.exists()
    signed_in(client, world.stranger)
    assert client.get(f"/kpis/{kpi.ref}/").status_code == 404
    assert "Uptime" not in client.get("/kpis/").content.decode()


def test_new_edit_archive_delete(world: World, client: Client) -> None:
    signed_in(client, world.owner)
    form = {"name": "First response", "unit": "h", "owner": world.owner.pk, "kind": "stay_below"}
    refused = client.post("/kpis/new/", form)
    assert refused.status_code == 400 and "is required" in refused.content.decode()
    created = client.post("/kpis/new/", {**form, "threshold": "4"})
    kpi = KPI.objects.get()
    assert created["Location"] == f"/kpis/{kpi.ref}/" and kpi.threshold == 4
    edited = client.post(
        f"/kpis/{kpi.ref}/edit/", {**form, "kind": "range", "low": "1", "high": "4"}
    )
    assert edited.status_code == 302
    kpi.refresh_from_db()
    assert (kpi.kind, kpi.low, kpi.high, kpi.threshold) == ("range", 1, 4, None)
    client.post(f"/kpis/{kpi.ref}/archive/")
    kpi.refresh_from_db()
    assert kpi.archived_at is not None
    assert "First response" in client.get("/kpis/?archived=1").content.decode()
    assert client.post(f"/kpis/{kpi.ref}/delete/").status_code == 302
    assert not KPI.objects.exists()


def test_follow_from_the_kpi_page(world: World, client: Client) -> None:
    kpi = make_kpi(world)
    moment = datetime.combine(date(2026, 5, 4), time(9), tzinfo=UTC)
    services.kpi_value_add(kpi=kpi, value=D("99.95"), at=moment)
    kr = make_key_result(world.public, "uptime-kr", type="stay_above", threshold=D("99.9"))
    signed_in(client, world.teammate)
    assert client.post(f"/kpis/{kpi.ref}/follow/", {"key_result": kr.pk}).status_code == 302
    assert KPIFollow.objects.get().key_result == kr
    assert CheckIn.objects.get(key_result=kr).value == D("99.95")
    page = client.get(f"/kpis/{kpi.ref}/").content.decode()
    assert "Stop following" in page
    client.post(f"/kpis/{kpi.ref}/unfollow/", {"key_result": kr.pk})
    assert not KPIFollow.objects.exists()


def test_a_private_objectives_follower_is_not_shown(world: World, client: Client) -> None:
    kpi = make_kpi(world)
    kr = make_key_result(world.private, "hidden", type="stay_above", threshold=D(1))
    services.kpi_follow(key_result=kr, kpi=kpi)
    page = signed_in(client, world.outsider).get(f"/kpis/{kpi.ref}/").content.decode()
    assert kr.title not in page and "Buy Initech" not in page


def test_the_source_page_saves_a_source_for_the_kpi(world: World, client: Client) -> None:
    kpi = make_kpi(world)
    signed_in(client, world.owner)
    assert client.get(f"/kpis/{kpi.ref}/source/").status_code == 200
    answer = client.post(
        f"/kpis/{kpi.ref}/source/",
        {
            "kind": "tracker",
            "url": "https://example.com/not-a-tracker",
            "count": "open",
            "interval_minutes": "60",
            "action": "save",
        },
    )
    assert answer.status_code == 422 and not DataSource.objects.exists()


def queries_of(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_and_page_queries_stay_constant_as_data_grows(world: World, client: Client) -> None:
    kpi = make_kpi(world, team=world.team)
    services.kpi_value_add(kpi=kpi, value=D(1), at=datetime(2026, 5, 1, 9, tzinfo=UTC))
    signed_in(client, world.owner)
    few = (queries_of(client, "/kpis/"), queries_of(client, f"/kpis/{kpi.ref}/"))
    for n in range(5):
        make_kpi(world, name=f"Other {n}", team=world.team)
        moment = datetime(2026, 5, 2 + n, 9, tzinfo=UTC)
        services.kpi_value_add(kpi=kpi, value=D(n), at=moment, by=world.teammate)
        kr = make_key_result(world.public, f"f{n}", type="stay_above", threshold=D(1))
        services.kpi_follow(key_result=kr, kpi=kpi)
    assert (queries_of(client, "/kpis/"), queries_of(client, f"/kpis/{kpi.ref}/")) == few


def test_follow_from_the_key_results_edit_page(world: World, client: Client) -> None:
    kpi = make_kpi(world)
    services.kpi_value_add(kpi=kpi, value=D("99.95"), at=datetime(2026, 5, 4, 9, tzinfo=UTC))
    edit = f"/objectives/{world.public.ref}/key-results/{world.adoption.ref}/"
    signed_in(client, world.teammate)
    page = client.get(f"{edit}edit/").content.decode()
    assert f'href="{edit}kpi/"' in page
    assert client.post(f"{edit}kpi/", {"kpi": kpi.pk}).status_code == 302
    assert KPIFollow.objects.get().kpi == kpi
    assert CheckIn.objects.filter(key_result=world.adoption, value=D("99.95")).exists()
    assert client.post(f"{edit}kpi/", {"kpi": ""}).status_code == 302
    assert not KPIFollow.objects.exists()
    assert client.post(f"{edit}kpi/", {"kpi": "999999"}).status_code == 400
    signed_in(client, world.outsider)
    assert client.get(f"{edit}kpi/").status_code == 403
