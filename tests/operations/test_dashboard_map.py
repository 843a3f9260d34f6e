"""Dashboard map data: desa outlines filled by level, real kecamatan outlines, unassessed flagged."""

import json

import pytest

from operations.models import Operation
from operations.selectors.dashboard import dashboard_for_operation
from tests.operations.deployment_setup import build_world

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[106.3, -6.1], [106.31, -6.1], [106.31, -6.11], [106.3, -6.1]]]}
BIG = {"type": "Polygon", "coordinates": [[[106.2, -6.0], [106.4, -6.0], [106.4, -6.2], [106.2, -6.0]]]}


def test_map_draws_stored_outlines_and_flags_unassessed_villages(make_user):
    world = build_world(make_user)
    desa = world.own[0].desa
    desa.boundary_geojson = json.dumps(SQUARE)
    desa.sea_access_only = True
    desa.save()
    desa.kecamatan.boundary_geojson = json.dumps(BIG)
    desa.kecamatan.save()

    data = dashboard_for_operation(operation=Operation.objects.get(pk=world.operation.pk)).map_data

    features = {f["properties"]["code"]: f for f in data["villages"]["features"]}
    assert features[desa.code]["geometry"] == SQUARE
    assert features[world.own[1].desa.code]["geometry"]["type"] == "Point"  # centroid only
    props = features[desa.code]["properties"]
    assert props["assessed"] is False and props["sea_access_only"] is True
    assert props["polsek_id"] == world.polsek.pk
    kecamatan = {f["properties"]["name"]: f for f in data["kecamatan"]["features"]}
    assert kecamatan[desa.kecamatan.name]["geometry"] == BIG
