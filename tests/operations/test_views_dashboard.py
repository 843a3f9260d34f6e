import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations.models import RiskReport, VillageStanding
from operations.services.reports import report_create, report_submit
from operations.services.standings import standings_refresh
from tests.factories import DesaFactory, VillageElectionFactory
from tests.operations.risk_setup import answers, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def _url(world):
    return reverse("dashboard", args=[world.operation.pk])


def _add_villages(world, count: int, *, with_coordinates: bool = True) -> None:
    kecamatan = world.own[0].desa.kecamatan
    for i in range(count):
        coordinates = {
            "latitude": Decimal("-6.1") - Decimal(i) / 100,
            "longitude": Decimal("106.3") + Decimal(i % 3) / 50,
        }
        VillageElectionFactory(
            election=world.operation.election,
            desa=DesaFactory(kecamatan=kecamatan, **(coordinates if with_coordinates else {})),
        )
    standings_refresh(operation=world.operation)


def _map(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="map-data" type="application/json">') + len(
        '<script id="map-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


@pytest.mark.parametrize(("role", "status"), [("pimpinan", 200), ("kabag", 200), ("polsek", 403)])
def test_dashboard_is_for_hq_only(client, world, role, status):
    client.force_login(getattr(world, role))
    assert client.get(_url(world)).status_code == status
    assert client.get(reverse("dashboard-latest")).status_code == (302 if status == 200 else 403)


def test_anonymous_goes_to_login(client, world):
    response = client.get(_url(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_unknown_operation_is_404(client, world):
    client.force_login(world.pimpinan)
    assert client.get(reverse("dashboard", args=[world.operation.pk + 99])).status_code == 404


def test_dashboard_shows_counts_personnel_and_waiting_reports(client, world):
    report = report_create(
        village_election=world.own[0], author=world.polsek, answers=answers(former_head_strong_rival=True)
    )
    report_submit(report=report, by=world.polsek)
    client.force_login(world.pimpinan)

    response = client.get(_url(world))

    dashboard = response.context["dashboard"]
    rows = VillageStanding.objects.filter(operation=world.operation)
    assert dashboard.counts.total == rows.count() == 3
    assert dashboard.personnel.required == sum(r.required_personnel for r in rows) > 0
    assert dashboard.personnel.shortfall == dashboard.personnel.required  # nobody posted yet
    assert dashboard.personnel.villages_short == 3
    assert [r.pk for r in dashboard.waiting_reports] == [report.pk]
    assert sum(bar.kecamatan.total for bar in dashboard.kecamatan_bars) == 3
    html = response.content.decode()
    assert 'id="personnel-shortfall">' + str(dashboard.personnel.shortfall) in html
    # A Pimpinan reads; only Kabag Ops gets the link to act on the queue.
    assert reverse("report-review") not in html.split("<main", 1)[1]


def test_map_has_a_marker_per_village_with_coordinates_and_kecamatan_outlines(client, world):
    _add_villages(world, 4)
    _add_villages(world, 2, with_coordinates=False)
    client.force_login(world.kabag)

    response = client.get(_url(world))

    data = _map(response)
    assert len(data["villages"]["features"]) == 4
    assert response.context["dashboard"].villages_without_coordinates == 2 + 3  # build_world's have none
    first = data["villages"]["features"][0]
    assert first["geometry"]["type"] == "Point"
    assert set(first["properties"]) >= {"name", "level", "level_label", "need", "assigned", "url"}
    [outline] = data["kecamatan"]["features"]
    ring = outline["geometry"]["coordinates"][0]
    assert outline["geometry"]["type"] == "Polygon" and ring[0] == ring[-1]


def test_dashboard_query_count_does_not_grow_with_villages(client, world):
    client.force_login(world.kabag)
    client.get(_url(world))  # warm the per-user caches (role names) outside the count

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(world)).status_code == 200
        return len(queries)

    small = count_queries()
    _add_villages(world, 30)
    own = VillageStanding.objects.filter(operation=world.operation, kecamatan=world.own[0].desa.kecamatan)
    for standing in own.select_related("village_election")[:5]:
        report = report_create(
            village_election=standing.village_election, author=world.polsek, answers=answers(split_camps=True)
        )
        report_submit(report=report, by=world.polsek)
    large = count_queries()

    assert RiskReport.objects.count() == 5
    assert large == small
