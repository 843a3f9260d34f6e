"""Command structure: positions (jabatan) keep commanders and staff off village duties."""

import pytest
from django.core.exceptions import ValidationError

from operations.models import Assignment, Duty, Officer, Position, RiskLevel, VillageStanding
from operations.positions import match_position
from operations.ranks import Pangkat
from operations.roster import roster_import
from operations.selectors.deployment import free_officers
from operations.services.assignments import assignment_create
from operations.services.proposals import proposal_create
from tests.factories import OfficerFactory
from tests.operations.deployment_setup import build_world, officers

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def position(name: str) -> Position:
    return Position.objects.get(name=name)


def set_level(world, village, level, required):
    VillageStanding.objects.filter(operation=world.operation, village_election=village).update(
        level=level, required_personnel=required, shortfall=required
    )


def test_proposal_never_posts_kapolsek_or_wakapolsek_to_a_village(world):
    set_level(world, world.own[0], RiskLevel.SANGAT_RAWAN, 10)
    kapolsek = OfficerFactory(unit=world.polsek, rank=Pangkat.AKP, jabatan=position("Kapolsek"))
    wakapolsek = OfficerFactory(unit=world.polsek, rank=Pangkat.IPTU, jabatan=position("Wakapolsek"))
    operator = OfficerFactory(unit=world.polres, rank=Pangkat.BRIPKA, jabatan=position("Operator"))
    guards = officers(world.polsek, 2)

    proposal = proposal_create(operation=world.operation, by=world.kabag)

    proposed = set(proposal.items.values_list("officer_id", flat=True))
    assert proposed == {g.pk for g in guards}
    assert not proposed & {kapolsek.pk, wakapolsek.pk, operator.pk}


def test_tambah_personel_never_offers_pimpinan_kapolsek_or_staff(world):
    offered_before = set(free_officers(operation=world.operation).values_list("pk", flat=True))
    kapolres = OfficerFactory(unit=world.polres, rank=Pangkat.AKBP, jabatan=position("Kapolres"))
    kabag = OfficerFactory(unit=world.polres, rank=Pangkat.KOMPOL, jabatan=position("Kabag Ops"))
    kapolsek = OfficerFactory(unit=world.polsek, rank=Pangkat.AKP, jabatan=position("Kapolsek"))
    operator = OfficerFactory(unit=world.polres, jabatan=position("Operator"))
    bhabin = OfficerFactory(unit=world.polsek, jabatan=position("Bhabinkamtibmas"))
    field = OfficerFactory(unit=world.polsek)

    offered = set(free_officers(operation=world.operation).values_list("pk", flat=True)) - offered_before

    assert offered == {bhabin.pk, field.pk}
    assert not offered & {kapolres.pk, kabag.pk, kapolsek.pk, operator.pk}


@pytest.mark.parametrize("name", ["Kapolres", "Kapolsek", "Operator"])
def test_manual_posting_of_a_commander_to_a_village_needs_a_reason(world, name):
    unit = world.polsek if name == "Kapolsek" else world.polres
    commander = OfficerFactory(unit=unit, rank=Pangkat.AKBP, jabatan=position(name))

    with pytest.raises(ValidationError) as excinfo:
        assignment_create(
            operation=world.operation,
            officer=commander,
            duty=Duty.VILLAGE_GUARD,
            village_election=world.own[0],
            by=world.kabag,
        )
    assert "command_reason" in excinfo.value.message_dict
    assert not Assignment.objects.filter(officer=commander).exists()

    posting = assignment_create(
        operation=world.operation,
        officer=commander,
        duty=Duty.VILLAGE_GUARD,
        village_election=world.own[0],
        command_reason="Desa sangat rawan, Kapolsek memimpin langsung",
        by=world.kabag,
    )
    assert posting.command_reason.startswith("Desa sangat rawan")


