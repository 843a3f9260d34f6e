import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.forms import modelform_factory

from operations.models import Jurisdiction, Officer, Unit
from operations.ranks import Pangkat
from tests import factories

pytestmark = pytest.mark.django_db


def _errors(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize(
    ("nrp", "valid"),
    [
        ("79030655", True),
        ("00120001", True),
        ("1234567", False),
        ("123456789", False),
        ("1234567a", False),
        ("1234 567", False),
        ("", False),
    ],
)
def test_nrp_is_exactly_eight_digits(nrp, valid):
    officer = factories.OfficerFactory.build(nrp=nrp, unit=factories.UnitFactory())
    if valid:
        officer.full_clean()
    else:
        assert "nrp" in _errors(officer)


def test_duplicate_nrp_is_a_field_error_in_a_form():
    existing = factories.OfficerFactory(nrp="79030655")
    form_class = modelform_factory(Officer, fields=["nrp", "name", "rank", "unit", "is_active"])
    form = form_class(
        data={"nrp": "79030655", "name": "Lain", "rank": Pangkat.BRIPKA, "unit": existing.unit_id}
    )
    assert not form.is_valid()
    assert form.errors["nrp"] == ["NRP ini sudah terdaftar."]


def test_database_refuses_short_nrp_even_without_validation():
    with pytest.raises(IntegrityError), transaction.atomic():
        Officer.objects.create(nrp="1234567", name="Uji", rank=Pangkat.BRIPKA, unit=factories.UnitFactory())


def test_kecamatan_cannot_belong_to_two_polseks():
    first = factories.JurisdictionFactory()
    second_polsek = factories.UnitFactory(kind=Unit.Kind.POLSEK)
    duplicate = Jurisdiction(unit=second_polsek, kecamatan=first.kecamatan)
    assert _errors(duplicate)["kecamatan"] == ["Kecamatan ini sudah menjadi wilayah Polsek lain."]
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.parametrize(
    ("kind", "valid"),
    [
        (Unit.Kind.POLSEK, True),
        (Unit.Kind.POLRES, False),
        (Unit.Kind.BRIMOB, False),
        (Unit.Kind.POLAIRUD, False),
    ],
)
def test_only_a_polsek_holds_kecamatan(kind, valid):
    jurisdiction = Jurisdiction(unit=factories.UnitFactory(kind=kind), kecamatan=factories.KecamatanFactory())
    if valid:
        jurisdiction.full_clean()
    else:
        assert "unit" in _errors(jurisdiction)


def test_unit_hq_needs_both_coordinates():
    unit = factories.UnitFactory.build(hq_latitude="-6.08", hq_longitude=None)
    assert "__all__" in _errors(unit)


def test_operation_cannot_end_before_it_starts():
    operation = factories.OperationFactory.build(
        election=factories.ElectionFactory(),
        starts_on=datetime.date(2019, 10, 1),
        ends_on=datetime.date(2019, 9, 1),
    )
    assert "__all__" in _errors(operation)


def test_seniority_orders_by_rank_then_nrp():
    unit = factories.UnitFactory()
    low = factories.OfficerFactory(unit=unit, rank=Pangkat.BRIPDA, nrp="90000001")
    akp = factories.OfficerFactory(unit=unit, rank=Pangkat.AKP, nrp="90000003")
    high_nrp = factories.OfficerFactory(unit=unit, rank=Pangkat.BRIPDA, nrp="90000000")
    assert list(Officer.objects.by_seniority()) == [akp, high_nrp, low]


@pytest.mark.parametrize(
    ("make_parent", "make_child"),
    [
        (factories.UnitFactory, lambda unit: factories.OfficerFactory(unit=unit)),
        (factories.UnitFactory, lambda unit: factories.JurisdictionFactory(unit=unit)),
        (factories.KecamatanFactory, lambda kecamatan: factories.JurisdictionFactory(kecamatan=kecamatan)),
        (factories.DesaFactory, lambda desa: factories.OfficerFactory(home_desa=desa)),
        (factories.ElectionFactory, lambda election: factories.OperationFactory(election=election)),
        (factories.OperationFactory, lambda operation: factories.BkoContingentFactory(operation=operation)),
    ],
    ids=[
        "unit-officer",
        "unit-jurisdiction",
        "kecamatan-jurisdiction",
        "desa-resident",
        "election-operation",
        "operation-bko",
    ],
)
def test_deleting_a_parent_with_records_is_refused(make_parent, make_child):
    parent = make_parent()
    child = make_child(parent)
    with pytest.raises(ProtectedError):
        parent.delete()
    child.refresh_from_db()


def test_deleting_a_login_keeps_the_officer():
    officer = factories.OfficerFactory(user=factories.UserFactory())
    officer.user.delete()
    officer.refresh_from_db()
    assert officer.user is None
