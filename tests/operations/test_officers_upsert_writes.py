"""officers_upsert's writes (COPY and set-based statements on PostgreSQL, bulk helpers on SQLite):
the stored officers and their history rows are the same on both."""

import pytest
from django.db import transaction

from operations.models import Officer
from operations.ranks import Pangkat
from operations.services.officers import officers_upsert
from tests import factories

pytestmark = pytest.mark.django_db

TRACKED = (
    "id",
    "nrp",
    "name",
    "rank",
    "position",
    "jabatan_id",
    "unit_id",
    "home_desa_id",
    "phone",
    "is_active",
)


def _row(nrp: str, **fields) -> dict:
    return {
        "nrp": nrp,
        "name": f"Personel {nrp}",
        "rank": int(Pangkat.BRIPDA),
        "unit_name": "Polsek Anyer",
        **fields,
    }


def test_history_rows_copy_every_value_with_the_user_type_and_reason():
    unit = factories.UnitFactory(name="Polsek Anyer")
    desa = factories.DesaFactory()
    user = factories.UserFactory(username="operator")
    rows = [
        _row("80000001", position="Kapolsek Anyer", home_desa_code=desa.code, phone="0812 1"),
        _row("80000002"),
    ]
    assert officers_upsert(rows=rows, by=user, reason="berkas.csv") == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }
    first = Officer.objects.get(nrp="80000001")
    assert (first.unit_id, first.home_desa_id, first.phone, first.jabatan.name) == (
        unit.pk,
        desa.pk,
        "0812 1",
        "Kapolsek",
    )
    changed = [_row("80000001", phone="0813 2", is_active=False), _row("80000002")]
    assert officers_upsert(rows=changed, by=user) == {"created": 0, "updated": 1, "unchanged": 1}

    history = list(
        Officer.history.order_by("history_id").values(
            *TRACKED, "history_type", "history_user__username", "history_change_reason"
        )
    )
    stored = {o["nrp"]: o for o in Officer.objects.values(*TRACKED)}
    assert [(h["nrp"], h["history_type"], h["history_change_reason"]) for h in history] == [
        ("80000001", "+", "berkas.csv"),
        ("80000002", "+", "berkas.csv"),
        ("80000001", "~", ""),
    ]
    assert {h["history_user__username"] for h in history} == {"operator"}
    assert {k: history[2][k] for k in TRACKED} == stored["80000001"]
    assert (stored["80000001"]["phone"], stored["80000001"]["is_active"]) == ("0813 2", False)
    assert {k: history[1][k] for k in TRACKED} == stored["80000002"]


def test_several_upserts_in_one_transaction_each_write_only_their_rows():
    # The roster import's batches: one transaction, one call per batch.
    factories.UnitFactory(name="Polsek Anyer")
    with transaction.atomic():
        officers_upsert(rows=[_row("80000001"), _row("80000002")])
        officers_upsert(rows=[_row("80000003"), _row("80000001", name="Baru")])
    assert sorted(Officer.objects.values_list("nrp", "name")) == [
        ("80000001", "Baru"),
        ("80000002", "Personel 80000002"),
        ("80000003", "Personel 80000003"),
    ]
    assert sorted(Officer.history.values_list("nrp", "history_type")) == [
        ("80000001", "+"),
        ("80000001", "~"),
        ("80000002", "+"),
        ("80000003", "+"),
    ]
