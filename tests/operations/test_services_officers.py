"""Officer changes that postings depend on: refused with the postings named, or copied into them."""

import pytest
from django.core.exceptions import ValidationError

from operations.models import Assignment, BkoContingent, Duty, Officer, Operation, Stage
from operations.ranks import Pangkat
from operations.roster import RosterImportError, roster_import
from operations.services.assignments import assignment_create
from operations.services.officers import officer_save
from tests.factories import BkoContingentFactory, DesaFactory, UnitFactory
from tests.operations.deployment_setup import build_world, officers

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def post(world, officer, village=None, duty=Duty.VILLAGE_GUARD, **kwargs):
    return assignment_create(
        operation=world.operation,
        officer=officer,
        duty=duty,
        village_election=village if duty != Duty.RESERVE else None,
        by=world.kabag,
        **kwargs,
    )


def stored(officer) -> tuple:
    return Officer.objects.filter(pk=officer.pk).values_list("unit_id", "home_desa_id", "is_active").get()


def test_home_desa_set_to_the_posted_village_is_refused_naming_the_posting(world):
    (officer,) = officers(world.polres, 1)
    post(world, officer, world.own[0])
    before = stored(officer)

    officer.home_desa = world.own[0].desa
    with pytest.raises(ValidationError) as excinfo:
        officer_save(officer=officer)

    message = excinfo.value.message_dict["home_desa"][0]
    assert f"Desa {world.own[0].desa.name}" in message
    assert world.operation.name in message
    assert "lepas penugasan itu dulu" in message
    assert stored(officer) == before


def test_polsek_officer_moved_to_another_polsek_is_refused(world):
    (officer,) = officers(world.polsek, 1)
    post(world, officer, world.own[0])
    before = stored(officer)

    officer.unit = world.other_polsek
    with pytest.raises(ValidationError) as excinfo:
        officer_save(officer=officer)

    message = excinfo.value.message_dict["unit"][0]
    assert world.other_polsek.name in message
    assert f"Desa {world.own[0].desa.name}" in message
    assert stored(officer) == before


def test_officer_moved_to_a_bko_unit_not_arrived_is_refused(world):
    (officer,) = officers(world.polres, 1)
    post(world, officer, world.own[0])
    late = UnitFactory(kind="brimob", supplies_bko=True)

    officer.unit = late
    with pytest.raises(ValidationError) as excinfo:
        officer_save(officer=officer)

    assert "BKO" in excinfo.value.message_dict["unit"][0]


def test_deactivating_a_posted_officer_is_refused(world):
    (officer,) = officers(world.polres, 1)
    post(world, officer, world.own[0])

    officer.is_active = False
    with pytest.raises(ValidationError) as excinfo:
        officer_save(officer=officer)

    assert "lepas penugasan itu dulu" in excinfo.value.message_dict["is_active"][0]
    assert stored(officer)[2] is True


def test_allowed_changes_are_copied_into_the_postings(world):
    (officer,) = officers(world.polsek, 1)
    posting = post(world, officer, duty=Duty.RESERVE)
    elsewhere = DesaFactory(kecamatan=world.foreign.desa.kecamatan)

    officer.unit = world.other_polsek
    officer.home_desa = elsewhere
    officer_save(officer=officer)

    posting.refresh_from_db()
    assert (posting.officer_polsek_id, posting.officer_home_desa_id) == (world.other_polsek.pk, elsewhere.pk)
    officer.unit = world.polres
    officer_save(officer=officer)
    posting.refresh_from_db()
    assert posting.officer_polsek_id is None


def test_postings_of_a_closed_operation_are_history_and_do_not_block(world):
    (officer,) = officers(world.polres, 1)
    posting = post(world, officer, world.own[0])
    Operation.objects.filter(pk=world.operation.pk).update(status=Operation.Status.CLOSED)

    officer.home_desa = world.own[0].desa
    officer.is_active = False
    officer_save(officer=officer)

    posting.refresh_from_db()
    assert posting.officer_home_desa_id is None
    assert stored(officer)[1:] == (world.own[0].desa_id, False)


def test_every_conflicting_posting_is_named(world):
    (officer,) = officers(world.polres, 1)
    post(world, officer, world.own[0])
    post(world, officer, world.own[0], stage=Stage.COUNTING)
    post(world, officer, world.own[1], stage=Stage.CAMPAIGN)

    officer.home_desa = world.own[0].desa
    officer.is_active = False
    with pytest.raises(ValidationError) as excinfo:
        officer_save(officer=officer)

    errors = excinfo.value.message_dict
    assert str(Stage.VOTING.label) in errors["home_desa"][0]
    assert str(Stage.COUNTING.label) in errors["home_desa"][0]
    assert world.own[1].desa.name not in errors["home_desa"][0]
    assert world.own[1].desa.name in errors["is_active"][0]


def test_roster_import_moving_a_posted_officer_out_of_his_area_is_refused(world):
    (officer,) = officers(world.polsek, 1, rank=Pangkat.BRIPKA)
    post(world, officer, world.own[0])
    csv = f"NRP,Nama,Pangkat,Jabatan,Satuan\n{officer.nrp},{officer.name},BRIPKA,,{world.other_polsek.name}\n"

    with pytest.raises(RosterImportError) as excinfo:
        roster_import(data=csv.encode(), file_format="csv")

    (line, reason) = excinfo.value.line_errors[0]
    assert line == 2
    assert world.own[0].desa.name in reason
    assert stored(officer)[0] == world.polsek.pk
    assert Assignment.objects.get().officer_polsek_id == world.polsek.pk


def test_roster_import_of_an_allowed_move_refreshes_the_postings(world):
    (officer,) = officers(world.polsek, 1, rank=Pangkat.BRIPKA)
    posting = post(world, officer, duty=Duty.RESERVE)
    csv = f"NRP,Nama,Pangkat,Jabatan,Satuan\n{officer.nrp},{officer.name},BRIPKA,,{world.other_polsek.name}\n"

    roster_import(data=csv.encode(), file_format="csv")

    posting.refresh_from_db()
    assert stored(officer)[0] == world.other_polsek.pk
    assert posting.officer_polsek_id == world.other_polsek.pk


def test_bko_officer_of_an_arrived_contingent_may_move_between_bko_units(world):
    (officer,) = officers(world.brimob, 1)
    post(world, officer, world.own[0])
    polda = UnitFactory(kind="polda", supplies_bko=True)
    BkoContingentFactory(operation=world.operation, unit=polda, status=BkoContingent.Status.ARRIVED)

    officer.unit = polda
    officer_save(officer=officer)

    assert stored(officer)[0] == polda.pk
