"""Admin uploads as jobs: the upload returns at once with a progress page that survives a reload;
the page and its JSON status show rows read, errors so far and, at the end, the summary or the
error report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jobs.models import Job
from operations.models import Officer
from operations.roles import KABAG_OPS
from tests.factories import UnitFactory
from villages.models import Desa, Kecamatan

pytestmark = pytest.mark.django_db

ROSTER = b"NRP,Nama,Pangkat,Jabatan,Satuan\n85010001,Ahmad,BRIPKA,Kanit,Polsek Carenang\n"
REGIONS = b"kode,nama\n36.04,KAB. SERANG\n36.04.17,Carenang\n36.04.17.2010,Mekarsari\n"


@pytest.fixture
def kabag(client, make_user):
    client.force_login(make_user(KABAG_OPS))
    return client


def _upload_roster(client, payload: bytes, **fields):
    url = reverse("admin:operations_officer_import")
    form = client.get(url).context["form"]
    csv_choice = next(value for value, label in form.fields["format"].choices if str(label).lower() == "csv")
    return client.post(
        url,
        {
            "import_file": SimpleUploadedFile("roster.csv", payload),
            "format": csv_choice,
            "resource": 0,
            **fields,
        },
    )


def test_roster_upload_returns_a_progress_page_and_the_job_imports(kabag):
    UnitFactory(name="Polsek Carenang", kind="polsek")
    response = _upload_roster(kabag, ROSTER)
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:jobs_job_progress", args=[job.pk])
    assert (job.kind, job.state, job.created_by, job.source_name) == (
        Job.Kind.ROSTER_IMPORT,
        Job.State.SUCCEEDED,
        response.wsgi_request.user,
        "roster.csv",
    )
    page = kabag.get(response["Location"]).content.decode()
    assert "Selesai" in page and "1 baru" in page
    history = Officer.history.filter(nrp="85010001")
    assert [(h.history_type, h.history_user, h.history_change_reason) for h in history] == [
        ("+", response.wsgi_request.user, "Impor personel: roster.csv")
    ]


def test_roster_preview_job_writes_nothing(kabag):
    UnitFactory(name="Polsek Carenang", kind="polsek")
    _upload_roster(kabag, ROSTER, dry_run="on")
    job = Job.objects.get()
    assert job.state == Job.State.SUCCEEDED and job.summary.startswith("Pratinjau")
    assert not Officer.objects.filter(nrp="85010001").exists()


def test_a_refused_roster_job_keeps_its_error_report_on_the_page_and_in_the_status(kabag):
    UnitFactory(name="Polsek Carenang", kind="polsek")
    response = _upload_roster(kabag, ROSTER.replace(b"BRIPKA", b"Kopral"))
    job = Job.objects.get()
    assert job.state == Job.State.FAILED
    page = kabag.get(response["Location"]).content.decode()
    assert "tidak ada data yang diubah" in page
    assert "pangkat &#x27;Kopral&#x27; tidak dikenal" in page
    status = kabag.get(reverse("admin:jobs_job_status", args=[job.pk])).json()
    assert status["state"] == "failed" and status["done"] is True
    assert any("pangkat 'Kopral' tidak dikenal" in line for line in status["error_report"])
    assert not Officer.objects.filter(nrp="85010001").exists()


def test_region_upload_returns_a_progress_page_and_the_job_imports(kabag):
    response = kabag.post(
        reverse("admin:villages_kecamatan_import_regions"),
        {"file": SimpleUploadedFile("wilayah.csv", REGIONS), "prefix": "", "encoding": "utf-8"},
    )
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:jobs_job_progress", args=[job.pk])
    assert (job.kind, job.state, job.rows_read) == (Job.Kind.REGIONS_IMPORT, Job.State.SUCCEEDED, 3)
    assert Desa.objects.get(code="36.04.17.2010").kecamatan.kabupaten_name == "KAB. SERANG"


def test_a_refused_region_job_lists_every_bad_line(kabag):
    response = kabag.post(
        reverse("admin:villages_kecamatan_import_regions"),
        {
            "file": SimpleUploadedFile("wilayah.csv", REGIONS + b"36.04.99.2001,Yatim\n36.4,Rusak\n"),
            "prefix": "",
            "encoding": "utf-8",
        },
    )
    page = kabag.get(response["Location"]).content.decode()
    assert "baris 5" in page and "baris 6" in page and "tidak ada data yang diubah" in page
    assert not Kecamatan.objects.exists()


def test_someone_elses_job_is_not_found(kabag, client, make_user):
    UnitFactory(name="Polsek Carenang", kind="polsek")
    _upload_roster(kabag, ROSTER)
    job = Job.objects.get()
    other = make_user(KABAG_OPS)
    kabag.force_login(other)
    assert kabag.get(reverse("admin:jobs_job_progress", args=[job.pk])).status_code == 404
    assert kabag.get(reverse("admin:jobs_job_status", args=[job.pk])).status_code == 404


def test_a_confirmed_boundary_import_runs_as_a_job(kabag):
    from tests.villages.test_import_boundaries import sql, sql_row

    kecamatan = Kecamatan.objects.create(code="36.04.17", name="Carenang")
    Desa.objects.create(code="36.04.17.2010", name="Mekarsari", kecamatan=kecamatan)
    url = reverse("admin:villages_desa_import_boundaries")
    preview = kabag.post(
        url,
        {"file": SimpleUploadedFile("desa.sql", sql(sql_row("36.04.17.2010"))), "prefix": "36.04",
         "level": "desa", "code_property": "kode", "encoding": "utf-8"},
    )  # fmt: skip
    confirmed = kabag.post(url, {"confirm": "1", "token": preview.context["token"]})
    job = Job.objects.get()
    assert confirmed["Location"] == reverse("admin:jobs_job_progress", args=[job.pk])
    assert (job.kind, job.state, job.source_name, job.rows_read) == (
        Job.Kind.BOUNDARIES_IMPORT,
        Job.State.SUCCEEDED,
        "desa.sql",
        1,
    )
    assert Desa.objects.get(code="36.04.17.2010").latitude is not None


def test_the_status_never_reads_the_uploaded_file(kabag):
    # Polled every second: a 5 MB upload read each time would be 5 MB a second per open page.
    UnitFactory(name="Polsek Carenang", kind="polsek")
    _upload_roster(kabag, ROSTER)
    job = Job.objects.get()
    with CaptureQueriesContext(connection) as queries:
        assert kabag.get(reverse("admin:jobs_job_status", args=[job.pk])).status_code == 200
    job_queries = [q["sql"] for q in queries.captured_queries if '"jobs_job"' in q["sql"]]
    assert job_queries and not any("input_data" in sql for sql in job_queries)
