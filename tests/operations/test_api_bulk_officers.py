"""POST /api/v1/officers/bulk/: upsert by NRP, all or none, errors by row index, history by caller."""

import pytest

from operations.models import Duty, Officer
from operations.ranks import Pangkat
from operations.roles import KABAG_OPS, PIMPINAN
from operations.services.assignments import assignment_create
from operations.services.officers import RowErrors, officers_upsert
from tests import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/officers/bulk/"


@pytest.fixture
def kabag_user(make_user):
    return make_user(KABAG_OPS)


@pytest.fixture
def kabag(api_client, kabag_user):
    api_client.force_authenticate(kabag_user)
    return api_client


def _row(nrp: str, **fields) -> dict:
    return {
        "nrp": nrp,
        "name": f"Personel {nrp}",
        "rank": int(Pangkat.BRIPDA),
        "unit_name": "Polsek Anyer",
        **fields,
    }


def test_upsert_creates_and_updates_by_nrp_with_natural_keys(kabag, kabag_user):
    factories.UnitFactory(name="Polsek Anyer")
    desa = factories.DesaFactory()
    factories.OfficerFactory(nrp="80000001", name="Lama", phone="")
    response = kabag.post(
        URL,
        {
            "officers": [
                _row("80000001", phone="0812 000 111", home_desa_code=desa.code, is_active=False),
                _row("80000002", position="Bhabinkamtibmas Desa X"),
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 1, "updated": 1, "unchanged": 0}
    changed = Officer.objects.get(nrp="80000001")
    assert (changed.name, changed.phone, changed.home_desa, changed.is_active) == (
        "Personel 80000001",
        "0812 000 111",
        desa,
        False,
    )
    assert changed.unit.name == "Polsek Anyer"
    # History rows name the caller, for the created and the changed officer.
    for nrp in ("80000001", "80000002"):
        assert Officer.history.filter(nrp=nrp).latest("history_id").history_user == kabag_user
    again = kabag.post(
        URL, {"officers": [_row("80000002", position="Bhabinkamtibmas Desa X")]}, format="json"
    )
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 1}


def test_one_bad_row_writes_nothing_and_names_rows_by_index(kabag):
    factories.UnitFactory(name="Polsek Anyer")
    response = kabag.post(
        URL,
        {
            "officers": [
                _row("80000001"),
                _row("80000002", unit_name="Polsek Hilang"),
                _row("80000003", home_desa_code="99.99.99.9999"),
                _row("80000001"),
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    rows = response.json()["errors"]["rows"]
    assert set(rows) == {"1", "2", "3"}
    assert "unit_name" in rows["1"] and "home_desa_code" in rows["2"] and "nrp" in rows["3"]
    assert not Officer.objects.filter(nrp__startswith="8000000").exists()


def test_type_errors_are_by_index_too(kabag):
    response = kabag.post(URL, {"officers": [_row("80000001"), {"nrp": "12", "pangkat": "x"}]}, format="json")
    assert response.status_code == 400, response.content
    assert "rows" in response.json()["errors"], response.content
    rows = response.json()["errors"]["rows"]
    assert list(rows) == ["1"] and {"nrp", "pangkat"} <= set(rows["1"])


def test_bulk_refuses_a_change_that_breaks_a_posting(kabag_user):
    jurisdiction = factories.JurisdictionFactory()
    village = factories.VillageElectionFactory(desa__kecamatan=jurisdiction.kecamatan)
    operation = factories.OperationFactory(election=village.election)
    officer = factories.OfficerFactory(unit=jurisdiction.unit)
    assignment_create(
        operation=operation, officer=officer, duty=Duty.VILLAGE_GUARD, village_election=village, by=kabag_user
    )
    with pytest.raises(RowErrors) as caught:
        officers_upsert(rows=[{"nrp": officer.nrp, "home_desa_code": village.desa.code}], by=kabag_user)
    assert "home_desa" in caught.value.rows[0]
    officer.refresh_from_db()
    assert officer.home_desa_id is None


def test_pimpinan_cannot_bulk_write(api_client, make_user):
    api_client.force_authenticate(make_user(PIMPINAN))
    assert api_client.post(URL, {"officers": [_row("80000001")]}, format="json").status_code == 403
