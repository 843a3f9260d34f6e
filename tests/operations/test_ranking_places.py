"""Ranking rows carry place names and the kabupaten code; renames and moves reach them."""

import pytest
from django.urls import reverse

from operations.models import Operation, VillageStanding
from operations.selectors.ranking import level_counts, ranking_for_operation
from operations.services.standings import standings_refresh
from tests.factories import (
    DesaFactory,
    JurisdictionFactory,
    KecamatanFactory,
    UnitFactory,
    VillageElectionFactory,
)
from tests.operations.risk_setup import build_world
from villages.models import Desa, Kecamatan
from villages.services import regions_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return build_world(make_user)


@pytest.fixture
def admin(client, superuser):
    client.force_login(superuser)
    return client


def _row(world, village) -> VillageStanding:
    return VillageStanding.objects.get(operation=world.operation, village_election=village)


def _version(world) -> int:
    return Operation.objects.get(pk=world.operation.pk).ranking_version


def test_refresh_copies_names_and_kabupaten_code(world):
    row = _row(world, world.own[0])
    desa = world.own[0].desa
    assert (row.desa_name, row.kecamatan_name, row.polsek_name) == (
        desa.name,
        desa.kecamatan.name,
        world.unit.name,
    )
    assert row.kabupaten_code == desa.kecamatan.code[:5]
    assert len(row.kabupaten_code) == 5


def test_village_without_polsek_has_empty_polsek_name(world):
    orphan = VillageElectionFactory(
        election=world.operation.election, desa=DesaFactory(kecamatan=KecamatanFactory())
    )
    standings_refresh(operation=world.operation)
    row = _row(world, orphan)
    assert (row.polsek_id, row.polsek_name) == (None, "")


def test_kabupaten_filter_keeps_ranking_order(world):
    other_kab = KecamatanFactory(code="98.01.01")
    JurisdictionFactory(kecamatan=other_kab)
    elsewhere = VillageElectionFactory(
        election=world.operation.election, desa=DesaFactory(kecamatan=other_kab)
    )
    standings_refresh(operation=world.operation)
    code = world.own[0].desa.kecamatan.code[:5]

    rows = list(ranking_for_operation(operation=world.operation, kabupaten=code))
    whole = [r.pk for r in ranking_for_operation(operation=world.operation) if r.kabupaten_code == code]
    assert [r.pk for r in rows] == whole
    assert elsewhere.pk not in {r.village_election_id for r in rows}
    assert [
        r.village_election_id for r in ranking_for_operation(operation=world.operation, kabupaten="98.01")
    ] == [elsewhere.pk]
    assert level_counts(operation=world.operation, kabupaten="98.01").total == 1


def test_admin_renaming_a_desa_renames_its_ranking_row(world, admin):
    desa = world.own[0].desa
    before = _version(world)
    response = admin.post(
        reverse("admin:villages_desa_change", args=[desa.pk]),
        {"kecamatan": desa.kecamatan_id, "code": desa.code, "name": "Mekarsari Baru"},
    )
    assert response.status_code == 302, response.content[:500]
    assert _row(world, world.own[0]).desa_name == "Mekarsari Baru"
    assert _version(world) > before


def test_admin_moving_a_desa_moves_its_row_to_the_new_kecamatan_and_polsek(world, admin):
    desa = world.own[0].desa
    target = world.foreign.desa.kecamatan
    response = admin.post(
        reverse("admin:villages_desa_change", args=[desa.pk]),
        {"kecamatan": target.pk, "code": target.code + desa.code[8:], "name": desa.name},
    )
    assert response.status_code == 302, response.content[:500]
    row = _row(world, world.own[0])
    assert (row.kecamatan_id, row.kecamatan_name) == (target.pk, target.name)
    assert (row.polsek_id, row.polsek_name) == (world.other_unit.pk, world.other_unit.name)


