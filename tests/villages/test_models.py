import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.forms import modelform_factory

from tests import factories
from villages.models import Desa, Kecamatan

pytestmark = pytest.mark.django_db


def _errors(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("36.04.17", True),
        ("36.4.17", False),
        ("3604.17", False),
        ("36.04.17.2010", False),
        ("ab.cd.ef", False),
        ("", False),
    ],
)
def test_kecamatan_code_format(code, valid):
    kecamatan = Kecamatan(code=code, name="Carenang")
    if valid:
        kecamatan.full_clean()
    else:
        assert "code" in _errors(kecamatan)


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("36.04.17.2010", True),
        ("36.04.17.201", False),
        ("36.04.17.20100", False),
        ("36.04.17", False),
        ("36-04-17-2010", False),
    ],
)
def test_desa_code_format(code, valid):
    desa = Desa(code=code, name="Mekarsari", kecamatan=factories.KecamatanFactory(code="36.04.17"))
    if valid:
        desa.full_clean()
    else:
        assert "code" in _errors(desa)


def test_desa_code_must_carry_its_kecamatan_prefix():
    desa = Desa(code="36.04.18.2003", name="Renged", kecamatan=factories.KecamatanFactory(code="36.04.17"))
    assert "36.04.17" in _errors(desa)["code"][0]


def test_desa_form_reports_bad_input_as_field_errors_not_exceptions():
    kecamatan = factories.KecamatanFactory(code="36.04.17")
    factories.DesaFactory(kecamatan=kecamatan, code="36.04.17.2010")
    form_class = modelform_factory(Desa, fields=["code", "name", "kecamatan", "latitude", "longitude"])
    cases = [
        ({"code": "36.04.18.2003"}, "code"),  # other kecamatan's prefix
        ({"code": "36.04.17.2010"}, "code"),  # duplicate
        ({"code": "36.04.17.2001", "latitude": "-6.08"}, "__all__"),  # latitude without longitude
        ({"code": "36.04.17.2001", "latitude": "-96", "longitude": "106.3"}, "latitude"),
    ]
    for data, field in cases:
        form = form_class(data={"name": "Desa", "kecamatan": kecamatan.pk, **data})
        assert not form.is_valid()
        assert field in form.errors, (data, form.errors)
    assert Desa.objects.count() == 1


def test_duplicate_kecamatan_code_is_a_validation_error():
    factories.KecamatanFactory(code="36.04.17")
    assert "code" in _errors(Kecamatan(code="36.04.17", name="Lain"))


def test_one_village_election_per_desa_and_election():
    existing = factories.VillageElectionFactory()
    duplicate = factories.VillageElectionFactory.build(
        election=existing.election, desa=existing.desa, tps_count=3, registered_voters=100
    )
    assert "__all__" in _errors(duplicate)


def test_village_election_needs_a_tps():
    village_election = factories.VillageElectionFactory.build(
        election=factories.ElectionFactory(), desa=factories.DesaFactory(), tps_count=0
    )
    assert "tps_count" in _errors(village_election)


def test_ballot_number_unique_within_village_election():
    existing = factories.CandidateFactory(ballot_number=1)
    duplicate = factories.CandidateFactory.build(village_election=existing.village_election, ballot_number=1)
    assert "__all__" in _errors(duplicate)
    factories.CandidateFactory(ballot_number=1)  # another village may use number 1


@pytest.mark.parametrize(
    ("make_parent", "make_child"),
    [
        (factories.KecamatanFactory, lambda parent: factories.DesaFactory(kecamatan=parent)),
        (factories.ElectionFactory, lambda parent: factories.VillageElectionFactory(election=parent)),
        (factories.DesaFactory, lambda parent: factories.VillageElectionFactory(desa=parent)),
        (
            factories.VillageElectionFactory,
            lambda parent: factories.CandidateFactory(village_election=parent),
        ),
    ],
    ids=[
        "kecamatan-desa",
        "election-village_election",
        "desa-village_election",
        "village_election-candidate",
    ],
)
def test_deleting_a_parent_with_records_is_refused(make_parent, make_child):
    parent = make_parent()
    child = make_child(parent)
    with pytest.raises(ProtectedError):
        parent.delete()
    child.refresh_from_db()
