"""One identifier for a kabupaten across the API, the scoring settings readable, a Polsek reads the
ranking rows of its own villages (issue 17, consistent resources)."""

import pytest

from operations.models import LevelThreshold, PatternSet
from operations.roles import POLSEK
from tests import factories
from tests.operations import risk_setup

pytestmark = pytest.mark.django_db


def test_kecamatan_resource_names_and_filters_the_kabupaten_by_the_ranking_code(api_client, make_user):
    inside = factories.KecamatanFactory(code="36.04.01")
    factories.KecamatanFactory(code="36.03.01")
    api_client.force_authenticate(make_user(POLSEK, unit=factories.UnitFactory(kind="polsek")))
    rows = api_client.get("/api/v1/kecamatan/", {"kabupaten": "36.04"}).json()["results"]
    assert [(r["id"], r["kabupaten_code"]) for r in rows] == [(inside.pk, "36.04")]
    bad = api_client.get("/api/v1/kecamatan/", {"kabupaten": "3604"})
    assert bad.status_code == 400 and "kabupaten" in bad.json()["errors"]


def test_a_ranking_row_and_its_kecamatan_carry_the_same_kabupaten_code(api_client, make_user):
    world = risk_setup.build_world(make_user)
    api_client.force_authenticate(world.kabag)
    row = api_client.get(f"/api/v1/operations/{world.operation.pk}/ranking/").json()["results"][0]
    kecamatan = api_client.get(f"/api/v1/kecamatan/{row['kecamatan']}/").json()
    assert row["kabupaten_code"] == kecamatan["kabupaten_code"]


def test_pattern_sets_and_level_thresholds_are_readable(api_client, make_user):
    world = risk_setup.build_world(make_user)
    api_client.force_authenticate(world.polsek)
    thresholds = api_client.get("/api/v1/level-thresholds/").json()["results"]
    assert [(t["level"], t["min_score"]) for t in thresholds] == [
        (t.level, f"{t.min_score:.2f}") for t in LevelThreshold.objects.order_by("level")
    ]
    pattern_set = PatternSet.objects.get(pk=world.operation.pattern_set_id)
    body = api_client.get(f"/api/v1/pattern-sets/{pattern_set.pk}/").json()
    assert body["name"] == pattern_set.name
    assert sorted(p["level"] for p in body["patterns"]) == sorted(
        pattern_set.patterns.values_list("level", flat=True)
    )
    assert api_client.post("/api/v1/level-thresholds/", {}, format="json").status_code == 405


def test_a_polsek_reads_the_ranking_rows_of_its_own_villages_only(api_client, make_user):
    world = risk_setup.build_world(make_user)
    api_client.force_authenticate(world.polsek)
    response = api_client.get(f"/api/v1/operations/{world.operation.pk}/ranking/")
    assert response.status_code == 200, response.json()
    assert sorted(r["village_election"] for r in response.json()["results"]) == sorted(
        v.pk for v in world.own
    )