def test_admin_renaming_a_kecamatan_renames_every_row_in_it(world, admin):
    kecamatan = world.own[0].desa.kecamatan
    response = admin.post(
        reverse("admin:villages_kecamatan_change", args=[kecamatan.pk]),
        {"code": kecamatan.code, "name": "Carenang Raya", "kabupaten_name": kecamatan.kabupaten_name},
    )
    assert response.status_code == 302, response.content[:500]
    assert {_row(world, v).kecamatan_name for v in world.own} == {"Carenang Raya"}
    assert _row(world, world.foreign).kecamatan_name != "Carenang Raya"


def _unit_form(unit, jurisdictions: list[tuple[int | None, int]], name: str | None = None) -> dict:
    initial = [j for j, _k in jurisdictions if j is not None]
    data = {
        "name": name or unit.name,
        "kind": unit.kind,
        "jurisdictions-TOTAL_FORMS": str(len(jurisdictions)),
        "jurisdictions-INITIAL_FORMS": str(len(initial)),
        "jurisdictions-MIN_NUM_FORMS": "0",
        "jurisdictions-MAX_NUM_FORMS": "1000",
    }
    for index, (jurisdiction_id, kecamatan_id) in enumerate(jurisdictions):
        data[f"jurisdictions-{index}-kecamatan"] = str(kecamatan_id)
        if jurisdiction_id is not None:
            data[f"jurisdictions-{index}-id"] = str(jurisdiction_id)
            data[f"jurisdictions-{index}-unit"] = str(unit.pk)
    return data


def test_admin_handing_a_kecamatan_to_another_polsek_moves_the_rows(world, admin):
    kecamatan = world.own[0].desa.kecamatan
    jurisdiction = kecamatan.jurisdiction
    # Taken from its Polsek first (the one-to-one allows one Polsek at a time) ...
    data = _unit_form(world.unit, [(jurisdiction.pk, kecamatan.pk)])
    data["jurisdictions-0-DELETE"] = "on"
    response = admin.post(reverse("admin:operations_unit_change", args=[world.unit.pk]), data)
    assert response.status_code == 302, response.content[:500]
    assert {(_row(world, v).polsek_id, _row(world, v).polsek_name) for v in world.own} == {(None, "")}

    # ... then given to the new one, under a new name.
    newcomer = UnitFactory()
    response = admin.post(
        reverse("admin:operations_unit_change", args=[newcomer.pk]),
        _unit_form(newcomer, [(None, kecamatan.pk)], name="Polsek Carenang Baru"),
    )
    assert response.status_code == 302, response.content[:500]
    assert {(_row(world, v).polsek_id, _row(world, v).polsek_name) for v in world.own} == {
        (newcomer.pk, "Polsek Carenang Baru")
    }
    assert _row(world, world.foreign).polsek_id == world.other_unit.pk


def test_region_import_rename_reaches_the_ranking_in_the_same_import(world):
    desa = world.own[0].desa
    kecamatan = desa.kecamatan
    before = _version(world)
    csv = f"kode,nama\n{kecamatan.code},Binuang Raya\n{desa.code},Lamaran Indah\n"

    report = regions_import(data=csv.encode(), prefix=kecamatan.code)

    assert (report.updated["kecamatan"], report.updated["desa"]) == (1, 1)
    row = _row(world, world.own[0])
    assert (row.desa_name, row.kecamatan_name) == ("Lamaran Indah", "Binuang Raya")
    assert _row(world, world.own[1]).kecamatan_name == "Binuang Raya"
    assert _version(world) > before
    assert Desa.objects.get(pk=desa.pk).name == "Lamaran Indah"
    assert Kecamatan.objects.get(pk=kecamatan.pk).name == "Binuang Raya"


def test_region_import_without_renames_leaves_the_ranking_version(world):
    desa = world.own[0].desa
    before = _version(world)
    regions_import(data=f"kode,nama\n{desa.code},{desa.name}\n".encode(), prefix=desa.code)
    assert _version(world) == before
