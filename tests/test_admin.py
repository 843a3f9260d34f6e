"""Every registered admin renders; validation surfaces as form errors; rows follow jurisdiction."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations.models import BkoContingent, Jurisdiction, Officer, Operation, Unit
from operations.roles import KABAG_OPS, POLSEK
from tests import factories
from villages.models import Candidate, Desa, Election, Kecamatan, VillageElection

pytestmark = pytest.mark.django_db

DESK_APPS = ("villages", "operations")
REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
MODEL_IDS = [model._meta.label for model, _ in REGISTERED]
SEARCHABLE = [(model, model_admin) for model, model_admin in REGISTERED if model_admin.search_fields]


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=MODEL_IDS)
def test_add_page_renders_for_superuser(admin_client_su, model, model_admin):
    response = admin_client_su.get(_url(model, "add"))
    # Rows kept by services only (risk reports, current risk, ranking rows) have no add page.
    expected = 200 if model_admin.has_add_permission(response.wsgi_request) else 403
    assert response.status_code == expected


def test_desa_code_outside_its_kecamatan_is_a_form_error(admin_client_su):
    kecamatan = factories.KecamatanFactory(code="36.04.17")
    response = admin_client_su.post(
        _url(Desa, "add"),
        {"kecamatan": kecamatan.pk, "code": "36.04.18.2003", "name": "Renged", "access_notes": ""},
    )
    assert response.status_code == 200
    assert "code" in response.context["adminform"].form.errors
    assert not Desa.objects.exists()


def test_officer_nrp_of_seven_digits_is_a_form_error(admin_client_su):
    unit = factories.UnitFactory()
    response = admin_client_su.post(
        _url(Officer, "add"),
        {"nrp": "1234567", "name": "Uji", "rank": 23, "unit": unit.pk, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "nrp" in response.context["adminform"].form.errors
    assert not Officer.objects.exists()


def _unit_form(name: str, kind: str, kecamatan_ids: list[int]) -> dict:
    data = {
        "name": name,
        "kind": kind,
        "jurisdictions-TOTAL_FORMS": str(len(kecamatan_ids)),
        "jurisdictions-INITIAL_FORMS": "0",
        "jurisdictions-MIN_NUM_FORMS": "0",
        "jurisdictions-MAX_NUM_FORMS": "1000",
    }
    for index, kecamatan_id in enumerate(kecamatan_ids):
        data[f"jurisdictions-{index}-kecamatan"] = str(kecamatan_id)
    return data


def test_kecamatan_of_another_polsek_is_an_inline_error(admin_client_su):
    taken = factories.JurisdictionFactory()
    response = admin_client_su.post(
        _url(Unit, "add"), _unit_form("Polsek Baru", Unit.Kind.POLSEK, [taken.kecamatan_id])
    )
    assert response.status_code == 200
    assert "Kecamatan ini sudah menjadi wilayah Polsek lain." in response.content.decode()
    assert Jurisdiction.objects.count() == 1
    assert not Unit.objects.filter(name="Polsek Baru").exists()


def test_non_polsek_unit_with_kecamatan_shows_the_error(admin_client_su):
    kecamatan = factories.KecamatanFactory()
    response = admin_client_su.post(
        _url(Unit, "add"), _unit_form("Brimob Baru", Unit.Kind.BRIMOB, [kecamatan.pk])
    )
    assert response.status_code == 200
    assert "Hanya Polsek yang memiliki wilayah kecamatan." in response.content.decode()
    assert not Unit.objects.filter(name="Brimob Baru").exists()


def test_polsek_turned_brimob_while_holding_kecamatan_is_refused(admin_client_su):
    jurisdiction = factories.JurisdictionFactory()
    unit = jurisdiction.unit
    data = _unit_form(unit.name, Unit.Kind.BRIMOB, [jurisdiction.kecamatan_id])
    data.update({"jurisdictions-INITIAL_FORMS": "1", "jurisdictions-0-id": str(jurisdiction.pk)})
    data["jurisdictions-0-unit"] = str(unit.pk)
    response = admin_client_su.post(_url(Unit, "change", unit.pk), data)
    assert response.status_code == 200
    assert "Hanya Polsek yang memiliki wilayah kecamatan." in response.content.decode()
    unit.refresh_from_db()
    assert unit.kind == Unit.Kind.POLSEK


@pytest.mark.parametrize(
    ("role", "expected"),
    [(KABAG_OPS, {"Desa Sini", "Desa Sana"}), (POLSEK, {"Desa Sini"}), (None, set())],
)
def test_admin_village_rows_follow_jurisdiction(client, make_user, role, expected):
    jurisdiction = factories.JurisdictionFactory()
    factories.DesaFactory(kecamatan=jurisdiction.kecamatan, name="Desa Sini")
    factories.DesaFactory(name="Desa Sana")
    user = make_user(role, unit=jurisdiction.unit if role == POLSEK else None, is_staff=True)
    # Staff rights to read desa, whatever the group grants, so only the row limit decides.
    user.user_permissions.add(*_view_permission(Desa))
    client.force_login(user)
    response = client.get(_url(Desa, "changelist"))
    assert response.status_code == 200
    assert {d.name for d in response.context["cl"].result_list} == expected


def _view_permission(model):
    return Permission.objects.filter(
        content_type__app_label=model._meta.app_label, codename=f"view_{model._meta.model_name}"
    )


def test_polsek_staff_user_cannot_open_desa_outside_jurisdiction(client, make_user):
    jurisdiction = factories.JurisdictionFactory()
    elsewhere = factories.DesaFactory()
    user = make_user(POLSEK, unit=jurisdiction.unit, is_staff=True)
    client.force_login(user)
    response = client.get(_url(Desa, "change", elsewhere.pk), follow=True)
    assert response.redirect_chain  # the admin answers an object outside the queryset by redirecting
    assert response.redirect_chain[-1][0] == reverse("admin:index")


@pytest.mark.parametrize(
    ("model", "make_row"),
    [
        (Kecamatan, factories.KecamatanFactory),
        (Desa, factories.DesaFactory),
        (Unit, factories.JurisdictionFactory),
        (Officer, lambda: factories.OfficerFactory(home_desa=factories.DesaFactory())),
        (Election, factories.VillageElectionFactory),
        (VillageElection, factories.CandidateFactory),
        (Candidate, factories.CandidateFactory),
        (Operation, factories.BkoContingentFactory),
        (BkoContingent, factories.BkoContingentFactory),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_changelist_query_count_does_not_grow_with_rows(
    admin_client_su, django_assert_max_num_queries, model, make_row
):
    def fill_to(rows: int) -> None:
        while model.objects.count() < rows:
            make_row()

    fill_to(5)
    with CaptureQueriesContext(connection) as at_five:
        assert admin_client_su.get(_url(model, "changelist")).status_code == 200
    fill_to(50)
    with django_assert_max_num_queries(len(at_five)):
        assert admin_client_su.get(_url(model, "changelist")).status_code == 200
