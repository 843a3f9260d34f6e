"""Issue 13 (b): the Kabag Ops edits the position and capability catalogues, the officers' command
fields and the operation's order fields in the admin; the officer API shows the command fields."""

import pytest
from django.urls import reverse

from operations.models import Capability, Officer, Position
from operations.roles import KABAG_OPS
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def kabag_client(client, make_user):
    client.force_login(make_user(KABAG_OPS))
    return client


def test_kabag_ops_adds_a_position_to_the_catalogue(kabag_client):
    response = kabag_client.post(
        reverse("admin:operations_position_add"),
        {"name": "Kasat Samapta", "category": "pimpinan", "command_order": 55, "spellings": "Kasatsamapta"},
    )

    assert response.status_code == 302
    assert Position.objects.get(name="Kasat Samapta").spelling_list() == ["Kasatsamapta"]
    assert kabag_client.get(reverse("admin:operations_position_changelist")).status_code == 200


def test_kabag_ops_adds_a_capability(kabag_client):
    response = kabag_client.post(
        reverse("admin:operations_capability_add"),
        {"code": "penjinak-bom", "name": "Penjinak bom", "unit_kind": "", "description": ""},
    )

    assert response.status_code == 302
    assert Capability.objects.filter(code="penjinak-bom").exists()
    assert kabag_client.get(reverse("admin:operations_capability_changelist")).status_code == 200


def test_officer_admin_edits_jabatan_desa_binaan_and_capabilities(kabag_client):
    officer = factories.OfficerFactory()

    page = kabag_client.get(reverse("admin:operations_officer_change", args=[officer.pk])).content.decode()

    for name in ("jabatan", "desa_binaan", "capabilities"):
        assert f'name="{name}"' in page


def test_operation_admin_shows_the_order_fields(kabag_client):
    operation = factories.OperationFactory()

    page = kabag_client.get(
        reverse("admin:operations_operation_change", args=[operation.pk])
    ).content.decode()

    for name in (
        "boat_team_size",
        "reaction_reserve",
        "sprin_number",
        "order_date",
        "order_basis",
        "order_purpose",
        "signatory_name",
        "signatory_rank",
        "signatory_nrp",
    ):
        assert f'name="{name}"' in page
    assert "Surat perintah" in page


def test_officer_api_shows_jabatan_desa_binaan_and_capabilities(api_client, make_user):
    desa = factories.DesaFactory()
    officer = factories.OfficerFactory(jabatan=Position.objects.get(name="Bhabinkamtibmas"), desa_binaan=desa)
    officer.capabilities.add(Capability.objects.get(code=Capability.BRIMOB))
    api_client.force_login(make_user(KABAG_OPS))

    row = api_client.get(f"/api/v1/officers/{officer.pk}/").json()

    assert row["jabatan"] == officer.jabatan_id
    assert row["jabatan_name"] == "Bhabinkamtibmas"
    assert row["jabatan_category"] == "bhabinkamtibmas"
    assert row["desa_binaan"] == desa.pk
    assert row["capabilities"] == [Capability.BRIMOB]
    assert Officer.objects.get(pk=officer.pk).desa_binaan == desa