def test_commander_in_reserve_needs_no_reason(world):
    kapolres = OfficerFactory(unit=world.polres, rank=Pangkat.AKBP, jabatan=position("Kapolres"))

    posting = assignment_create(
        operation=world.operation, officer=kapolres, duty=Duty.RESERVE, by=world.kabag
    )

    assert posting.command_reason == ""


def test_bhabinkamtibmas_is_proposed_for_his_desa_binaan_first(world):
    # Two villages of his Polsek, both Rawan; his binaan is the farther one from the Polsek HQ.
    for village in world.own:
        set_level(world, village, RiskLevel.RAWAN, 2)
    set_level(world, world.foreign, RiskLevel.AMAN, 0)
    binaan = world.own[1]
    bhabin = OfficerFactory(
        unit=world.polsek, jabatan=position("Bhabinkamtibmas"), desa_binaan=binaan.desa, rank=Pangkat.BRIGPOL
    )
    officers(world.polsek, 3)

    proposal = proposal_create(operation=world.operation, by=world.kabag)

    item = proposal.items.get(officer=bhabin)
    assert item.village_election_id == binaan.pk


def test_bhabinkamtibmas_living_in_his_desa_binaan_is_posted_elsewhere(world):
    for village in world.own:
        set_level(world, village, RiskLevel.RAWAN, 2)
    set_level(world, world.foreign, RiskLevel.AMAN, 0)
    binaan = world.own[0]
    bhabin = OfficerFactory(
        unit=world.polsek,
        jabatan=position("Bhabinkamtibmas"),
        desa_binaan=binaan.desa,
        home_desa=binaan.desa,
    )
    officers(world.polsek, 3)

    proposal = proposal_create(operation=world.operation, by=world.kabag)

    assert proposal.items.get(officer=bhabin).village_election_id != binaan.pk


def test_desa_binaan_only_for_bhabinkamtibmas(world):
    officer = OfficerFactory(unit=world.polsek, jabatan=position("Kanit"), desa_binaan=world.own[0].desa)

    with pytest.raises(ValidationError) as excinfo:
        officer.full_clean()

    assert "desa_binaan" in excinfo.value.message_dict


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("KAPOLSEK CARENANG", "Kapolsek"),
        ("Wakapolsek Binuang", "Wakapolsek"),
        ("Kabagops", "Kabag Ops"),
        ("KABAG OPS POLRES SERANG", "Kabag Ops"),
        ("Kasat Polairud", "Kasat"),
        ("Kepala Kepolisian Resor", "Kapolres"),
        ("Bhabinkamtibmas Desa Mekarsari", "Bhabinkamtibmas"),
        ("Ka. Polsek", "Kapolsek"),
        ("Operator Posko", "Operator"),
        ("Juru masak", None),
        ("", None),
    ],
)
def test_roster_position_spellings_map_to_the_catalogue(db, spelling, expected):
    catalogue = [(p.pk, p.name, p.spelling_list()) for p in Position.objects.all()]

    found = match_position(spelling, catalogue)

    assert (Position.objects.get(pk=found).name if found else None) == expected


def test_roster_import_sets_the_catalogue_position(world):
    data = (
        "NRP,Nama,Pangkat,Jabatan,Satuan\n"
        f"71010001,Budi,AKP,KAPOLSEK CARENANG,{world.polsek.name}\n"
        f"71010002,Joko,Bripka,Bhabinkamtibmas Desa Mekarsari,{world.polsek.name}\n"
        f"71010003,Asep,Bripka,Juru masak,{world.polsek.name}\n"
    ).encode()

    roster_import(data=data, file_format="csv")

    jabatan = dict(Officer.objects.filter(nrp__startswith="7101").values_list("nrp", "jabatan__name"))
    assert jabatan == {"71010001": "Kapolsek", "71010002": "Bhabinkamtibmas", "71010003": None}
    assert Officer.objects.get(nrp="71010001").position == "KAPOLSEK CARENANG"
