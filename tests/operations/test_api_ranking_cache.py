"""The ranking API's cached pages: served again without the page queries, never stale after a change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from operations.models import Duty, RiskLevel
from operations.services.assignments import assignment_create
from operations.services.reports import report_verify, risk_override
from tests.factories import (
    DesaFactory,
    JurisdictionFactory,
    KecamatanFactory,
    OfficerFactory,
    VillageElectionFactory,
)
from tests.operations.risk_setup import build_world
from tests.operations.test_api_risk import _submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return build_world(make_user)


@pytest.fixture
def client(api_client, world):
    api_client.force_authenticate(world.kabag)
    return api_client


def _url(world) -> str:
    return f"/api/v1/operations/{world.operation.pk}/ranking/"


def _get(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return response.json(), [q["sql"] for q in queries]


def _by_village(body) -> dict[int, dict]:
    return {r["village_election"]: r for r in body["results"]}


def test_a_repeated_page_is_served_without_reading_the_ranking_again(client, world):
    first, first_sql = _get(client, _url(world))
    again, again_sql = _get(client, _url(world))
    assert again == first
    assert any("villagestanding" in sql for sql in first_sql)
    assert not any("villagestanding" in sql for sql in again_sql)
    assert len(again_sql) < len(first_sql)


def test_another_page_size_or_filter_is_its_own_entry(client, world):
    whole, _ = _get(client, _url(world))
    small, _ = _get(client, _url(world), page_size=1)
    assert whole["count"] == small["count"] == 3
    assert len(small["results"]) == 1 and len(whole["results"]) == 3
    only_foreign, _ = _get(client, _url(world), kecamatan=world.foreign.desa.kecamatan_id)
    assert [r["village_election"] for r in only_foreign["results"]] == [world.foreign.pk]


def test_a_verified_report_changes_the_page_at_once(client, world):
    before, _ = _get(client, _url(world))
    assert _by_village(before)[world.own[0].pk]["computed_level"] is None

    report_verify(report=_submitted(world), by=world.kabag)

    after, _ = _get(client, _url(world))
    row = _by_village(after)[world.own[0].pk]
    assert row["computed_level"] is not None
    assert row["last_report_at"] is not None


def test_an_override_changes_the_page_at_once(client, world):
    _get(client, _url(world))
    risk_override(
        village_election=world.own[1], level=RiskLevel.SANGAT_RAWAN, reason="Bentrok", by=world.kabag
    )
    after, _ = _get(client, _url(world))
    assert after["results"][0]["village_election"] == world.own[1].pk
    assert after["results"][0]["is_overridden"] is True


def test_an_assignment_changes_the_page_at_once(client, world):
    before, _ = _get(client, _url(world))
    assert _by_village(before)[world.own[0].pk]["assigned_personnel"] == 0
    assignment_create(
        operation=world.operation,
        officer=OfficerFactory(unit=world.unit),
        duty=Duty.VILLAGE_GUARD,
        village_election=world.own[0],
        by=world.kabag,
    )
    after, _ = _get(client, _url(world))
    assert _by_village(after)[world.own[0].pk]["assigned_personnel"] == 1


def test_labels_follow_the_language_of_each_request(client, world):
    indonesian, _ = _get(client, _url(world), level=RiskLevel.RAWAN)
    english = client.get(_url(world), {"level": RiskLevel.RAWAN}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert {r["level_label"] for r in indonesian["results"]} == {"Rawan"}
    assert {r["level_label"] for r in english["results"]} == {"Vulnerable"}


def test_kabupaten_filter_and_its_field_error(client, world):
    other = KecamatanFactory(code="98.02.01")
    JurisdictionFactory(kecamatan=other)
    from operations.services.standings import standings_refresh

    elsewhere = VillageElectionFactory(election=world.operation.election, desa=DesaFactory(kecamatan=other))
    standings_refresh(operation=world.operation)
    body, _ = _get(client, _url(world), kabupaten="98.02")
    assert [r["village_election"] for r in body["results"]] == [elsewhere.pk]
    assert body["results"][0]["kabupaten_code"] == "98.02"

    response = client.get(_url(world), {"kabupaten": "36-04"})
    assert response.status_code == 400
    assert "kabupaten" in response.json()["errors"]


def test_a_refused_request_is_not_answered_from_the_cache(api_client, world, django_user_model):
    api_client.force_authenticate(world.kabag)
    assert api_client.get(_url(world)).status_code == 200
    # A Polsek reads his own villages' rows, never the page cached for HQ; a user of no role nothing.
    api_client.force_authenticate(world.polsek)
    rows = api_client.get(_url(world)).json()["results"]
    assert sorted(r["village_election"] for r in rows) == sorted(v.pk for v in world.own)
    api_client.force_authenticate(django_user_model.objects.create_user("tanpa-peran", password="x"))
    assert api_client.get(_url(world)).status_code == 403
