"""Map data API: GeoJSON of an operation's villages, per kabupaten, cached and gzip-compressed."""

import gzip
import json

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from operations.models import Operation, VillageStanding
from tests.operations.deployment_setup import build_world
from villages.models import Kabupaten

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[106.3, -6.1], [106.31, -6.1], [106.31, -6.11], [106.3, -6.1]]]}


@pytest.fixture
def world(make_user, client):
    world = build_world(make_user)
    desa = world.own[0].desa
    desa.boundary_geojson = json.dumps(SQUARE)
    desa.save()
    client.force_login(world.kabag)
    return world


def url(world, query=""):
    return f"/api/v1/operations/{world.operation.pk}/map/{query}"


def kabupaten_of(village) -> str:
    return village.desa.code[:5]


def test_desa_level_needs_a_kabupaten(world, client):
    response = client.get(url(world))
    assert response.status_code == 400
    assert "?level=kabupaten" in json.dumps(response.json())


def test_bad_kabupaten_code_is_a_400(world, client):
    assert client.get(url(world, "?kabupaten=36.4x")).status_code == 400


def test_one_kabupaten_as_a_feature_collection(world, client):
    kabupaten = kabupaten_of(world.own[0])
    body = client.get(url(world, f"?kabupaten={kabupaten}")).json()
    assert body["type"] == "FeatureCollection"
    standings = VillageStanding.objects.filter(operation=world.operation, kabupaten_code=kabupaten)
    assert len(body["features"]) == standings.count() >= len(world.own)
    first = next(f for f in body["features"] if f["properties"]["code"] == world.own[0].desa.code)
    assert first["geometry"] == SQUARE
    props = first["properties"]
    assert {"code", "name", "level", "score", "need", "assigned", "shortfall", "assessed", "url"} <= set(
        props
    )
    assert props["assessed"] is False  # no verified report yet: never shown as assessed
    # A desa without an outline is drawn at its centroid, and counted.
    other = next(f for f in body["features"] if f["properties"]["code"] == world.own[1].desa.code)
    assert other["geometry"]["type"] == "Point"
    assert body["meta"]["without_outline"] == standings.count() - 1


def test_answer_is_gzip_compressed_when_accepted(world, client):
    kabupaten = kabupaten_of(world.own[0])
    response = client.get(url(world, f"?kabupaten={kabupaten}"), HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "gzip"
    assert response["Content-Type"] == "application/geo+json"
    assert json.loads(gzip.decompress(response.content))["type"] == "FeatureCollection"


def test_cached_answer_reads_no_rows_and_follows_the_ranking_version(world, client):
    kabupaten = kabupaten_of(world.own[0])
    client.get(url(world, f"?kabupaten={kabupaten}"))
    VillageStanding.objects.filter(operation=world.operation).update(required_personnel=99)
    with CaptureQueriesContext(connection) as queries:
        cached = client.get(url(world, f"?kabupaten={kabupaten}")).json()
    assert not any("operations_villagestanding" in q["sql"] for q in queries.captured_queries)
    assert all(f["properties"]["need"] != 99 for f in cached["features"])

    Operation.objects.filter(pk=world.operation.pk).update(ranking_version=F("ranking_version") + 1)
    fresh = client.get(url(world, f"?kabupaten={kabupaten}")).json()
    assert all(f["properties"]["need"] == 99 for f in fresh["features"])


def test_national_request_answers_kabupaten_aggregates(world, client):
    kabupaten = kabupaten_of(world.own[0])
    Kabupaten.objects.create(code=kabupaten, name="Kabupaten Uji", boundary_geojson=json.dumps(SQUARE))
    body = client.get(url(world, "?level=kabupaten")).json()
    by_code = {f["properties"]["code"]: f for f in body["features"]}
    in_kabupaten = VillageStanding.objects.filter(operation=world.operation, kabupaten_code=kabupaten)
    assert by_code[kabupaten]["properties"]["villages"] == in_kabupaten.count()
    assert by_code[kabupaten]["properties"]["name"] == "Kabupaten Uji"
    assert by_code[kabupaten]["geometry"] == SQUARE


def test_polsek_user_is_refused(world, client):
    client.force_login(world.polsek_user)
    assert client.get(url(world, "?level=kabupaten")).status_code == 403


def test_map_endpoint_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/v1/operations/{operation_id}/map/" in schema.content.decode()


def test_the_api_map_and_the_pages_map_describe_each_village_alike(world, client):
    """One builder for both maps: the same properties and geometry for every village."""
    from operations.selectors.map import board_map_data

    kabupaten = kabupaten_of(world.own[0])
    api = {
        f["properties"]["code"]: f
        for f in client.get(url(world, f"?kabupaten={kabupaten}")).json()["features"]
    }
    pages, _missing = board_map_data(operation=Operation.objects.get(pk=world.operation.pk))
    page = {f["properties"]["code"]: f for f in pages["villages"]["features"]}
    assert page and set(page) <= set(api)
    for code, feature in page.items():
        assert feature["properties"] == api[code]["properties"], code
        assert feature["geometry"] == api[code]["geometry"], code
    assert page[world.own[0].desa.code]["geometry"] == SQUARE
