"""Imports in the admin: the Kemendagri region list and the personnel roster, each run as a job
(tests/jobs/test_admin_upload_jobs.py follows the jobs; here the files' problems)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from operations.models import Officer
from operations.roles import KABAG_OPS, PIMPINAN
from tests.factories import UnitFactory
from villages.models import Desa, Kecamatan

pytestmark = pytest.mark.django_db

REGIONS = b"kode,nama\n36.04,KAB. SERANG\n36.04.17,Carenang\n36.04.17.2010,Mekarsari\n"


@pytest.fixture
def kabag(client, make_user):
    client.force_login(make_user(KABAG_OPS))
    return client


def _upload(client, payload: bytes, follow: bool = False, **fields):
    """The upload, and with ``follow`` the page it leads to (the job's progress page: in tests the
    job has run by then)."""
    return client.post(
        reverse("admin:villages_kecamatan_import_regions"),
        {"file": SimpleUploadedFile("wilayah.csv", payload), "prefix": "", "encoding": "utf-8", **fields},
        follow=follow,
    )


def test_kabag_ops_imports_regions_from_the_kecamatan_changelist(kabag):
    changelist = kabag.get(reverse("admin:villages_kecamatan_changelist"))
    assert reverse("admin:villages_kecamatan_import_regions") in changelist.content.decode()
    response = _upload(kabag, REGIONS)
    assert response.status_code == 302
    assert Desa.objects.get(code="36.04.17.2010").kecamatan.kabupaten_name == "KAB. SERANG"


def test_region_upload_with_bad_rows_lists_each_and_imports_nothing(kabag):
    response = _upload(kabag, REGIONS + b"36.04.99.2001,Yatim\n36.4,Rusak\n", follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "baris 5" in page and "baris 6" in page
    assert "tidak ada data yang diubah" in page
    assert not Kecamatan.objects.exists()


def test_region_upload_records_the_admin_user_and_the_file_in_the_history(kabag):
    _upload(kabag, REGIONS)
    renamed = _upload(kabag, REGIONS.replace(b"Mekarsari", b"Mekar Sari"))
    assert renamed.status_code == 302
    history = Desa.history.filter(code="36.04.17.2010").order_by("history_date", "history_id")
    assert [(h.history_type, h.name, h.history_user, h.history_change_reason) for h in history] == [
        ("+", "Mekarsari", renamed.wsgi_request.user, "Impor wilayah: wilayah.csv"),
        ("~", "Mekar Sari", renamed.wsgi_request.user, "Impor wilayah: wilayah.csv"),
    ]


def test_pimpinan_cannot_import_regions(client, make_user):
    client.force_login(make_user(PIMPINAN, is_staff=True))
    assert _upload(client, REGIONS).status_code == 403
    assert not Kecamatan.objects.exists()


def _roster_preview(client, payload: bytes):
    url = reverse("admin:operations_officer_import")
    form = client.get(url)
    assert form.status_code == 200
    csv_choice = next(
        value for value, label in form.context["form"].fields["format"].choices if str(label).lower() == "csv"
    )
    return client.post(
        url,
        {
            "import_file": SimpleUploadedFile("roster.csv", payload),
            "format": csv_choice,
            "resource": 0,
        },
    )


def test_roster_export_from_admin_contains_officers(kabag):
    unit = UnitFactory(name="Polsek Carenang", kind="polsek")
    Officer.objects.create(nrp="85010001", name="Ahmad Fauzi", rank=23, unit=unit)
    url = reverse("admin:operations_officer_export")
    form = kabag.get(url)
    csv_choice = next(
        value for value, label in form.context["form"].fields["format"].choices if str(label).lower() == "csv"
    )
    response = kabag.post(
        url,
        {
            "format": csv_choice,
            "resource": 0,
            "officerresource_nrp": True,
            "officerresource_name": True,
            "officerresource_rank": True,
            "officerresource_position": True,
            "officerresource_unit": True,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "85010001" in body and "Bripka" in body


UNREADABLE_REGIONS = {
    "cell over the csv limit": (
        REGIONS + b"36.04.17.2011," + b"x" * 200_000 + b"\n",
        "baris 5: sel lebih dari",
    ),
    "nul byte": (REGIONS + b"36.04.17.2011,Kara\x00ng\n", "baris 5: berisi karakter NUL"),
    "name over the column": (REGIONS + b"36.04.17.2011," + b"A" * 101 + b"\n", "baris 5: nama desa"),
    "xlsx or zip": (b"PK\x03\x04" + bytes(300), "arsip ZIP"),
    "latin-1 text": (REGIONS + "36.04.17.2011,Cak\xfcng\n".encode("latin-1"), "baris 5: berkas bukan utf-8"),
}


@pytest.mark.parametrize(("payload", "message"), UNREADABLE_REGIONS.values(), ids=UNREADABLE_REGIONS.keys())
def test_region_upload_of_an_unreadable_file_lists_the_problem_instead_of_a_500(kabag, payload, message):
    response = _upload(kabag, payload, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Kecamatan.objects.exists()


def test_region_upload_of_an_empty_file_is_refused_with_a_message(kabag):
    response = _upload(kabag, b"")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Kecamatan.objects.exists()


def test_region_upload_page_states_its_size_limit_and_refuses_larger_files(kabag, settings):
    settings.PILKADES_ADMIN_IMPORT_MAX_BYTES = 64
    page = kabag.get(reverse("admin:villages_kecamatan_import_regions")).content.decode()
    assert "Paling besar 64\xa0bita" in page and "manage.py import_regions BERKAS" in page
    response = _upload(kabag, REGIONS)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert "terlalu besar" in errors and "manage.py import_regions BERKAS" in errors
    assert not Kecamatan.objects.exists()


ROSTER_HEADER = b"NRP,Nama,Pangkat,Jabatan,Satuan\n85010001,Ahmad,BRIPKA,Kanit,Polsek Carenang\n"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            ROSTER_HEADER + b"85010002," + b"x" * 200_000 + b",Bripka,x,Polsek Carenang\n",
            "baris 3: sel lebih dari",
        ),
        (ROSTER_HEADER + b"85010002,Bu\x00di,Bripka,x,Polsek Carenang\n", "baris 3: berisi karakter NUL"),
        (b"PK\x03\x04" + bytes(300), "pilih format xlsx"),
        ("NRP,Nama\n85010002,Cak\xfcng\n".encode("latin-1"), "baris 2: berkas CSV bukan UTF-8"),
    ],
    ids=["cell over the csv limit", "nul byte", "xlsx uploaded as csv", "latin-1"],
)
def test_roster_upload_of_an_unreadable_file_names_the_problem(kabag, payload, message):
    UnitFactory(name="Polsek Carenang", kind="polsek")
    response = _roster_preview(kabag, payload)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert not Officer.objects.filter(nrp__in=["85010001", "85010002"]).exists()


def test_roster_upload_page_states_its_size_limit_and_refuses_larger_files(kabag, settings):
    UnitFactory(name="Polsek Carenang", kind="polsek")
    settings.PILKADES_ADMIN_IMPORT_MAX_BYTES = 64
    page = kabag.get(reverse("admin:operations_officer_import")).content.decode()
    assert "Paling besar 64\xa0bita" in page and "manage.py import_roster BERKAS" in page
    response = _roster_preview(kabag, ROSTER_HEADER)
    page = response.content.decode()
    assert response.status_code == 200
    assert "terlalu besar" in page and "manage.py import_roster BERKAS" in page
    assert not Officer.objects.filter(nrp="85010001").exists()


def test_roster_upload_with_more_rows_than_the_admin_takes_points_to_the_command(kabag, settings):
    # The roster is imported row by row (about 10 ms each): the admin takes few rows, not 5 MB of them.
    UnitFactory(name="Polsek Carenang", kind="polsek")
    settings.PILKADES_ADMIN_ROSTER_MAX_ROWS = 2
    page = kabag.get(reverse("admin:operations_officer_import")).content.decode()
    assert "2 baris" in page
    rows = b"".join(b"8501000%d,Nama,Bripka,x,Polsek Carenang\n" % i for i in range(1, 4))
    response = _roster_preview(kabag, b"NRP,Nama,Pangkat,Jabatan,Satuan\n" + rows)
    page = response.content.decode()
    assert response.status_code == 200
    assert "3 baris" in page and "manage.py import_roster BERKAS" in page
    assert not Officer.objects.filter(nrp__startswith="8501000").exists()
