"""The village page and the deployment board draw the dashboard's map (static/js/dashboard-map.js).

The pages embed the map's GeoJSON with json_script and set the script's mode with data- attributes:
the village page focuses its desa among its kecamatan's villages, the board outlines shortfalls.
"""

import json
import re

import pytest
from django.urls import reverse

from operations.models import RiskLevel, VillageStanding
from operations.services.standings import standings_refresh
from tests.operations.deployment_setup import build_world

pytestmark = pytest.mark.django_db

HOSTILE = 'Desa </script><img src=x onerror="alert(1)"> & Co'
OUTLINE = {
    "type": "Polygon",
    "coordinates": [[[106.3, -6.1], [106.31, -6.1], [106.31, -6.11], [106.3, -6.1]]],
}


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def map_element(html: str) -> str:
    found = re.search(r'<div id="map" class="map"[^>]*>', html)
    assert found, "no map container on the page"
    return found.group(0)


def map_data(html: str) -> dict:
    found = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, "no map data on the page"
    return json.loads(found.group(1))


def names(data: dict) -> set[str]:
    return {f["properties"]["name"] for f in data["villages"]["features"]}


def test_village_page_maps_the_village_among_its_kecamatan_neighbours(client, world):
    desa = world.own[0].desa
    desa.name = HOSTILE
    desa.boundary_geojson = json.dumps(OUTLINE)
    desa.save()
    standings_refresh(operation=world.operation)
    client.force_login(world.pimpinan)

    html = client.get(reverse("village-detail", args=[world.own[0].pk])).content.decode()

    element = map_element(html)
    assert f'data-focus="{desa.code}"' in element
    assert 'data-mode=""' in element
    assert "js/dashboard-map.js" in html and "leaflet/leaflet.js" in html
    data = map_data(html)
    # The village and its neighbour in the same kecamatan; the other Polsek's village is not on it.
    assert names(data) == {HOSTILE, world.own[1].desa.name}
    focused = next(f for f in data["villages"]["features"] if f["properties"]["code"] == desa.code)
    assert focused["geometry"] == OUTLINE
    assert {f["properties"]["name"] for f in data["kecamatan"]["features"]} == {desa.kecamatan.name}
    # json_script escapes the name: it never closes the script element nor opens a tag.
    assert "</script><img" not in html and "<img src=x" not in html


def test_village_page_without_a_standing_has_no_map(client, world):
    VillageStanding.objects.filter(village_election=world.own[0]).delete()
    client.force_login(world.pimpinan)

    html = client.get(reverse("village-detail", args=[world.own[0].pk])).content.decode()

    assert 'id="map"' not in html and "map-data" not in html and "dashboard-map.js" not in html


def test_board_maps_assigned_and_shortfall_per_village(client, world):
    world.own[1].desa.name = HOSTILE
    world.own[1].desa.save()
    standings_refresh(operation=world.operation)
    client.force_login(world.pimpinan)

    html = client.get(reverse("deployment-board", args=[world.operation.pk])).content.decode()

    assert 'data-mode="shortfall"' in map_element(html)
    data = map_data(html)
    assert names(data) == {ve.desa.name for ve in [*world.own, world.foreign]}
    for feature in data["villages"]["features"]:
        p = feature["properties"]
        assert p["need"] > 0 and p["assigned"] == 0 and p["shortfall"] == p["need"]
    assert "</script><img" not in html and "<img src=x" not in html


def test_board_map_follows_the_level_filter(client, world):
    VillageStanding.objects.filter(operation=world.operation).update(level=RiskLevel.AMAN)
    VillageStanding.objects.filter(operation=world.operation, village_election=world.own[0]).update(
        level=RiskLevel.SANGAT_RAWAN
    )
    client.force_login(world.pimpinan)

    url = reverse("deployment-board", args=[world.operation.pk])
    html = client.get(url, {"level": RiskLevel.SANGAT_RAWAN}).content.decode()

    assert names(map_data(html)) == {world.own[0].desa.name}


def test_board_map_says_how_many_villages_it_cannot_draw(client, world):
    desa = world.foreign.desa
    desa.latitude = desa.longitude = None
    desa.save()
    client.force_login(world.pimpinan)

    html = client.get(reverse("deployment-board", args=[world.operation.pk])).content.decode()

    assert names(map_data(html)) == {ve.desa.name for ve in world.own}
    assert "1 desa belum memiliki koordinat dan tidak tampil di peta." in html
