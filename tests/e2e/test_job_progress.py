"""The job progress page in a real browser: the bar follows the running counts without a reload,
the page reloads itself once the job ends and shows the summary; a failed job shows its report.
Screenshots at 360 px and 1366 px (test-artifacts/job-progress-*.png)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jobs.models import Job
from jobs.progress import CacheProgress
from operations.roles import KABAG_OPS
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import PHONE, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
WIDE = {"width": 1366, "height": 800}


def _admin_login(page, username: str) -> None:
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(lambda url: "/admin/login/" not in url)


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "360"), (WIDE, "1366")])
def test_the_bar_follows_a_running_job_and_the_page_shows_its_end(open_page, make_user, viewport, label):
    kabag = make_user(KABAG_OPS)
    job = Job.objects.create(
        kind=Job.Kind.ROSTER_IMPORT,
        runner="operations.jobs.roster_import_run",
        state=Job.State.RUNNING,
        started_at=timezone.now(),
        source_name="personel-polres.csv",
        created_by=kabag,
    )
    page, console = open_page(viewport)
    _admin_login(page, kabag.username)
    page.goto(f"/admin/jobs/job/{job.pk}/progress/")
    expect(page.locator("#job-state")).to_have_text("Berjalan")

    CacheProgress(job.pk, every=0)(rows_read=4200, errors=3, total=10000)
    expect(page.locator("#job-rows")).to_have_text("4.200")
    expect(page.locator("#job-total")).to_have_text(" dari 10.000")
    expect(page.locator("#job-errors")).to_have_text("3")
    assert page.locator("#job-bar").evaluate("bar => [bar.value, bar.max]") == [4200, 10000]
    screenshot(page, f"job-progress-running-{label}")

    Job.objects.filter(pk=job.pk).update(
        state=Job.State.SUCCEEDED,
        finished_at=timezone.now(),
        rows_read=10000,
        rows_total=10000,
        summary="9800 baru, 200 diperbarui, 0 tidak berubah",
    )
    expect(page.locator(".messagelist .success")).to_contain_text("9800 baru")
    screenshot(page, f"job-progress-done-{label}")
    assert console.take() == []


def test_a_failed_job_shows_its_error_report(open_page, make_user):
    kabag = make_user(KABAG_OPS)
    report = [f"baris {n}: Pangkat: pangkat 'Kopral' tidak dikenal" for n in range(2, 9)]
    job = Job.objects.create(
        kind=Job.Kind.ROSTER_IMPORT,
        runner="operations.jobs.roster_import_run",
        state=Job.State.FAILED,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        source_name="personel-<b>salah</b>.csv",
        created_by=kabag,
        rows_read=7,
        rows_total=7,
        error_count=7,
        error_report=report,
    )
    page, console = open_page(PHONE)
    _admin_login(page, kabag.username)
    page.goto(f"/admin/jobs/job/{job.pk}/progress/")
    expect(page.locator("#job-error-report li")).to_have_count(7)
    expect(page.locator(".errornote")).to_contain_text("tidak ada data yang diubah")
    expect(page.get_by_text("personel-<b>salah</b>.csv")).to_be_visible()  # escaped, not markup
    screenshot(page, "job-progress-failed-360")
    assert console.take() == []


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "360"), (WIDE, "1366")])
def test_a_finished_export_offers_its_file_in_the_admin(open_page, make_user, viewport, label):
    kabag = make_user(KABAG_OPS)
    job = Job.objects.create(
        kind=Job.Kind.RANKING_EXPORT,
        runner="operations.jobs.ranking_export_run",
        state=Job.State.SUCCEEDED,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        rows_read=326,
        rows_total=326,
        source_name="Ops Aman Pilkades 2019 (XLSX)",
        summary="peringkat-ops-aman-pilkades-2019.xlsx: 326 desa",
        output_data=b"PK\x03\x04",
        result={"file_name": "peringkat-ops-aman-pilkades-2019.xlsx", "content_type": "application/zip"},
        created_by=kabag,
    )
    page, console = open_page(viewport)
    _admin_login(page, kabag.username)
    page.goto(f"/admin/jobs/job/{job.pk}/progress/")
    link = page.get_by_role("link", name="Unduh peringkat-ops-aman-pilkades-2019.xlsx")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "peringkat-ops-aman-pilkades-2019.xlsx"
    screenshot(page, f"job-progress-export-{label}")
    assert console.take() == []
