"""Writes of the setup data through the API: natural keys, the admin's rules, roles, audit history."""

import pytest
from rest_framework.test import APIClient

from operations.models import BkoContingent, Duty, Jurisdiction, Officer, Unit, VillageStanding
from operations.ranks import Pangkat
from operations.roles import KABAG_OPS, PIMPINAN, POLSEK
from operations.services.assignments import assignment_create
from operations.services.standings import standings_refresh
from operations.services.tokens import token_create
from tests import factories
from villages.models import VillageElection

pytestmark = pytest.mark.django_db


@pytest.fixture
def kabag(api_client, make_user):
    api_client.force_authenticate(make_user(KABAG_OPS))
    return api_client


def _service_client(role: str, username: str = "sistem.personel") -> tuple[APIClient, str]:
    service = token_create(username=username, role=role)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {service.key}")
    return client, username


def test_unit_is_created_with_its_parent_named(kabag):
    factories.UnitFactory(name="Polres Serang", kind=Unit.Kind.POLRES)
    response = kabag.post(
        "/api/v1/units/",
        {
            "name": "Polsek Anyar",
            "kind": "polsek",
            "parent_name": "Polres Serang",
            "hq_latitude": "-6.100000",
            "hq_longitude": "105.900000",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["parent_name"] == "Polres Serang"
    assert body["officer_count"] == 0
    assert Unit.objects.get(name="Polsek Anyar").parent.name == "Polres Serang"


def test_unit_write_keeps_the_model_rules(kabag):
    response = kabag.post(
        "/api/v1/units/",
        {"name": "Polsek Tanpa Bujur", "kind": "polsek", "hq_latitude": "-6.1"},
        format="json",
    )
    assert response.status_code == 400
    assert "lintang dan bujur" in str(response.json()["errors"])


def test_unknown_parent_name_and_unknown_field_are_field_errors(kabag):
    response = kabag.post(
        "/api/v1/units/",
        {"name": "X", "kind": "polsek", "parent_name": "Tidak Ada", "warna": "biru"},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"parent_name", "warna"}


def test_id_and_natural_key_together_are_refused(kabag):
    desa = factories.DesaFactory()
    election = factories.ElectionFactory()
    response = kabag.post(
        "/api/v1/village-elections/",
        {
            "election": election.pk,
            "desa": desa.pk,
            "desa_code": desa.code,
            "tps_count": 2,
            "registered_voters": 900,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "desa_code" in response.json()["errors"]


def test_village_election_is_created_by_desa_code_and_ranked(kabag):
    desa = factories.DesaFactory()
    operation = factories.OperationFactory()
    standings_refresh(operation=operation)
    response = kabag.post(
        "/api/v1/village-elections/",
        {
            "election": operation.election_id,
            "desa_code": desa.code,
            "tps_count": 3,
            "registered_voters": 1500,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["desa"] == desa.pk
    village = VillageElection.objects.get(desa=desa)
    # As after the admin's save: the operation covering its election ranks it.
    assert VillageStanding.objects.filter(operation=operation, village_election=village, tps_count=3).exists()


def test_village_election_without_desa_names_both_ways(kabag):
    response = kabag.post(
        "/api/v1/village-elections/",
        {"election": factories.ElectionFactory().pk, "tps_count": 3, "registered_voters": 1500},
        format="json",
    )
    assert response.status_code == 400
    assert "desa_code" in str(response.json()["errors"]["desa"])


def test_second_village_election_of_a_desa_is_the_models_message(kabag):
    village = factories.VillageElectionFactory()
    response = kabag.post(
        "/api/v1/village-elections/",
        {"election": village.election_id, "desa": village.desa_id, "tps_count": 1, "registered_voters": 10},
        format="json",
    )
    assert response.status_code == 400
    assert "sudah terdaftar" in str(response.json()["errors"])


@pytest.mark.parametrize("role", [POLSEK, PIMPINAN])
def test_polsek_and_pimpinan_cannot_write(api_client, make_user, role):
    api_client.force_authenticate(make_user(role))
    response = api_client.post("/api/v1/units/", {"name": "X", "kind": "polsek"}, format="json")
    assert response.status_code == 403
    assert api_client.get("/api/v1/units/").status_code == 200


def test_pimpinan_service_token_cannot_write():
    client, _username = _service_client(PIMPINAN, "dasbor.polda")
    response = client.post(
        "/api/v1/elections/", {"name": "Pilkades X", "voting_day": "2025-10-01"}, format="json"
    )
    assert response.status_code == 403


def test_officer_written_with_a_kabag_ops_token_is_in_history_under_the_token_account():
    client, username = _service_client(KABAG_OPS)
    unit = factories.UnitFactory(name="Polsek Cinangka")
    desa = factories.DesaFactory()
    response = client.post(
        "/api/v1/officers/",
        {
            "nrp": "87010001",
            "name": "Budi",
            "rank": int(Pangkat.BRIPKA),
            "unit_name": unit.name,
            "home_desa_code": desa.code,
            "phone": "0812 1111 2222",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["home_desa_code"] == desa.code
    officer = Officer.objects.get(nrp="87010001")
    assert officer.home_desa == desa and officer.phone == "0812 1111 2222"
    history = officer.history.get()
    assert history.history_user is not None and history.history_user.username == username

    response = client.patch(f"/api/v1/officers/{officer.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 200, response.content
    latest = officer.history.order_by("-history_id").first()
    assert latest.history_user.username == username and latest.is_active is False


def test_officer_change_that_breaks_a_posting_is_refused(kabag, make_user):
    jurisdiction = factories.JurisdictionFactory()
    village = factories.VillageElectionFactory(desa__kecamatan=jurisdiction.kecamatan)
    operation = factories.OperationFactory(election=village.election)
    officer = factories.OfficerFactory(unit=jurisdiction.unit)
    assignment_create(
        operation=operation,
        officer=officer,
        duty=Duty.VILLAGE_GUARD,
        village_election=village,
        by=make_user(KABAG_OPS),
    )
    response = kabag.patch(
        f"/api/v1/officers/{officer.pk}/", {"home_desa_code": village.desa.code}, format="json"
    )
    assert response.status_code == 400
    assert "home_desa" in response.json()["errors"]
    officer.refresh_from_db()
    assert officer.home_desa_id is None


def test_jurisdiction_by_names_and_codes(kabag):
    unit = factories.UnitFactory(name="Polsek Kramatwatu")
    kecamatan = factories.KecamatanFactory()
    response = kabag.post(
        "/api/v1/jurisdictions/", {"unit_name": unit.name, "kecamatan_code": kecamatan.code}, format="json"
    )
    assert response.status_code == 201, response.content
    other = factories.UnitFactory(name="Polsek Lain")
    second = kabag.post(
        "/api/v1/jurisdictions/", {"unit": other.pk, "kecamatan": kecamatan.pk}, format="json"
    )
    assert second.status_code == 400
    assert "Polsek lain" in str(second.json()["errors"])
    brimob = factories.UnitFactory(kind=Unit.Kind.BRIMOB)
    third = kabag.post(
        "/api/v1/jurisdictions/",
        {"unit": brimob.pk, "kecamatan_code": factories.KecamatanFactory().code},
        format="json",
    )
    assert third.status_code == 400
    assert Jurisdiction.objects.count() == 1


def test_bko_contingent_moves_forward_only(kabag):
    operation = factories.OperationFactory()
    brimob = factories.UnitFactory(name="Sat Brimob", kind=Unit.Kind.BRIMOB, supplies_bko=True)
    created = kabag.post(
        "/api/v1/bko-contingents/",
        {"operation": operation.pk, "unit_name": "Sat Brimob", "expected_strength": 30},
        format="json",
    )
    assert created.status_code == 201, created.content
    url = f"/api/v1/bko-contingents/{created.json()['id']}/"
    arrived = kabag.patch(url, {"status": "arrived"}, format="json")
    assert arrived.status_code == 200 and arrived.json()["arrived_on"] is not None
    back = kabag.patch(url, {"status": "expected"}, format="json")
    assert back.status_code == 400 and "status" in back.json()["errors"]
    assert BkoContingent.objects.get(unit=brimob).status == "arrived"
    assert kabag.patch(url, {"status": "released"}, format="json").status_code == 200


def test_bko_contingent_of_a_unit_that_supplies_none_is_refused(kabag):
    operation = factories.OperationFactory()
    unit = factories.UnitFactory(kind=Unit.Kind.POLSEK)
    response = kabag.post(
        "/api/v1/bko-contingents/", {"operation": operation.pk, "unit": unit.pk}, format="json"
    )
    assert response.status_code == 400 and "unit" in response.json()["errors"]


def test_operation_is_created_with_its_order_header(kabag):
    election = factories.ElectionFactory()
    pattern_set = factories.PatternSetFactory(name="Pola Polres")
    response = kabag.post(
        "/api/v1/operations/",
        {
            "name": "Ops Mantap Praja",
            "election": election.pk,
            "starts_on": "2025-09-01",
            "ends_on": "2025-10-31",
            "pattern_set_name": pattern_set.name,
            "unassessed_level": 2,
            "order_basis": "UU No. 2 Tahun 2002",
            "signatory_nrp": "12345678",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["pattern_set"] == pattern_set.pk
    bad = kabag.patch(
        f"/api/v1/operations/{response.json()['id']}/", {"ends_on": "2025-01-01"}, format="json"
    )
    assert bad.status_code == 400


def test_desa_coordinates_and_candidate_flags(kabag):
    village = factories.VillageElectionFactory()
    desa_url = f"/api/v1/desa/{village.desa_id}/"
    response = kabag.patch(
        desa_url, {"latitude": "-6.01", "longitude": "106.1", "sea_access_only": True}, format="json"
    )
    assert response.status_code == 200, response.content
    assert kabag.patch(desa_url, {"code": "99.99.99.9999"}, format="json").status_code == 400
    candidate = kabag.post(
        "/api/v1/candidates/",
        {
            "village_election": village.pk,
            "full_name": "H. Ahmad",
            "ballot_number": 1,
            "head_status": "incumbent",
            "lost_before": True,
            "estimated_supporters": 800,
            "needs_close_escort": True,
        },
        format="json",
    )
    assert candidate.status_code == 201, candidate.content
    again = kabag.post(
        "/api/v1/candidates/",
        {"village_election": village.pk, "full_name": "B", "ballot_number": 1},
        format="json",
    )
    assert again.status_code == 400 and "Nomor urut" in str(again.json()["errors"])


def test_jurisdiction_is_handed_back_by_delete(kabag):
    jurisdiction = factories.JurisdictionFactory()
    response = kabag.delete(f"/api/v1/jurisdictions/{jurisdiction.pk}/")
    assert response.status_code == 204
    assert not Jurisdiction.objects.exists()


def test_an_officer_patched_is_answered_with_every_field_of_the_schema(kabag):
    # The schema marks jabatan_name and jabatan_category required; a PATCH's answer left them out
    # when the officer has no jabatan (DRF skips a read-only field's default in a partial update).
    officer = factories.OfficerFactory(jabatan=None)
    listed = kabag.get(f"/api/v1/officers/{officer.pk}/").json()
    patched = kabag.patch(f"/api/v1/officers/{officer.pk}/", {"name": "Nama Baru"}, format="json")
    assert patched.status_code == 200, patched.content
    assert set(patched.json()) == set(listed)
    assert patched.json()["jabatan_name"] is None and patched.json()["jabatan_category"] is None
